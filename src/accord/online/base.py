"""The online store seam: profile documents by customer id or by any identifier.

Readers apart from writers (the decision path only ever gets an :class:`OnlineReader`).
Backends are chosen by name from :data:`BACKENDS` and imported when opened; each declares
its :class:`OnlineCapabilities`. Profiles are JSON documents (numbers with their exact
digits, read back as ``Decimal``; dates ISO 8601; ``segments``: the customer's segment
names); identifiers are ``(kind, value, customer_id)`` rows with values normalised as
identity resolution normalises them (:mod:`accord.identity.normalise`), so
``" Ann@Example.com"`` finds ``ann@example.com``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from accord.errors import AccordError, ConfigError
from accord.identity.normalise import normalise_email, normalise_id, normalise_phone

__all__ = ["BACKENDS", "IDENTIFIER_KINDS", "Document", "IdentifierRow", "OnlineCapabilities",
           "OnlineReader", "OnlineStore", "OnlineWriter", "ProfileLookupError",
           "decode_document", "encode_document", "normalise_identifier", "open_online",
           "resolve"]

#: A profile document.
Document = dict[str, Any]
#: ``(kind, normalised value, customer_id)``.
IdentifierRow = tuple[str, str, str]

#: Identifier kind -> normaliser (value, default region) -> normalised value or None.
NORMALISERS: dict[str, Callable[[str, str], str | None]] = {
    "email": lambda value, region: normalise_email(value),
    "phone": normalise_phone,
    "customer_ref": lambda value, region: normalise_id(value),
}
#: The kinds :func:`resolve` tries, in order, for a key that is not a customer id.
IDENTIFIER_KINDS = tuple(NORMALISERS)


class ProfileLookupError(AccordError):
    """No profile for a key, or an identifier shared by several customers."""


@dataclass(frozen=True, slots=True)
class OnlineCapabilities:
    """What an online backend offers."""

    #: Survives the process (a file or a server).
    persistent: bool
    #: ``replace_all`` swaps everything at once: readers never see half a rebuild.
    atomic_replace: bool
    #: Other processes can read what this one wrote.
    shared: bool


def normalise_identifier(kind: str, value: str, default_region: str = "GB") -> str | None:
    """``value`` normalised as identity resolution normalises identifiers of ``kind``.

    Raises:
        ProfileLookupError: for an unknown kind.
    """
    normaliser = NORMALISERS.get(kind)
    if normaliser is None:
        raise ProfileLookupError(f"unknown identifier kind {kind!r}; known: "
                          f"{', '.join(NORMALISERS)}")
    return normaliser(value, default_region)


def _write(value: Any, out: list[str]) -> None:
    """Append the JSON text of a profile value: exact numbers, dates ISO 8601."""
    if isinstance(value, Decimal):
        # a JSON number with exactly the value's digits (json.dumps would go through float)
        finite = value.is_finite()
        out.append(format(value.normalize(), "f") if finite else "null")
    elif isinstance(value, float) and not math.isfinite(value):
        out.append("null")  # NaN and infinities have no JSON form
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        out.append(json.dumps(value.isoformat()))
    elif isinstance(value, Mapping):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append(("," if index else "") + json.dumps(str(key), ensure_ascii=False) + ":")
            _write(item, out)
        out.append("}")
    elif isinstance(value, list | tuple):
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            _write(item, out)
        out.append("]")
    else:
        out.append(json.dumps(value, ensure_ascii=False))


def encode_document(document: Mapping[str, Any]) -> str:
    """JSON text of a profile document, numbers exact (``Decimal("12.50")`` is ``12.5``).

    >>> encode_document({"revenue": Decimal("1E+2"), "as_of": dt.date(2024, 1, 31)})
    '{"revenue":100,"as_of":"2024-01-31"}'
    """
    out: list[str] = []
    _write(document, out)
    return "".join(out)


def decode_document(text: str) -> Document:
    """A document from its JSON text; fractional numbers come back as exact ``Decimal``."""
    document: Document = json.loads(text, parse_float=Decimal)
    return document


class OnlineReader(Protocol):
    """Read-only access (the decision path)."""

    capabilities: OnlineCapabilities

    def get(self, customer_id: str) -> Document | None:
        """The profile of ``customer_id``, or None."""

    def customers(self, kind: str, value: str) -> list[str]:
        """Customer ids holding identifier ``kind`` = ``value`` (normalised here)."""

    def close(self) -> None:
        """Release the connection."""


class OnlineWriter(Protocol):
    """Write access (the build)."""

    capabilities: OnlineCapabilities

    def replace_all(self, profiles: Iterable[tuple[str, Document]],
                    identifiers: Iterable[IdentifierRow]) -> int:
        """Replace every profile and identifier at once; returns the profiles written."""

    def upsert(self, customer_id: str, document: Document,
               identifiers: Iterable[tuple[str, str]] = ()) -> None:
        """Write one profile and add its ``(kind, normalised value)`` identifiers."""

    def close(self) -> None:
        """Release the connection."""


class OnlineStore(OnlineReader, OnlineWriter, Protocol):
    """A backend: both sides (hand out only the side a caller needs)."""


#: Backend name -> "module:class" (imported on open).
BACKENDS = {
    "memory": "accord.online.memory:MemoryOnlineStore",
    "sqlite": "accord.online.sqlite:SqliteOnlineStore",
}


def open_online(kind: str = "sqlite", path: Path | str | None = None, *,
                read_only: bool = False, default_region: str = "GB") -> OnlineStore:
    """Open the online store of backend ``kind`` (``path``: its file, when it has one)."""
    target = BACKENDS.get(kind)
    if target is None:
        raise ConfigError(f"unknown online store {kind!r}; known: {', '.join(BACKENDS)}")
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    store: OnlineStore = cls(path, read_only=read_only, default_region=default_region)
    return store


def resolve(reader: OnlineReader, key: str) -> Document:
    """The profile for ``key``: a customer id, or else a value of any identifier kind.

    Raises:
        ProfileLookupError: when nothing matches, or the identifier belongs to several customers.
    """
    found = reader.get(key)
    if found is not None:
        return found
    for kind in IDENTIFIER_KINDS:
        customers = reader.customers(kind, key)
        if len(customers) > 1:
            raise ProfileLookupError(f"{kind} {key!r} belongs to {len(customers)} customers: "
                              f"{', '.join(customers[:5])}")
        if customers:
            document = reader.get(customers[0])
            if document is not None:
                return document
    raise ProfileLookupError(f"no profile with customer id or identifier {key!r}")
