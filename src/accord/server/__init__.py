"""The HTTP API (FastAPI): profile lookups and segment counts; read-only over the stores."""

from accord.server.app import create_app

__all__ = ["create_app"]
