"""Multi-source customer records with known truth, for identity resolution tests and benches.

Three sources describe the same people: ``crm`` (contacts), ``shop`` (orders) and
``service`` (tickets). Each person has one e-mail address and one phone number (unique to
them), and CRM contacts have an id that orders and tickets may carry as ``customer_ref``.
The sources write them the way real ones do: e-mails in upper, capitalised or padded form,
phones as ``+44 7812 345678``, ``07812 345678``, ``(07812) 345-678``, ``0044 ...``,
``+44 (0)...`` and so on, refs with stray spaces; some records lack identifiers, some carry
junk (``test@example.com``, the shop's own phone number, ``n/a``). The person behind every
record is kept aside in :attr:`IdentityData.truth` for scoring.

Generation is vectorised (numpy draws, Arrow compute for strings): a million records take a
few seconds, the same for the same seed.

>>> data = generate_identity_data(1_000, seed=1)
>>> data.records, sorted(data.tables)
(1000, ['crm', 'service', 'shop'])
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sqlglot import exp

from accord.project.config import ENTITY_FIELDS, Entity, Identity, Project, Source
from accord.store.base import AnalyticalStore

__all__ = ["SOURCES", "IdentityData", "Scores", "generate_identity_data", "identity_project",
           "pairwise_scores", "write_to_store"]

#: The generated sources and their entities.
SOURCES: dict[str, Entity] = {"crm": Entity.CONTACTS, "shop": Entity.ORDERS,
                              "service": Entity.TICKETS}

#: Junk every shared identifier guard must catch.
JUNK_EMAIL = "test@example.com"
JUNK_PHONE = "+44 20 7946 0000"

_FIRST = ["Olivia", "Amelia", "Isla", "Ava", "Mia", "Noah", "Oliver", "George", "Arthur",
          "Leo", "Harry", "Oscar", "Sophia", "Grace", "Lily", "Freya", "Jack", "Charlie",
          "Thomas", "Jacob", "Emily", "Ella", "Zara", "Priya", "Mohammed", "Aisha"]
_LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
         "Patel", "Wright", "Evans", "Walker", "Khan", "Roberts", "Thompson", "Hughes",
         "Green", "Lewis", "Wood", "Harris", "Martin", "Clarke", "Ahmed", "Singh"]
_DOMAINS = ["example.co.uk", "mail.example.com", "example.org", "post.example.net"]
_TOPICS = ["delivery", "refund", "billing", "account", "product"]
_EPOCH = np.datetime64("2024-01-01T00:00:00", "s")


@dataclass(frozen=True)
class IdentityData:
    """Generated records and the truth behind them.

    Attributes:
        tables: source -> its records (canonical field names; other fields absent).
        truth: ``source, source_id, person`` for every record.
        persons: how many people could appear (some have no record).
    """

    tables: dict[str, pa.Table]
    truth: pa.Table
    persons: int

    @property
    def records(self) -> int:
        """How many records in all sources."""
        return sum(table.num_rows for table in self.tables.values())


def _strings(values: np.ndarray) -> pa.Array:
    return pa.array(values).cast(pa.string())


def _padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(_strings(numbers), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, digits, "")


def _join(*parts: pa.Array | str) -> pa.Array:
    return pc.binary_join_element_wise(*parts, "")


def _choose(rng: np.random.Generator, variants: list[pa.Array], weights: list[float]) \
        -> pa.Array:
    n = len(variants[0])
    index = rng.choice(len(variants), size=n, p=np.asarray(weights) / sum(weights))
    return pc.choose(pa.array(index.astype(np.int8)), *variants)


def _email_variants(rng: np.random.Generator, base: pa.Array) -> pa.Array:
    local_domain = pc.split_pattern(base, "@")
    local = pc.list_element(local_domain, 0)
    domain = pc.list_element(local_domain, 1)
    return _choose(rng, [
        base,
        pc.utf8_upper(base),
        pc.utf8_capitalize(base),
        _join("  ", base, " "),
        _join(local, "@", pc.utf8_upper(domain)),
        _join(pc.utf8_capitalize(base), "\t"),
    ], [0.55, 0.08, 0.15, 0.08, 0.08, 0.06])


def _phone_variants(rng: np.random.Generator, nsn: pa.Array) -> pa.Array:
    """Ways of writing a UK national significant number (10 digits)."""
    a = pc.utf8_slice_codeunits(nsn, 0, 4)
    b = pc.utf8_slice_codeunits(nsn, 4, 7)
    c = pc.utf8_slice_codeunits(nsn, 7, 10)
    return _choose(rng, [
        _join("+44 ", a, " ", b, c),
        _join("0", a, " ", b, c),
        _join("(0", a, ") ", b, "-", c),
        _join("0044 ", a, " ", b, " ", c),
        _join("+44 (0)", a, " ", b, c),
        _join("+44", nsn),
        _join("0", a, ".", b, ".", c),
        _join(" 0", nsn, " "),
        _join("44", nsn),
    ], [0.2, 0.25, 0.1, 0.08, 0.07, 0.1, 0.05, 0.1, 0.05])


def _present(rng: np.random.Generator, values: pa.Array, share: float) -> pa.Array:
    keep = pa.array(rng.random(len(values)) < share)
    return pc.if_else(keep, values, pa.scalar(None, pa.string()))


def _junk(rng: np.random.Generator, values: pa.Array, count: int, junk: list[str]) -> pa.Array:
    """Replace ``count`` random values by junk variants."""
    count = min(count, len(values))
    if count == 0:
        return values
    mask = np.zeros(len(values), dtype=bool)
    mask[rng.choice(len(values), size=count, replace=False)] = True
    filler = pa.array(rng.choice(junk, size=len(values)), pa.string())
    return pc.if_else(pa.array(mask), filler, values)


def _at(rng: np.random.Generator, n: int) -> pa.Array:
    seconds = rng.integers(0, 366 * 86_400, size=n)
    return pa.array(_EPOCH + seconds.astype("timedelta64[s]"), pa.timestamp("us"))


def generate_identity_data(records: int, *, seed: int = 20_240_601,
                           junk_share: float = 0.003, min_junk: int = 100) -> IdentityData:
    """Generate ``records`` records over three sources for about ``records / 3`` people.

    Args:
        records: total records (26 % contacts, 50 % orders, the rest tickets).
        seed: the random seed; equal seeds give equal data.
        junk_share: share of shop and service records whose e-mail or phone is junk.
        min_junk: at least this many records per junk kind, so that junk values are
            over-shared even in small data (the default guard allows 25).

    Returns:
        The records and the truth.
    """
    rng = np.random.default_rng(seed)
    persons = max(records // 3, 1)
    n_crm = round(records * 0.26)
    n_shop = round(records * 0.50)
    n_service = records - n_crm - n_shop

    # People: names, a unique e-mail (their number makes it unique) and a unique phone.
    person_ids = np.arange(persons, dtype=np.int64)
    first = np.asarray(_FIRST)[rng.integers(0, len(_FIRST), persons)]
    last = np.asarray(_LAST)[rng.integers(0, len(_LAST), persons)]
    email = _join(pc.utf8_lower(pa.array(first)), ".", pc.utf8_lower(pa.array(last)),
                  _strings(person_ids), "@",
                  pa.array(np.asarray(_DOMAINS)[rng.integers(0, len(_DOMAINS), persons)]))
    # 7919 is prime, so person * 7919 modulo a power of ten is unique per person: mobiles
    # in the 078 range (all valid), a few London landlines (020 7/8/3...).
    mobile = _padded("78", (person_ids * 7919 + 12_345) % 10**8, 8)
    landline = _join("20", pa.array(np.asarray(["7", "8", "3"])[person_ids % 3]),
                     pc.utf8_lpad(_strings((person_ids * 7919) % 10**7), width=7,
                                  padding="0"))
    nsn = pc.if_else(pa.array(rng.random(persons) < 0.15), landline, mobile)

    # CRM: most people have one contact, some two (registered twice).
    order = rng.permutation(persons)
    duplicates = n_crm // 25
    unique = min(n_crm - duplicates, persons)
    crm_person = np.concatenate([order[:unique],
                                 rng.choice(order[:unique], n_crm - unique)])
    crm_id = _padded("C", np.arange(n_crm), 8)
    ref = np.full(persons, -1, dtype=np.int64)
    ref[crm_person[:unique]] = np.arange(unique)  # a person's ref is their first contact
    crm_ids = crm_id.to_numpy(zero_copy_only=False)

    def identifiers(person: np.ndarray, email_share: float, phone_share: float
                    ) -> tuple[pa.Array, pa.Array]:
        emails = _present(rng, _email_variants(rng, email.take(pa.array(person))),
                          email_share)
        phones = _present(rng, _phone_variants(rng, nsn.take(pa.array(person))),
                          phone_share)
        # A record with neither gets its e-mail back, except a few that stay blank.
        neither = pc.and_(pc.is_null(emails), pc.is_null(phones))
        rescue = pc.and_(neither, pa.array(rng.random(len(person)) > 0.05))
        emails = pc.if_else(rescue, email.take(pa.array(person)), emails)
        return emails, phones

    crm_email, crm_phone = identifiers(crm_person, 0.96, 0.85)
    crm = pa.table({
        "source_id": crm_id, "customer_ref": crm_id, "email": crm_email, "phone": crm_phone,
        "first_name": pa.array(first[crm_person]), "last_name": pa.array(last[crm_person]),
        "updated_at": _at(rng, n_crm)})

    junk_count = max(round(junk_share * (n_shop + n_service)), min_junk)

    def with_ref(person: np.ndarray, share: float) -> pa.Array:
        has = (ref[person] >= 0) & (rng.random(person.size) < share)
        values = pa.array(np.where(has, crm_ids[np.maximum(ref[person], 0)], None),
                          pa.string())
        return _choose(rng, [values, _join(" ", values), _join(values, " ")], [0.8, 0.1, 0.1])

    shop_person = rng.integers(0, persons, n_shop)
    shop_email, shop_phone = identifiers(shop_person, 0.93, 0.5)
    shop = pa.table({
        "source_id": _padded("O", np.arange(n_shop), 9),
        "customer_ref": with_ref(shop_person, 0.55),
        "email": _junk(rng, shop_email, junk_count,
                       [JUNK_EMAIL, "TEST@example.com", " test@example.com"]),
        "phone": _junk(rng, shop_phone, junk_count, [JUNK_PHONE, "020 7946 0000", "n/a"]),
        "ordered_at": _at(rng, n_shop),
        "total": pa.array(rng.integers(500, 50_000, n_shop) / 100).cast(pa.decimal128(18, 2))})

    service_person = rng.integers(0, persons, n_service)
    service_email, service_phone = identifiers(service_person, 0.88, 0.7)
    service = pa.table({
        "source_id": _padded("T", np.arange(n_service), 9),
        "customer_ref": with_ref(service_person, 0.2),
        "email": _junk(rng, service_email, junk_count // 2, [JUNK_EMAIL, "Test@Example.com"]),
        "phone": _junk(rng, service_phone, junk_count // 2, ["0000", "n/a", JUNK_PHONE]),
        "opened_at": _at(rng, n_service),
        "topic": pa.array(np.asarray(_TOPICS)[rng.integers(0, len(_TOPICS), n_service)])})

    tables = {"crm": crm, "shop": shop, "service": service}
    truth = pa.concat_tables([
        pa.table({"source": pa.repeat(pa.scalar(source), table.num_rows),
                  "source_id": table.column("source_id"),
                  "person": pa.array(person, pa.int64())})
        for (source, table), person in zip(tables.items(),
                                           (crm_person, shop_person, service_person),
                                           strict=True)])
    return IdentityData(tables=tables, truth=truth, persons=persons)


def identity_project(name: str = "identity-data", identity: Identity | None = None) -> Project:
    """A project declaring the generated sources (as CSV files, never read)."""
    sources = {source: Source(entity=entity, type="csv", path=f"data/{source}.csv",
                              columns={field: field for field in ENTITY_FIELDS[entity]})
               for source, entity in SOURCES.items()}
    return Project(name=name, sources=sources, identity=identity or Identity())


def _quoted(name: str) -> exp.Table:
    return exp.Table(this=exp.to_identifier(name, quoted=True))


def write_to_store(data: IdentityData, store: AnalyticalStore, *, truth: bool = True,
                   batch: str = "generated",
                   loaded_at: dt.datetime = dt.datetime(2024, 12, 31)) -> None:
    """Write the records as ingest would: ``raw_<source>`` tables with every canonical field
    and the lineage columns, and one view per entity (canonical fields and ``_source``).

    Args:
        data: the generated records.
        store: the analytical store.
        truth: also write ``identity_truth`` (``source, source_id, person``) for scoring.
        batch: the ``_batch`` value of the rows.
        loaded_at: the ``_loaded_at`` value of the rows.
    """
    with store.transaction():
        for source, table in data.tables.items():
            entity = SOURCES[source]
            scratch = f"_generated_{source}"
            store.write(scratch, table, mode="replace")
            fields = ENTITY_FIELDS[entity]
            columns = [exp.alias_(exp.cast(exp.column(name, quoted=True) if name in
                                           table.column_names else exp.null(),
                                           exp.DataType.build(type_name, dialect="duckdb")),
                                  name, quoted=True)
                       for name, type_name in fields.items()]
            lineage = [exp.alias_(exp.Literal.string(source), "_source"),
                       exp.alias_(exp.Literal.string(batch), "_batch"),
                       exp.alias_(exp.Literal.string(f"data/{source}.csv"), "_file"),
                       exp.alias_(exp.cast(exp.Window(this=exp.RowNumber()),
                                           exp.DataType.build("BIGINT")), "_line"),
                       exp.alias_(exp.cast(exp.Literal.string(loaded_at.isoformat(" ")),
                                           exp.DataType.build("TIMESTAMP")), "_loaded_at")]
            store.execute(exp.Create(
                this=_quoted(f"raw_{source}"), kind="TABLE", replace=True,
                expression=exp.select(*columns, *lineage).from_(_quoted(scratch))))
            store.execute(exp.Drop(tables=[_quoted(scratch)], kind="TABLE", exists=True))
            view = exp.select(*(exp.column(name, quoted=True) for name in fields),
                              exp.column("_source")).from_(_quoted(f"raw_{source}"))
            store.execute(exp.Create(this=_quoted(entity.value), kind="VIEW", replace=True,
                                     expression=view))
        if truth:
            store.write("identity_truth", data.truth, mode="replace")


@dataclass(frozen=True, slots=True)
class Scores:
    """Pairwise precision and recall of an identity map against the truth.

    Attributes:
        true_pairs: pairs of records of the same person.
        found_pairs: pairs of records given the same customer id.
        correct_pairs: pairs that are both.
    """

    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float:
        """Share of found pairs that are true (1.0 when none were found)."""
        return self.correct_pairs / self.found_pairs if self.found_pairs else 1.0

    @property
    def recall(self) -> float:
        """Share of true pairs that were found (1.0 when there are none)."""
        return self.correct_pairs / self.true_pairs if self.true_pairs else 1.0


def pairwise_scores(store: AnalyticalStore, truth_table: str = "identity_truth") -> Scores:
    """Score ``identity_map`` against the truth without enumerating pairs: a group of ``n``
    records holds ``n * (n - 1) / 2`` pairs, so each count is a sum over groups."""
    joined = (exp.select("t.person", "m.customer_id")
              .from_(exp.alias_(_quoted(truth_table), "t"))
              .join(exp.alias_(_quoted("identity_map"), "m"),
                    on="m.source = t.source AND m.source_id = t.source_id"))

    def pairs(*keys: str) -> exp.Expression:
        groups = exp.select("count(*) AS n").from_(joined.subquery("j")).group_by(*keys)
        total = exp.select("coalesce(sum(n * (n - 1)) // 2, 0)", dialect="duckdb")
        return total.from_(groups.subquery("g")).subquery()

    row = store.query(exp.select(exp.alias_(pairs("person"), "true_pairs"),
                                 exp.alias_(pairs("customer_id"), "found_pairs"),
                                 exp.alias_(pairs("person", "customer_id"), "correct_pairs")))
    values = {name: int(row.column(name)[0].as_py()) for name in row.column_names}
    return Scores(**values)
