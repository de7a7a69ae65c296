"""The online store: profile documents by customer id or any identifier, for the decision
path (SQLite by default, in memory for tests)."""

from accord.online.base import (
    OnlineCapabilities,
    OnlineReader,
    OnlineStore,
    OnlineWriter,
    ProfileLookupError,
    open_online,
    resolve,
)
from accord.online.materialise import OnlineReport, run_online

__all__ = ["OnlineCapabilities", "OnlineReader", "OnlineReport", "OnlineStore", "OnlineWriter",
           "ProfileLookupError", "open_online", "resolve", "run_online"]
