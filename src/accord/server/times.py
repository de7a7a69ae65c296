"""Times at the API's edge: every time it returns carries a UTC offset, and every time it
reads must carry one.

The stores hand back naive datetimes (SQLite and DuckDB timestamp columns), always written
in UTC: :func:`aware` says so before they leave. A time a client sends is an ISO 8601 string
with an offset (``2026-12-01T08:00:00Z``, ``...+01:00``): :data:`AwareTime` refuses numbers
(``0`` is not 1970) and naive times (whose zone would be a guess).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator

__all__ = ["AwareTime", "aware", "aware_iso"]


def aware(at: dt.datetime) -> dt.datetime:
    """``at`` with its offset; a naive time from a store is UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at


def aware_iso(text: str) -> str:
    """An ISO 8601 time from a store, with ``+00:00`` when it had no offset (an empty
    string, a time nobody recorded, as is)."""
    if not text:
        return text
    return aware(dt.datetime.fromisoformat(text)).isoformat()


def _strict_time(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("a time is an ISO 8601 string with a UTC offset, "
                         "such as '2026-12-01T08:00:00Z' (numbers are not read as times)")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO 8601 time, such as "
                         "'2026-12-01T08:00:00Z'") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset: add 'Z' for UTC or one such as "
                         "'+01:00'")
    return parsed


#: A datetime field read only from an ISO 8601 string with an offset.
AwareTime = Annotated[dt.datetime, BeforeValidator(_strict_time)]
