"""The operational store: rule versions, treatments, API keys (SQLAlchemy, Alembic)."""

from accord.operational.api_keys import SCOPES, ApiKey, ApiKeyRepository
from accord.operational.rules import RuleRepository, RuleVersion
from accord.operational.store import OperationalStore, open_operational, sqlite_url

__all__ = ["SCOPES", "ApiKey", "ApiKeyRepository", "OperationalStore", "RuleRepository",
           "RuleVersion", "open_operational", "sqlite_url"]
