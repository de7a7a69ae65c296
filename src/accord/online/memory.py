"""The in-memory online store: for tests and single-process use.

Documents are kept as JSON text, as the SQLite store keeps them, so both return the same
values; ``replace_all`` builds new dictionaries and swaps them in one assignment.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from accord.online.base import (
    Document,
    IdentifierRow,
    OnlineCapabilities,
    decode_document,
    encode_document,
    normalise_identifier,
)

__all__ = ["MemoryOnlineStore"]


class MemoryOnlineStore:
    """An online store in a dictionary (``path`` and ``read_only`` are accepted, unused)."""

    capabilities = OnlineCapabilities(persistent=False, atomic_replace=True, shared=False)

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False,
                 default_region: str = "GB") -> None:
        self.default_region = default_region
        self._state: tuple[dict[str, str], dict[tuple[str, str], list[str]]] = ({}, {})

    def get(self, customer_id: str) -> Document | None:
        text = self._state[0].get(customer_id)
        return decode_document(text) if text is not None else None

    def customers(self, kind: str, value: str) -> list[str]:
        normalised = normalise_identifier(kind, value, self.default_region)
        if normalised is None:
            return []
        return sorted(self._state[1].get((kind, normalised), []))

    def replace_all(self, profiles: Iterable[tuple[str, Document]],
                    identifiers: Iterable[IdentifierRow]) -> int:
        documents = {customer: encode_document(doc) for customer, doc in profiles}
        index: dict[tuple[str, str], list[str]] = {}
        for kind, value, customer in identifiers:
            holders = index.setdefault((kind, value), [])
            if customer not in holders:
                holders.append(customer)
        self._state = (documents, index)  # one assignment: readers see old or new
        return len(documents)

    def upsert(self, customer_id: str, document: Document,
               identifiers: Iterable[tuple[str, str]] = ()) -> None:
        self._state[0][customer_id] = encode_document(document)
        for kind, value in identifiers:
            holders = self._state[1].setdefault((kind, value), [])
            if customer_id not in holders:
                holders.append(customer_id)

    def close(self) -> None:
        pass
