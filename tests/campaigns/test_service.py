"""A campaign's report over the hub's ingested events: its own e-mails start the funnel."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from sqlglot import exp

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.model import parse_campaign
from accord.campaigns.outcomes import replace_outcomes
from accord.campaigns.service import campaign_funnels, campaign_report, event_types
from accord.store import open_store
from accord.store.base import AnalyticalStore

T0 = dt.datetime(2026, 3, 2, 9, 0)
M = dt.timedelta(minutes=1)
EVENTS = [  # record id, customer, type, at, campaign
    ("1", "c1", "email_sent", T0, "spring"), ("2", "c1", "email_opened", T0 + M, None),
    ("3", "c1", "email_clicked", T0 + 2 * M, None), ("4", "c1", "purchase", T0 + 9 * M, None),
    ("5", "c2", "email_sent", T0, "spring"), ("6", "c2", "email_opened", T0 + 3 * M, None),
    ("7", "c3", "email_sent", T0, "autumn"), ("8", "c3", "email_opened", T0 + M, None),
]


def _store() -> AnalyticalStore:
    store = open_store("duckdb")
    ids, customers, types, times, campaigns = zip(*EVENTS, strict=True)
    size = len(EVENTS)
    store.write("raw_crm", pa.table({
        "source_id": list(ids), "type": list(types),
        "occurred_at": pa.array(times, pa.timestamp("us")), "channel": ["email"] * size,
        "campaign": pa.array(campaigns, pa.string()), "value": pa.nulls(size, pa.float64()),
        "properties": ['{"path": "/"}'] * size, "_source": ["crm"] * size}))
    store.execute("CREATE VIEW events AS SELECT * FROM raw_crm")
    store.write("identity_map", pa.table({"source": ["crm"] * size, "source_id": list(ids),
                                          "customer_id": list(customers)}))
    return store


def test_standard_email_funnel_of_the_campaign() -> None:
    store = _store()
    try:
        assert event_types(store) == {"email_sent", "email_opened", "email_clicked",
                                      "purchase"}
        campaign = parse_campaign({"name": "spring", "owner": "ana", "channels": ["email"]})
        [funnel] = campaign_funnels(store, campaign)
        assert [(s.name, s.customers) for s in funnel.steps] == [
            ("sent", 2), ("opened", 2), ("clicked", 1), ("converted", 1)]
        assert funnel.steps[1].median_seconds == 120.0  # one and three minutes
        rows = exp.select(*(exp.alias_(v, n) for n, v in (
            ("campaign", exp.Literal.string("spring")), ("customer_id", exp.Literal.string("c1")),
            ("variant", exp.Literal.string("mail")), ("control", exp.false()),
            ("sends", exp.Literal.number(1)), ("impressions", exp.Literal.number(0)),
            ("opens", exp.Literal.number(1)), ("clicks", exp.Literal.number(1)),
            ("visited", exp.true()), ("converted", exp.true()),
            ("revenue", exp.Literal.number(20)))))
        replace_outcomes(store, "spring", rows)
        report = campaign_report(store, campaign)
        assert report.funnels[0].steps[0].customers == 2
        assert report.lifts == ()  # no control arm: no lift to compute
        own = parse_campaign({"name": "spring", "owner": "ana", "channels": ["email"],
                              "funnel": {"steps": [{"event_type": "email_sent"},
                                                   {"event_type": "email_bounced"}],
                                         "window": "1d"}})
        with pytest.raises(FunnelDefinitionError, match="email_bounced"):
            campaign_funnels(store, own)
    finally:
        store.close()
