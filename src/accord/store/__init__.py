"""The analytical store: where raw sources, the identity map, profiles and segments live.

Backends are chosen by a short name (``duckdb`` by default, ``spark`` at scale) and take
sqlglot expression trees, generating their own dialect.
"""

from accord.store.base import AnalyticalStore, Capabilities, open_store

__all__ = ["AnalyticalStore", "Capabilities", "open_store"]
