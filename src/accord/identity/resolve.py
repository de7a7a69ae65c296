"""``run_identity``: normalise identifiers, link records, keep customer ids stable.

The step reads the per-entity views (``contacts``, ``orders``, ``events``, ``tickets``; order
lines carry their order's id and are skipped) and writes, in one store transaction:

* ``identifiers`` (replaced): ``source, source_id, kind, value, raw``, one row per record and
  normalised value (raw text that is no valid identifier is left out and counted);
* ``identity_map`` (replaced): ``source, source_id, customer_id`` for every record;
* ``identity_merges`` (appended): ``survivor, merged, at, reason``;
* ``identity_ignored`` (replaced): ``kind, value, records``, the over-shared values.

API events (``POST /v1/events``, a source of the ``events`` view) name their customer by the
hub's own customer id (the one decisions and profiles give, and what the API takes verbatim at
request time). That id is no identifier of a person but a link to the customer it named: each
such previous customer's first record still present that was not itself sent with a hub id
(its *anchor*) carries its id, and the ids merged into it, as a node of the built-in link
:data:`HUB_KIND`, and every API event carries the id it was sent with, so the graph joins the
events to that customer's component like any shared identifier would. One anchor per
customer adds no link between a customer's own records, so splits and merges stay what the
configured rules make them. An id the hub never gave (or an event before the first build)
links only the events sent with it, into a customer of their own.

SQL does the bulk work (normalising e-mails and ids, collapsing phone variants, coding records
and values as integers); Python runs ``phonenumbers`` once per distinct phone key, then the
pure :func:`~accord.identity.graph.connect` and :func:`~accord.identity.stable_ids.assign_ids`.
Scratch tables are named ``_identity_*`` and dropped before the transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from accord.clock import Clock
from accord.connectors.tables import HUB_CUSTOMER
from accord.identity import graph, rules
from accord.identity.normalise import (
    email_sql,
    id_sql,
    phone_prefixes,
    phone_rewrite_sql,
    phone_strip_sql,
)
from accord.identity.phones import normalise_phone_keys
from accord.identity.stable_ids import Merge, assign_ids
from accord.progress import Progress
from accord.project.config import Entity, Project
from accord.store import AnalyticalStore

#: Entities whose records are people's records (order lines belong to their order).
IDENTITY_ENTITIES: tuple[Entity, ...] = (Entity.CONTACTS, Entity.ORDERS, Entity.EVENTS,
                                         Entity.TICKETS)

#: Kind -> SQL normaliser of the raw column; phones are looked up instead (see normalise).
SQL_NORMALISERS: dict[str, Callable[[exp.Expression], exp.Expression]] = {
    "email": email_sql,
    "customer_ref": id_sql,
}

#: The built-in link of API events to the customer whose hub id they carry (see above).
HUB_KIND = "customer_id"
#: Its name in reasons and explanations.
HUB_RULE = "hub_customer_id"

RECORDS = "_identity_records"
HUB = "_identity_hub"
SENT = "_identity_sent"
ALIASES = "_identity_aliases"
LINKS = "_identity_links"
RAW = "_identity_raw"
PHONE_RAW = "_identity_phone_raw"
PHONE_KEYS = "_identity_phone_keys"
VALUED = "_identity_valued"
VALUES = "_identity_values"
WANTED = "_identity_wanted"
SCRATCH = (RECORDS, RAW, PHONE_RAW, PHONE_KEYS, VALUED, VALUES, WANTED, HUB, SENT,
           ALIASES, LINKS)

MERGES_SCHEMA = pa.schema([("survivor", pa.string()), ("merged", pa.string()),
                           ("at", pa.timestamp("us")), ("reason", pa.string())])
IGNORED_SCHEMA = pa.schema([("kind", pa.string()), ("value", pa.string()),
                            ("records", pa.int64())])


@dataclass(frozen=True, slots=True)
class IgnoredIdentifier:
    """An identifier value carried by too many records to link them."""

    kind: str
    value: str
    records: int


@dataclass(frozen=True)
class IdentityReport:
    """What one identity build did.

    Attributes:
        records: records given a customer id.
        identifiers: (record, normalised value) rows written to ``identifiers``.
        invalid: per kind, raw values that normalised to nothing (not a number, no ``@``).
        phone_lookups: distinct phone keys ``phonenumbers`` was run on.
        customers: distinct customer ids.
        kept: previous customers that kept their id.
        created: customers with a new id.
        merges: merges recorded by this build.
        split: previous customers whose records came apart (see ``stable_ids``).
        links: per rule name, identifier values linking two or more records.
        ignored: over-shared values, most shared first.
    """

    records: int
    identifiers: int
    invalid: dict[str, int]
    phone_lookups: int
    customers: int
    kept: int
    created: int
    merges: tuple[Merge, ...]
    split: tuple[str, ...]
    links: dict[str, int]
    ignored: tuple[IgnoredIdentifier, ...] = field(default=())


def _lit(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def _create(name: str, query: exp.Expression) -> exp.Create:
    return exp.Create(this=exp.to_table(name), kind="TABLE", replace=True, expression=query)


def _drop(name: str) -> exp.Drop:
    return exp.Drop(tables=[exp.to_table(name)], kind="TABLE", exists=True)


def entity_columns(store: AnalyticalStore) -> dict[Entity, set[str]]:
    """The identity entities present in the store and their columns."""
    present = set(store.tables())
    found: dict[Entity, set[str]] = {}
    for entity in IDENTITY_ENTITIES:
        if entity.value not in present:
            continue
        query = (exp.select("column_name").from_("information_schema.columns")
                 .where(exp.column("table_name").eq(_lit(entity.value)))
                 .where(exp.column("table_schema").eq(_lit("main"))))
        columns = set(store.query(query).column("column_name").to_pylist())
        if {"_source", "source_id"} <= columns:
            found[entity] = columns
    return found


def _union(queries: list[exp.Select], *, distinct: bool) -> exp.Expression:
    result: exp.Expression = queries[0]
    for query in queries[1:]:
        result = exp.union(result, query, distinct=distinct)
    return result


def _records_sql(entities: dict[Entity, set[str]]) -> exp.Expression:
    branches = [exp.select("_source AS source", "source_id").from_(entity.value)
                .where("source_id IS NOT NULL AND _source IS NOT NULL")
                for entity in entities]
    if not branches:
        branches = [exp.select("CAST(NULL AS VARCHAR) AS source",
                               "CAST(NULL AS VARCHAR) AS source_id").where("FALSE")]
    return (exp.select("source", "source_id",
                       "CAST(row_number() OVER (ORDER BY source, source_id) - 1 AS BIGINT) AS rec")
            .from_(exp.Subquery(this=_union(branches, distinct=True),
                                alias=exp.TableAlias(this=exp.to_identifier("r")))))


def _raw_sql(entities: dict[Entity, set[str]]) -> exp.Expression:
    branches: list[exp.Select] = []
    for entity, columns in entities.items():
        for kind in rules.IDENTIFIER_KINDS:
            if kind not in columns:
                continue
            raw = exp.cast(exp.column(kind), exp.DataType.build("VARCHAR"))
            normaliser = SQL_NORMALISERS.get(kind)
            value = normaliser(raw.copy()) if normaliser else exp.cast(
                exp.null(), exp.DataType.build("VARCHAR"))
            branches.append(
                exp.select("_source AS source", "source_id",
                           exp.alias_(_lit(kind), "kind"), exp.alias_(raw, "raw"),
                           exp.alias_(value, "value"))
                .from_(entity.value)
                .where(exp.and_(exp.column(kind).is_(exp.null()).not_(),
                                "source_id IS NOT NULL AND _source IS NOT NULL")))
    if not branches:
        branches = [exp.select(*(f"CAST(NULL AS VARCHAR) AS {name}"
                                 for name in ("source", "source_id", "kind", "raw", "value")))
                    .where("FALSE")]
    return _union(branches, distinct=False)


def hub_scope(settings_rules: int) -> rules.RuleScope:
    """The built-in scope linking API events by hub customer id: after the project's rules,
    every source."""
    return rules.RuleScope(rule=settings_rules, name=HUB_RULE, kind=HUB_KIND, sources=None)


def _hub_sent_sql(entities: dict[Entity, set[str]]) -> exp.Select | None:
    """``(source, source_id, kind, value)`` of records sent with a hub customer id."""
    columns = entities.get(Entity.EVENTS, set())
    if HUB_CUSTOMER not in columns:
        return None
    value = id_sql(exp.cast(exp.column(HUB_CUSTOMER, quoted=True),
                            exp.DataType.build("VARCHAR")))
    return (exp.select("_source AS source", "source_id", exp.alias_(_lit(HUB_KIND), "kind"),
                       exp.alias_(value, "value"))
            .from_(Entity.EVENTS.value)
            .where("source_id IS NOT NULL AND _source IS NOT NULL"))


def _anchors_sql() -> exp.Select:
    """The first record still present, and not itself sent with a hub id, of each previous
    customer some record was sent with (by its id or an id merged into it, :data:`ALIASES`),
    carrying that id, as ``(source, source_id, kind, value)``. Only customers named by a
    sent record get an anchor: a build without API events adds nothing to the graph."""
    sent = exp.select("value").from_(SENT)
    wanted = exp.union(sent.copy(), exp.select("survivor").from_(ALIASES)
                       .where(exp.column("merged").isin(query=sent.copy())), distinct=True)
    # a record sent with a hub id is in its customer by that link alone: anchoring the
    # customer to it would let its events float off with it on the next build
    first = (exp.select("m.customer_id", "min(r.rec) AS rec")
             .from_("identity_map AS m")
             .join(f"{RECORDS} AS r", on="r.source = m.source AND r.source_id = m.source_id")
             .join(f"{SENT} AS s", on="s.source = r.source AND s.source_id = r.source_id",
                   join_type="left")
             .where(exp.and_(exp.column("customer_id", table="m").isin(query=wanted),
                             "s.source IS NULL"))
             .group_by("m.customer_id"))
    names = exp.union(exp.select("customer_id", "customer_id AS value").from_("anchors"),
                      exp.select("survivor AS customer_id", "merged AS value").from_(ALIASES),
                      distinct=False)
    return (exp.select("r.source", "r.source_id", exp.alias_(_lit(HUB_KIND), "kind"),
                       "n.value")
            .from_("anchors AS a")
            .join(names.subquery("n"), on="n.customer_id = a.customer_id")
            .join(f"{RECORDS} AS r", on="r.rec = a.rec")
            .where(exp.column("value", table="n").isin(query=sent.copy()))
            .with_("anchors", as_=first))


def _aliases(store: AnalyticalStore, tables: set[str]) -> pa.Table:
    """Merged id -> the id that finally survived it (merges recorded in several builds
    chain: a survivor may itself be merged later), leaving out ids in use again."""
    survivor: dict[str, str] = {}
    if "identity_merges" in tables:
        for row in store.query(exp.select("survivor", "merged").from_("identity_merges")
                               .order_by("at")).to_pylist():
            survivor[str(row["merged"])] = str(row["survivor"])
    live: set[str] = set()
    if "identity_map" in tables and survivor:
        live = {str(v) for v in store.query(exp.select("customer_id").distinct()
                                            .from_("identity_map")).column(0).to_pylist()}
    pairs: list[tuple[str, str]] = []
    for merged in survivor:
        if merged in live:
            continue
        final, seen = survivor[merged], {merged}
        while final in survivor and final not in seen and final not in live:
            seen.add(final)
            final = survivor[final]
        pairs.append((final, merged))
    return pa.table({"survivor": pa.array([p[0] for p in pairs], pa.string()),
                     "merged": pa.array([p[1] for p in pairs], pa.string())})


def _hub_links(store: AnalyticalStore, entities: dict[Entity, set[str]]) -> None:
    """Fill :data:`HUB` with the hub-id links of API events and their anchors (empty when
    no record was sent with a hub id)."""
    empty = exp.select(*(f"CAST(NULL AS VARCHAR) AS {name}"
                         for name in ("source", "source_id", "kind", "value"))).where("FALSE")
    sent = _hub_sent_sql(entities)
    parts: list[exp.Select] = [empty]
    if sent is not None:
        store.execute(_create(SENT, exp.select("*").from_(sent.subquery("s"))
                              .where("value IS NOT NULL")))
        parts.append(exp.select("*").from_(SENT))
        tables = set(store.tables())
        if "identity_map" in tables and _count(store, exp.select("count(*)").from_(SENT)):
            store.write(ALIASES, _aliases(store, tables), mode="replace")
            parts.append(exp.select("*").from_(_anchors_sql().subquery("anchored")))
    store.execute(_create(HUB, _union(parts, distinct=True)))


def _normalise_phones(store: AnalyticalStore, region: str, progress: Progress) -> int:
    """Fill ``value`` of phone rows; returns how many distinct keys were looked up."""
    prefixes = phone_prefixes(region)
    distinct_raw = (exp.select("raw").distinct().from_(RAW)
                    .where(exp.column("kind").eq(_lit("phone"))))
    stripped = exp.select("raw", exp.alias_(phone_strip_sql(exp.column("raw")), "stripped")) \
        .from_(distinct_raw.subquery("d"))
    keyed = exp.select("raw", exp.alias_(phone_rewrite_sql(exp.column("stripped"), prefixes),
                                         "key")).from_(stripped.subquery("s"))
    store.execute(_create(PHONE_RAW, keyed))
    keys = store.query(exp.select("key").distinct().from_(PHONE_RAW)).column("key").to_pylist()
    task = progress.task("identity: normalising phone numbers", total=len(keys))
    values = normalise_phone_keys(keys, region, done=task.advance)
    task.done()
    store.write(PHONE_KEYS, pa.table({"key": pa.array(keys, pa.string()),
                                      "value": pa.array(values, pa.string())}),
                mode="replace")
    # Every raw row with its value: e-mails and ids from SQL, phones from the lookup.
    valued = (exp.select("r.source", "r.source_id", "r.kind", "r.raw",
                         "CASE WHEN r.kind = 'phone' THEN k.value ELSE r.value END AS value")
              .from_(f"{RAW} AS r")
              .join(f"{PHONE_RAW} AS p", on="r.kind = 'phone' AND p.raw = r.raw",
                    join_type="left")
              .join(f"{PHONE_KEYS} AS k", on="k.key = p.key", join_type="left"))
    store.execute(_create(VALUED, valued))
    return len(keys)


def _identifiers_sql() -> exp.Expression:
    return (exp.select("source", "source_id", "kind", "value", "min(raw) AS raw").from_(VALUED)
            .where("value IS NOT NULL").group_by("source", "source_id", "kind", "value"))


def _values_sql(scopes: list[rules.RuleScope]) -> exp.Expression:
    """Integer codes of the values that rules use, in (kind, value) order."""
    kinds = sorted({scope.kind for scope in scopes})
    used = (exp.select("kind", "value").distinct().from_(LINKS)
            .where(exp.column("kind").isin(*(_lit(kind) for kind in kinds)) if kinds
                   else exp.false()))
    return exp.select("kind", "value",
                      "CAST(row_number() OVER (ORDER BY kind, value) - 1 AS BIGINT) AS ident") \
        .from_(used.subquery("u"))


def _edges_sql(scopes: list[rules.RuleScope]) -> exp.Expression:
    return (exp.select("r.rec", "v.ident", "s.rule")
            .from_(f"{LINKS} AS i")
            .join(f"{RECORDS} AS r", on="r.source = i.source AND r.source_id = i.source_id")
            .join(f"{VALUES} AS v", on="v.kind = i.kind AND v.value = i.value")
            .join(rules.scopes_sql(scopes),
                  on="s.kind = i.kind AND (s.source IS NULL OR s.source = i.source)"))


def _labels(store: AnalyticalStore, idents: np.ndarray) -> dict[int, tuple[str, str]]:
    """(kind, value) of identifier codes."""
    if idents.size == 0:
        return {}
    store.write(WANTED, pa.table({"ident": pa.array(np.unique(idents), pa.int64())}),
                mode="replace")
    table = store.query(exp.select("v.ident", "v.kind", "v.value")
                        .from_(f"{VALUES} AS v").join(f"{WANTED} AS w", on="w.ident = v.ident"))
    return {int(i): (k, v) for i, k, v in zip(table.column("ident").to_pylist(),
                                               table.column("kind").to_pylist(),
                                               table.column("value").to_pylist(), strict=True)}


def _previous(store: AnalyticalStore, n_records: int) -> tuple[np.ndarray, list[str]]:
    previous = np.full(n_records, -1, dtype=np.int64)
    if "identity_map" not in store.tables():
        return previous, []
    table = store.query(exp.select("r.rec", "m.customer_id").from_(f"{RECORDS} AS r")
                        .join("identity_map AS m",
                              on="m.source = r.source AND m.source_id = r.source_id"))
    encoded = pc.dictionary_encode(table.column("customer_id")).combine_chunks()
    rec = table.column("rec").to_numpy()
    previous[rec] = encoded.indices.to_numpy(zero_copy_only=False)
    return previous, [str(v) for v in encoded.dictionary.to_pylist()]


def _count(store: AnalyticalStore, query: exp.Expression) -> int:
    return int(store.query(query).column(0)[0].as_py() or 0)


def run_identity(project: Project, store: AnalyticalStore, *, clock: Clock,
                 progress: Progress) -> IdentityReport:
    """Resolve identities over every record in the store (see the module docstring).

    Args:
        project: the project (its ``identity`` settings are used).
        store: the analytical store, holding the per-entity views.
        clock: dates the merges.
        progress: reports the phases.

    Returns:
        What was linked, kept, created, merged and ignored.

    Raises:
        ConfigError: a rule is declared twice or names an unknown source.
    """
    rules.check_rules(project)
    settings = project.identity
    # the project's rules, then the built-in hub-id link (its rule index follows theirs)
    scopes = [*rules.rule_scopes(settings), hub_scope(len(settings.rules))]
    n_rules = len(settings.rules) + 1
    at = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
    with store.transaction():
        entities = entity_columns(store)
        task = progress.task("identity: reading identifiers")
        store.execute(_create(RECORDS, _records_sql(entities)))
        store.execute(_create(RAW, _raw_sql(entities)))
        task.done()
        phone_lookups = _normalise_phones(store, settings.default_region, progress)
        invalid_rows = store.query(exp.select("kind", "count(*) AS n").from_(VALUED)
                                   .where("value IS NULL").group_by("kind"))
        invalid = dict(zip(invalid_rows.column("kind").to_pylist(),
                           invalid_rows.column("n").to_pylist(), strict=True))
        store.execute(_create("identifiers", _identifiers_sql()))
        _hub_links(store, entities)
        store.execute(_create(LINKS, _union(
            [exp.select("source", "source_id", "kind", "value").from_("identifiers"),
             exp.select("source", "source_id", "kind", "value").from_(HUB)], distinct=False)))

        task = progress.task("identity: linking records")
        store.execute(_create(VALUES, _values_sql(scopes)))
        edges = store.query(_edges_sql(scopes))
        n_records = _count(store, exp.select("count(*)").from_(RECORDS))
        components = graph.connect(
            n_records, edges.column("rec").to_numpy(), edges.column("ident").to_numpy(),
            edges.column("rule").to_numpy(), n_rules=n_rules,
            max_group_size=settings.max_group_size)
        task.done()

        task = progress.task("identity: assigning customer ids", total=n_records)
        previous, previous_ids = _previous(store, n_records)
        bridges = graph.bridging_nodes(components.edge_record, components.edge_node,
                                       previous, len(previous_ids))
        wanted = np.concatenate([components.ignored, bridges[bridges >= 0] // n_rules])
        labels = _labels(store, wanted)

        def reason(prev: int) -> str:
            node = int(bridges[prev])
            if node < 0:
                return ""
            kind, value = labels[node // n_rules]
            return f"{kind}:{value}"

        records = store.query(exp.select("source", "source_id").from_(RECORDS).order_by("rec"))
        sources = records.column("source").to_numpy(zero_copy_only=False)
        source_ids = records.column("source_id").to_numpy(zero_copy_only=False)
        assignment = assign_ids(components.labels, previous, previous_ids, sources,
                                source_ids, at=clock.now(), reason=reason)
        task.advance(n_records)
        task.done()

        store.write("identity_map", pa.table({
            "source": records.column("source"), "source_id": records.column("source_id"),
            "customer_id": pa.array(assignment.customer_ids, pa.string())}), mode="replace")
        store.write("identity_merges", pa.table({
            "survivor": [m.survivor for m in assignment.merges],
            "merged": [m.merged for m in assignment.merges],
            "at": [at] * len(assignment.merges),
            "reason": [m.reason for m in assignment.merges]}, schema=MERGES_SCHEMA),
            mode="append")
        ignored = sorted(
            (IgnoredIdentifier(*labels[int(code)], records=int(count))
             for code, count in zip(components.ignored, components.ignored_records,
                                    strict=True)),
            key=lambda item: (-item.records, item.kind, item.value))
        store.write("identity_ignored", pa.table({
            "kind": [i.kind for i in ignored], "value": [i.value for i in ignored],
            "records": [i.records for i in ignored]}, schema=IGNORED_SCHEMA), mode="replace")
        n_identifiers = _count(store, exp.select("count(*)").from_("identifiers"))
        for name in SCRATCH:
            store.execute(_drop(name))

    return IdentityReport(
        records=n_records, identifiers=n_identifiers,
        invalid={str(k): int(v) for k, v in invalid.items()}, phone_lookups=phone_lookups,
        customers=components.count, kept=assignment.kept, created=assignment.created,
        merges=assignment.merges, split=assignment.split,
        links={rule.name: int(components.links[i]) for i, rule in enumerate(settings.rules)},
        ignored=tuple(ignored))
