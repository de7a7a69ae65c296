"""Fakes and fixture builders for Accord's tests and for plugin authors."""

from accord.testing.dmn import table_definitions

__all__ = ["table_definitions"]
