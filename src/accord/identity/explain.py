"""``explain``: why a customer is the records it is.

An explanation lists the customer's records with their identifiers and a few key fields,
the *links* (values two or more of its records share, which is what joined them), the
over-shared values on its records that were not used, and its merge history. An id merged
away in an earlier build is followed to the customer it now belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlglot import exp

from accord.connectors.tables import HUB_CUSTOMER
from accord.errors import AccordError
from accord.identity.resolve import HUB_KIND, IDENTITY_ENTITIES, entity_columns
from accord.store import AnalyticalStore

#: Fields shown for a record of each entity, when its view has them.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "contacts": ("first_name", "last_name", "city", "updated_at"),
    "orders": ("ordered_at", "total", "currency", "status"),
    "events": ("type", "channel", "occurred_at"),
    "tickets": ("opened_at", "topic", "status"),
}


class UnknownCustomerError(AccordError):
    """No customer (and no merged-away customer) has this id, or identity never ran."""


@dataclass(frozen=True, slots=True)
class RecordIdentifier:
    """One normalised identifier on a record, with the text the source had."""

    kind: str
    value: str
    raw: str


@dataclass(frozen=True)
class ExplainedRecord:
    """A record of the customer."""

    source: str
    source_id: str
    entity: str
    identifiers: tuple[RecordIdentifier, ...]
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Link:
    """A value shared by several of the customer's records."""

    kind: str
    value: str
    records: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class MergeEvent:
    """A merge in the customer's history."""

    survivor: str
    merged: str
    at: dt.datetime
    reason: str


@dataclass(frozen=True)
class Explanation:
    """Everything :func:`explain` found.

    Attributes:
        customer_id: the customer explained.
        requested: the id asked for (an older id when it was merged away).
        records: the customer's records, by source and id.
        links: shared values, by kind and value.
        ignored: over-shared values on its records, as (kind, value, records carrying it).
        merges: merges into this customer (or along the way from ``requested``), oldest
            first.
    """

    customer_id: str
    requested: str
    records: tuple[ExplainedRecord, ...]
    links: tuple[Link, ...]
    ignored: tuple[tuple[str, str, int], ...]
    merges: tuple[MergeEvent, ...]


def _lit(text: str) -> exp.Literal:
    return exp.Literal.string(text)


def _merges(store: AnalyticalStore) -> list[MergeEvent]:
    if "identity_merges" not in store.tables():
        return []
    at = exp.column("at", quoted=True)  # AT is a keyword in DuckDB
    rows = store.query(exp.select("survivor", "merged", at, "reason")
                       .from_("identity_merges").order_by(at.copy(), "survivor", "merged"))
    return [MergeEvent(**row) for row in rows.to_pylist()]


def _current(store: AnalyticalStore, customer_id: str, merges: list[MergeEvent]) -> str:
    """Follow merges from ``customer_id`` to the id that holds its records now."""
    survivor_of = {m.merged: m.survivor for m in merges}
    seen = {customer_id}
    current = customer_id
    while current in survivor_of and survivor_of[current] not in seen:
        current = survivor_of[current]
        seen.add(current)
    query = (exp.select("count(*) AS n").from_("identity_map")
             .where(exp.column("customer_id").eq(_lit(current))))
    if not store.query(query).column("n")[0].as_py():
        raise UnknownCustomerError(f"no customer {customer_id!r}")
    return current


def _history(customer_id: str, requested: str, merges: list[MergeEvent]) \
        -> tuple[MergeEvent, ...]:
    """Merges into the customer, directly or through ids merged into it."""
    into: dict[str, list[MergeEvent]] = defaultdict(list)
    for merge in merges:
        into[merge.survivor].append(merge)
    found: list[MergeEvent] = []
    stack, seen = [customer_id], {customer_id, requested}
    while stack:
        for merge in into.get(stack.pop(), []):
            found.append(merge)
            if merge.merged not in seen:
                seen.add(merge.merged)
                stack.append(merge.merged)
    return tuple(sorted(found, key=lambda m: (m.at, m.survivor, m.merged)))


def explain(store: AnalyticalStore, customer_id: str) -> Explanation:
    """Explain a customer from the store's identity tables.

    Raises:
        UnknownCustomerError: identity has not run, or no customer has that id.
    """
    if "identity_map" not in store.tables():
        raise UnknownCustomerError("no identity map yet: run 'accord identity' first")
    merges = _merges(store)
    current = _current(store, customer_id, merges)
    is_customer = exp.column("customer_id", table="m").eq(_lit(current))

    identifiers: dict[tuple[str, str], list[RecordIdentifier]] = defaultdict(list)
    if "identifiers" in store.tables():
        rows = store.query(exp.select("i.source", "i.source_id", "i.kind", "i.value", "i.raw")
                           .from_("identifiers AS i")
                           .join("identity_map AS m",
                                 on="m.source = i.source AND m.source_id = i.source_id")
                           .where(is_customer).order_by("i.kind", "i.value"))
        for row in rows.to_pylist():
            identifiers[(row["source"], row["source_id"])].append(
                RecordIdentifier(kind=row["kind"], value=row["value"], raw=row["raw"]))

    records: list[ExplainedRecord] = []
    for entity, columns in entity_columns(store).items():
        if entity not in IDENTITY_ENTITIES:
            continue
        shown = [name for name in KEY_FIELDS.get(entity.value, ()) if name in columns]
        # an API event is in its customer by the hub id it was sent with: show it as such
        sent = [HUB_CUSTOMER] if HUB_CUSTOMER in columns else []
        query = (exp.select("v._source AS source", "v.source_id",
                            *(f"v.{name}" for name in [*shown, *sent]))
                 .from_(f"{entity.value} AS v")
                 .join("identity_map AS m",
                       on="m.source = v._source AND m.source_id = v.source_id")
                 .where(is_customer))
        seen: set[tuple[str, str]] = set()
        for row in store.query(query).to_pylist():
            key = (row["source"], row["source_id"])
            if key in seen:  # a record loaded twice (an updated contact) shows once
                continue
            seen.add(key)
            hub_id = str(row[HUB_CUSTOMER]).strip() if sent and row[HUB_CUSTOMER] else ""
            if hub_id:
                identifiers[key].append(RecordIdentifier(kind=HUB_KIND, value=hub_id,
                                                         raw=str(row[HUB_CUSTOMER])))
            records.append(ExplainedRecord(
                source=key[0], source_id=key[1], entity=entity.value,
                identifiers=tuple(identifiers.get(key, ())),
                fields={name: str(row[name]) for name in shown if row[name] is not None}))
    records.sort(key=lambda r: (r.source, r.source_id))

    ignored_values: dict[tuple[str, str], int] = {}
    if "identity_ignored" in store.tables():
        for row in store.query(exp.select("kind", "value", "records")
                               .from_("identity_ignored")).to_pylist():
            ignored_values[(row["kind"], row["value"])] = int(row["records"])

    carriers: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for key, found in identifiers.items():
        for identifier in found:
            carriers[(identifier.kind, identifier.value)].append(key)
    links = tuple(Link(kind=kind, value=value, records=tuple(sorted(keys)))
                  for (kind, value), keys in sorted(carriers.items())
                  if len(keys) > 1 and (kind, value) not in ignored_values)
    ignored = tuple(sorted((kind, value, ignored_values[(kind, value)])
                           for kind, value in carriers if (kind, value) in ignored_values))
    return Explanation(customer_id=current, requested=customer_id, records=tuple(records),
                       links=links, ignored=ignored,
                       merges=_history(current, customer_id, merges))


def render_text(explanation: Explanation) -> str:
    """The explanation as plain text (the CLI draws the same as a Rich tree)."""
    lines = [f"customer {explanation.customer_id}"]
    if explanation.requested != explanation.customer_id:
        lines.append(f"  ({explanation.requested} was merged into it)")
    lines.append(f"records ({len(explanation.records)}):")
    for record in explanation.records:
        fields = ", ".join(f"{k}={v}" for k, v in record.fields.items())
        lines.append(f"  {record.source}/{record.source_id} [{record.entity}]"
                     + (f" {fields}" if fields else ""))
        for identifier in record.identifiers:
            lines.append(f"    {identifier.kind}: {identifier.value} (raw {identifier.raw!r})")
    lines.append(f"links ({len(explanation.links)}):")
    for link in explanation.links:
        joined = ", ".join(f"{source}/{source_id}" for source, source_id in link.records)
        lines.append(f"  {link.kind} {link.value}: {joined}")
    if explanation.ignored:
        lines.append("ignored (over-shared):")
        for kind, value, count in explanation.ignored:
            lines.append(f"  {kind} {value}: on {count} records")
    if explanation.merges:
        lines.append("merges:")
        for merge in explanation.merges:
            lines.append(f"  {merge.at:%Y-%m-%d %H:%M} {merge.merged} into {merge.survivor}"
                         f" ({merge.reason})")
    return "\n".join(lines)
