"""Opening the operational store: SQLite by default, PostgreSQL at scale, migrated on open.

The backend is chosen by the URL SQLAlchemy understands (``sqlite:///path``,
``postgresql+psycopg://...``); migrations (Alembic) bring any older database to the current
schema before the first use, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from accord.permissions import private_file

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class OperationalStore:
    """A migrated operational database."""

    engine: sa.Engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def revision(self) -> frozenset[str]:
        """The schema revisions the database is at (one per branch of the migrations)."""
        with self.engine.connect() as connection:
            return frozenset(MigrationContext.configure(connection).get_current_heads())


def _alembic() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head() -> frozenset[str]:
    """The newest schema revisions: one per capability's branch of the migrations (each
    capability adds its tables on a branch of its own, so they need no order between them)."""
    return frozenset(ScriptDirectory.from_config(_alembic()).get_heads())


def open_operational(url: str) -> OperationalStore:
    """Open (and migrate) the operational store at a SQLAlchemy URL."""
    engine = sa.create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.close()
    config = _alembic()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    return OperationalStore(engine)


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file (created owner-only when missing, with its folder: it holds
    users, password hashes and API key digests)."""
    private_file(path)
    return f"sqlite:///{path}"
