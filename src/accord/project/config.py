"""The project file ``accord.yaml``: sources, identity rules, profile dimensions, segments.

Every model forbids unknown fields, so a typo is an error that names the field rather than a
setting silently ignored. :mod:`accord.project.loader` turns validation errors into messages
with the file, line and field.

The canonical entities every source maps to (:data:`ENTITY_FIELDS`) are what identity
resolution, profiles and segments read; a source maps its own column names onto them.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from accord.errors import FeelSyntaxError
from accord.feel.parser import parse_expression


class Entity(enum.StrEnum):
    """The canonical entities of the customer data hub."""

    CONTACTS = "contacts"
    ORDERS = "orders"
    ORDER_LINES = "order_lines"
    EVENTS = "events"
    TICKETS = "tickets"


#: Canonical fields of each entity and their types (DuckDB type names). ``source_id`` is the
#: record's id in its source; fields ending in ``_ref`` hold another system's id for the
#: customer (the shop's orders carry the CRM's contact id, say).
ENTITY_FIELDS: dict[Entity, dict[str, str]] = {
    Entity.CONTACTS: {
        "source_id": "VARCHAR", "customer_ref": "VARCHAR", "email": "VARCHAR",
        "phone": "VARCHAR", "first_name": "VARCHAR", "last_name": "VARCHAR",
        "birth_date": "DATE", "street": "VARCHAR", "city": "VARCHAR", "postcode": "VARCHAR",
        "country": "VARCHAR", "consent_email": "BOOLEAN", "consent_sms": "BOOLEAN",
        "created_at": "TIMESTAMP", "updated_at": "TIMESTAMP",
    },
    Entity.ORDERS: {
        "source_id": "VARCHAR", "customer_ref": "VARCHAR", "email": "VARCHAR",
        "phone": "VARCHAR", "ordered_at": "TIMESTAMP", "total": "DECIMAL(18,2)",
        "currency": "VARCHAR", "channel": "VARCHAR", "status": "VARCHAR",
        "country": "VARCHAR",
    },
    Entity.ORDER_LINES: {
        "source_id": "VARCHAR", "order_id": "VARCHAR", "customer_ref": "VARCHAR",
        "ordered_at": "TIMESTAMP", "product_id": "VARCHAR", "product_name": "VARCHAR",
        "category": "VARCHAR", "quantity": "DECIMAL(18,3)", "unit_price": "DECIMAL(18,4)",
        "country": "VARCHAR",
    },
    Entity.EVENTS: {
        "source_id": "VARCHAR", "customer_ref": "VARCHAR", "email": "VARCHAR",
        "anonymous_id": "VARCHAR", "type": "VARCHAR", "channel": "VARCHAR",
        "occurred_at": "TIMESTAMP", "campaign": "VARCHAR", "value": "DECIMAL(18,2)",
        "properties": "JSON",
    },
    Entity.TICKETS: {
        "source_id": "VARCHAR", "customer_ref": "VARCHAR", "email": "VARCHAR",
        "phone": "VARCHAR", "opened_at": "TIMESTAMP", "closed_at": "TIMESTAMP",
        "status": "VARCHAR", "topic": "VARCHAR", "channel": "VARCHAR", "text": "VARCHAR",
    },
}

#: The field of each entity that dates a record (for windows, recency and as-of builds).
ENTITY_TIME: dict[Entity, str] = {
    Entity.CONTACTS: "updated_at", Entity.ORDERS: "ordered_at",
    Entity.ORDER_LINES: "ordered_at", Entity.EVENTS: "occurred_at",
    Entity.TICKETS: "opened_at",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CsvOptions(_Strict):
    delimiter: str = ","
    encoding: str = "utf-8"
    header: bool = True
    compression: Literal["auto", "gzip", "none"] = "auto"
    date_format: str | None = None
    timestamp_format: str | None = None


class Source(_Strict):
    """One source: where its records come from, which entity they are, how fields map."""

    entity: Entity
    type: Literal["csv", "parquet", "ndjson", "sqlite", "postgres"]
    #: Files: a path or glob relative to the project directory.
    path: str | None = None
    #: Databases: a SQLite file path or a PostgreSQL URL (``postgresql://user@host/db``).
    url: str | None = None
    table: str | None = None
    csv: CsvOptions = CsvOptions()
    #: Canonical field -> source column.
    columns: dict[str, str]
    #: How new data is found: new files, rows with a larger id, or a later modified-at.
    cursor: Literal["files", "max_id", "modified_at"] = "files"
    cursor_column: str | None = None
    #: A malformed row is skipped into the rejects table, or refuses the whole batch.
    on_error: Literal["reject", "refuse"] = "reject"
    #: Source priority for attribute survivorship (lower wins ties).
    priority: int = 100

    @model_validator(mode="after")
    def _check(self) -> Source:
        files = self.type in ("csv", "parquet", "ndjson")
        if files and not self.path:
            raise ValueError(f"a {self.type} source needs 'path'")
        if not files and not (self.url and self.table):
            raise ValueError(f"a {self.type} source needs 'url' and 'table'")
        if files and self.cursor != "files":
            raise ValueError("file sources use cursor 'files'")
        if not files and self.cursor == "files":
            raise ValueError("database sources need cursor 'max_id' or 'modified_at'")
        if self.cursor != "files" and not self.cursor_column:
            raise ValueError(f"cursor {self.cursor!r} needs 'cursor_column'")
        return self

    @field_validator("columns")
    @classmethod
    def _columns(cls, columns: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        entity = info.data.get("entity")
        if entity is None:
            return columns
        fields = ENTITY_FIELDS[entity]
        unknown = sorted(set(columns) - set(fields))
        if unknown:
            raise ValueError(f"unknown {entity.value} field(s) {', '.join(unknown)}; "
                             f"known: {', '.join(fields)}")
        if "source_id" not in columns:
            raise ValueError("must map 'source_id' (the record's id in its source)")
        return columns


class MatchRule(_Strict):
    """Records sharing a normalised value of any of these identifiers are the same person."""

    name: str
    identifiers: list[Literal["email", "phone", "customer_ref"]]
    #: Restrict the rule to these sources (all sources by default).
    sources: list[str] | None = None


class Identity(_Strict):
    rules: list[MatchRule] = Field(default_factory=lambda: [
        MatchRule(name="email", identifiers=["email"]),
        MatchRule(name="phone", identifiers=["phone"]),
        MatchRule(name="customer_ref", identifiers=["customer_ref"]),
    ])
    #: An identifier value found beside more distinct other identifier values than this (a
    #: shop's phone on every walk-in order, test@example.com) is reported and not used.
    max_group_size: int = Field(default=25, ge=2)
    #: Region for phone numbers written without a country code (ISO 3166 alpha-2).
    default_region: str = "GB"


def _check_feel(text: str) -> str:
    try:
        parse_expression(text)
    except FeelSyntaxError as exc:  # pydantic reports ValueErrors with the field's location
        raise ValueError(f"FEEL {exc}") from None
    return text


class Dimension(_Strict):
    """A profile column: a built-in family (``kind``) with parameters, or a FEEL/SQL formula
    over other dimensions."""

    name: str
    kind: Literal["count", "sum", "avg", "min", "max", "first", "last", "recency_days",
                  "distinct", "top", "rfm", "attribute", "formula"]
    entity: Entity | None = None
    field: str | None = None
    #: Only records of these event types / channels / statuses (FEEL condition over fields).
    where: str | None = None
    #: Rolling window in days ending at the as-of date; none for the lifetime.
    window_days: int | None = Field(default=None, gt=0)
    #: ``attribute``: survivorship: the most recent non-null value, or by source priority.
    survivorship: Literal["most_recent", "source_priority"] = "most_recent"
    #: ``formula``: a FEEL expression over earlier dimensions.
    expression: str | None = None
    #: ``top``: how many values.
    top: int = Field(default=1, ge=1)

    @field_validator("where", "expression")
    @classmethod
    def _feel(cls, value: str | None) -> str | None:
        return _check_feel(value) if value is not None else None


class Segment(_Strict):
    name: str
    condition: str
    description: str = ""

    @field_validator("condition")
    @classmethod
    def _feel(cls, value: str) -> str:
        return _check_feel(value)


class Profiles(_Strict):
    dimensions: list[Dimension] = Field(default_factory=list)
    #: Also build the monthly per-customer rollup.
    monthly: bool = True


class Project(_Strict):
    """The whole ``accord.yaml``."""

    name: str
    version: Annotated[int, Field(ge=1)] = 1
    sources: dict[str, Source] = Field(default_factory=dict)
    identity: Identity = Identity()
    profiles: Profiles = Profiles()
    segments: list[Segment] = Field(default_factory=list)
