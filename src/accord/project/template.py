"""``accord init DIR``: a new project with a commented ``accord.yaml`` and sample data.

The example is small but complete: two CSV sources (a CRM's contacts and a shop's orders),
identity rules, a few profile dimensions and segments, so that ``accord init x && accord
ingest --project x`` works at once and shows what each setting looks like.
"""

from __future__ import annotations

from pathlib import Path

from accord.errors import ConfigError
from accord.permissions import private_dir
from accord.project.loader import PROJECT_FILE

#: The state folder inside a project (stores and bookkeeping; never edited by hand).
STATE_DIR = ".accord"
#: The analytical store's file inside the state folder.
STORE_FILE = "analytics.duckdb"


def state_dir(project_dir: Path) -> Path:
    """A project's state folder."""
    return Path(project_dir) / STATE_DIR


def store_path(project_dir: Path) -> Path:
    """A project's analytical store (DuckDB).

    >>> store_path(Path("shop")).as_posix()
    'shop/.accord/analytics.duckdb'
    """
    return state_dir(project_dir) / STORE_FILE


PROJECT_TEMPLATE = """\
# Accord project: sources, identity rules, profile dimensions and segments.
# Paths are relative to this folder; state (the stores) lives in .accord/.
name: {name}

# Each source maps its own columns onto a canonical entity's fields
# (contacts, orders, order_lines, events, tickets): `columns: {{field: source column}}`.
sources:
  crm:
    entity: contacts
    type: csv                    # csv | parquet | ndjson | sqlite | postgres
    path: data/contacts*.csv     # a glob: each new file is loaded once (by content hash)
    csv:
      delimiter: ","
      encoding: utf-8            # utf-8 | latin-1 | utf-16
      compression: auto          # auto (gzip recognised by content) | gzip | none
      # date_format: "%d/%m/%Y"  # strptime codes, when dates are not ISO
    columns:
      source_id: id              # required: the record's id in its source
      email: email
      phone: phone
      first_name: first_name
      last_name: last_name
      country: country
      consent_email: newsletter
      updated_at: updated_at
    on_error: reject             # reject: bad rows go to the `rejects` table | refuse: fail
    priority: 10                 # lower wins when sources disagree on an attribute

  shop:
    entity: orders
    type: csv
    path: data/orders*.csv
    columns:
      source_id: order_id
      customer_ref: customer_id  # the CRM's id for the customer
      email: email
      ordered_at: ordered_at
      total: total
      currency: currency
      channel: channel
    on_error: refuse

  # A database table, read past a cursor (new ids, or a later modified-at):
  # web:
  #   entity: events
  #   type: postgres             # or sqlite, with url: data/app.sqlite
  #   url: postgresql://accord@localhost/web
  #   table: public.events
  #   cursor: modified_at        # or max_id
  #   cursor_column: updated_at
  #   columns: {{source_id: id, email: email, type: kind, channel: channel,
  #             occurred_at: at, properties: payload}}

# Records sharing a normalised identifier are the same person.
identity:
  rules:
    - name: email
      identifiers: [email]
    - name: phone
      identifiers: [phone]
    - name: crm_id
      identifiers: [customer_ref]
  max_group_size: 25             # identifier values shared more widely are ignored
  default_region: GB             # for phone numbers without a country code

# One column per dimension in the `profiles` table.
profiles:
  dimensions:
    - name: orders_count
      kind: count
      entity: orders
    - name: revenue
      kind: sum
      entity: orders
      field: total
    - name: recency_days
      kind: recency_days
      entity: orders
    - name: web_orders_365d
      kind: count
      entity: orders
      where: channel = "web"     # a FEEL condition over the entity's fields
      window_days: 365
    - name: email
      kind: attribute
      entity: contacts
      field: email
    - name: avg_order_value
      kind: formula
      expression: if orders_count > 0 then revenue / orders_count else null

# FEEL conditions over profile dimensions.
segments:
  - name: repeat_buyers
    condition: orders_count >= 2
    description: Bought more than once.
  - name: lapsed
    condition: recency_days > 180
    description: No order for six months.
"""

SAMPLE_CONTACTS = """\
id,email,phone,first_name,last_name,country,newsletter,updated_at
C001,ann.lee@example.com,+44 20 7946 0018,Ann,Lee,GB,true,2024-03-01 09:15:00
C002,bo.chen@example.com,020 7946 0123,Bo,Chen,GB,false,2024-03-04 17:40:00
C003,carla.diaz@example.es,+34 912 345 678,Carla,Díaz,ES,true,2024-02-11 08:05:00
C004,dev.patel@example.com,,Dev,Patel,GB,true,2024-01-20 12:00:00
"""

SAMPLE_ORDERS = """\
order_id,customer_id,email,ordered_at,total,currency,channel
O1001,C001,ann.lee@example.com,2024-01-05 10:01:00,42.50,GBP,web
O1002,C001,ann.lee@example.com,2024-02-14 19:30:00,18.00,GBP,app
O1003,,BO.CHEN@example.com,2024-02-20 12:10:00,99.99,GBP,web
O1004,C003,carla.diaz@example.es,2023-08-30 16:45:00,25.00,EUR,store
O1005,C001,ann.lee@example.com,2024-03-02 08:20:00,7.25,GBP,web
"""


def init_project(directory: Path | str, *, name: str | None = None) -> list[Path]:
    """Create a project in ``directory``: ``accord.yaml``, sample data, the state folder.

    Args:
        directory: the project folder (created when missing; may hold other files).
        name: the project's name (the folder's name by default).

    Returns:
        The files written.

    Raises:
        ConfigError: the folder already holds a project.
    """
    root = Path(directory)
    config = root / PROJECT_FILE
    if config.exists():
        raise ConfigError(f"{config} already exists: not overwriting an existing project")
    if root.exists() and not root.is_dir():
        raise ConfigError(f"{root} exists and is not a folder")
    data = root / "data"
    samples = {data / "contacts.csv": SAMPLE_CONTACTS, data / "orders.csv": SAMPLE_ORDERS}
    clashes = [path for path in samples if path.exists()]
    if clashes:
        raise ConfigError(f"{clashes[0]} already exists: not overwriting it")
    data.mkdir(parents=True, exist_ok=True)
    private_dir(state_dir(root))
    project_name = name or root.resolve().name or "accord"
    config.write_text(PROJECT_TEMPLATE.format(name=_yaml_scalar(project_name)),
                      encoding="utf-8")
    for path, text in samples.items():
        path.write_text(text, encoding="utf-8")
    return [config, *samples]


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar (quoted unless plainly safe)."""
    plain = text.replace("-", "").replace("_", "").replace(".", "").isalnum()
    return text if plain and not text[0].isdigit() else '"' + text.replace('"', '\\"') + '"'
