"""The demo project's profile dimensions in pandas, for comparison with Accord's SQL build.

Entity tables are read from the analytical store as they are (``load``), then joined to the
identity map and aggregated in pandas (``compute``), as a pandas user would.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = {
    "contacts": ["_source", "source_id", "updated_at", "first_name", "last_name", "city",
                 "country", "consent_email", "email", "phone"],
    "orders": ["_source", "source_id", "ordered_at", "status", "total"],
    "order_lines": ["order_id", "ordered_at", "category"],
    "events": ["_source", "source_id", "occurred_at", "type"],
    "tickets": ["_source", "source_id", "opened_at", "status"],
}


def load(connection: Any) -> dict[str, pd.DataFrame]:
    """Every entity and the identity map as DataFrames (totals as float, as pandas users do)."""
    frames = {}
    for entity, columns in COLUMNS.items():
        select = ", ".join("CAST(total AS DOUBLE) AS total" if c == "total" else c
                           for c in columns)
        frames[entity] = connection.sql(f"SELECT {select} FROM {entity}").df()
    frames["identity_map"] = connection.sql(
        "SELECT source AS _source, source_id, customer_id FROM identity_map").df()
    return frames


def _mapped(frames: dict[str, pd.DataFrame], entity: str, time_column: str,
            end: pd.Timestamp) -> pd.DataFrame:
    frame = frames[entity].merge(frames["identity_map"], on=["_source", "source_id"])
    return frame[frame[time_column].isna() | (frame[time_column] < end)]


def compute(frames: dict[str, pd.DataFrame], as_of: dt.date) -> pd.DataFrame:
    """The profiles table (same columns as Accord's) from the loaded frames."""
    end = pd.Timestamp(as_of + dt.timedelta(days=1))
    day = pd.Timestamp(as_of)

    def since(days: int) -> pd.Timestamp:
        return end - pd.Timedelta(days=days)

    contacts = _mapped(frames, "contacts", "updated_at", end)
    contacts = contacts.assign(updated_at=contacts["updated_at"].fillna(pd.Timestamp(1677, 10, 1)))
    attributes = {}
    for name in ("first_name", "last_name", "city", "country", "consent_email", "email",
                 "phone"):
        present = contacts[contacts[name].notna()].sort_values("updated_at")
        attributes[name] = present.groupby("customer_id")[name].last()
    profile = pd.DataFrame(attributes)

    orders = _mapped(frames, "orders", "ordered_at", end)
    valid = orders["status"] != "cancelled"
    completed = orders["status"] == "completed"
    o = orders.assign(
        valid=valid, completed_total=orders["total"].where(completed),
        valid_at=orders["ordered_at"].where(valid),
        recent=valid & (orders["ordered_at"] >= since(90)),
        year_total=orders["total"].where(completed & (orders["ordered_at"] >= since(365))),
        returned=orders["status"] == "returned").groupby("customer_id")
    last_valid = o["valid_at"].max()
    purchase = pd.DataFrame({
        "orders": o["valid"].sum(), "monetary": o["completed_total"].sum(),
        "avg_order_value": o["completed_total"].mean(),
        "first_order_at": o["ordered_at"].min(), "last_order_at": o["ordered_at"].max(),
        "recency_days": np.floor((day - last_valid).dt.total_seconds() / 86400).clip(lower=0),
        "orders_90d": o["recent"].sum(), "revenue_365d": o["year_total"].sum(),
        "returns": o["returned"].sum()})

    order_customer = frames["orders"][["_source", "source_id"]].merge(
        frames["identity_map"], on=["_source", "source_id"]).groupby("source_id")[
        "customer_id"].min().rename_axis("order_id").reset_index()
    lines = frames["order_lines"].merge(order_customer, on="order_id")
    lines = lines[lines["ordered_at"].isna() | (lines["ordered_at"] < end)]
    counted = lines.groupby(["customer_id", "category"]).size().reset_index(name="n")
    counted = counted.sort_values(["customer_id", "n", "category"],
                                  ascending=[True, False, True])
    top = counted.drop_duplicates("customer_id").set_index("customer_id")["category"]
    categories = lines.groupby("customer_id")["category"].nunique()

    events = _mapped(frames, "events", "occurred_at", end)
    kinds = {"email_opens_90d": ("email_opened", 90), "email_clicks_90d": ("email_clicked", 90),
             "page_views_30d": ("page_view", 30), "cart_adds_30d": ("add_to_cart", 30)}
    flags = events[["customer_id"]].assign(**{
        name: (events["type"] == kind) & (events["occurred_at"] >= since(days))
        for name, (kind, days) in kinds.items()})
    interactions = flags.groupby("customer_id").sum()

    tickets = _mapped(frames, "tickets", "opened_at", end)
    service = tickets[["customer_id"]].assign(
        open_tickets=tickets["status"] == "open",
        tickets_365d=tickets["opened_at"] >= since(365)).groupby("customer_id").sum()

    everyone = pd.Index(sorted(set(profile.index) | set(purchase.index) | set(lines["customer_id"])
                               | set(interactions.index) | set(service.index)), name="customer_id")
    result = profile.reindex(everyone).join(purchase).join(top.rename("top_category")).join(
        categories.rename("categories")).join(interactions).join(service)
    zeros = ["orders", "monetary", "orders_90d", "revenue_365d", "returns", "categories",
             *kinds, "open_tickets", "tickets_365d"]
    result[zeros] = result[zeros].fillna(0)
    buyers = result["orders"] > 0
    for name, column, ascending in (("rfm_r", "recency_days", False), ("rfm_f", "orders", True),
                                    ("rfm_m", "monetary", True)):
        ranks = result.loc[buyers, column].rank(method="min", ascending=ascending)
        result[name] = np.floor(5 * (ranks - 1) / buyers.sum()) + 1
    result["rfm_score"] = result["rfm_r"] + result["rfm_f"] + result["rfm_m"]
    return result


def timed(connection: Any, as_of: dt.date) -> dict[str, float]:
    """Load and compute, timed apart."""
    started = time.perf_counter()
    frames = load(connection)
    loaded = time.perf_counter()
    result = compute(frames, as_of)
    done = time.perf_counter()
    return {"pandas_load_s": loaded - started, "pandas_s": done - loaded,
            "pandas_customers": float(len(result))}
