"""What the CLI and the API share: a campaign's report from the stores, the segments an
audience may name, the hub's funnels.
"""

from __future__ import annotations

from sqlglot import exp

from accord.campaigns.errors import FunnelDefinitionError
from accord.campaigns.funnel import Funnel, Step
from accord.campaigns.model import Campaign
from accord.campaigns.outcomes import arm_summaries
from accord.campaigns.report import CampaignReport, build_report
from accord.campaigns.results import FunnelResult, run_funnel
from accord.campaigns.standard import STANDARD, standard_funnel
from accord.campaigns.timeline import event_source
from accord.errors import ConfigError
from accord.store.base import AnalyticalStore
from accord.store.sql import column as _col
from accord.store.sql import table as _table

__all__ = ["campaign_funnels", "campaign_report", "event_types", "segment_names"]


def segment_names(store: AnalyticalStore | None) -> set[str]:
    """The segments built in ``store`` (none without a store or a build)."""
    if store is None or "segments" not in store.tables():
        return set()
    table = store.query(exp.select(_col("segment")).from_(_table("segments")))
    return {str(name) for name in table.column("segment").to_pylist()}


def event_types(store: AnalyticalStore) -> set[str]:
    """The event types of the hub's events (empty when it has none)."""
    try:
        source = event_source(store)
    except ConfigError:
        return set()
    query = exp.select(_col("event_type")).distinct().from_(source.relation)
    return {str(kind) for kind in store.query(query).column("event_type").to_pylist()}


def _own_steps(funnel: Funnel, campaign: str) -> Funnel:
    """The funnel with its first step narrowed to the campaign's own events."""
    first = funnel.steps[0]
    condition = f'campaign = "{campaign}"'  # names are [A-Za-z0-9_.-]: no quoting needed
    narrowed = Step(event_type=first.event_type, name=first.name,
                    filter=f"({first.filter}) and {condition}" if first.filter else condition)
    return funnel.model_copy(update={"steps": [narrowed, *funnel.steps[1:]]})


def campaign_funnels(store: AnalyticalStore, campaign: Campaign) -> list[FunnelResult]:
    """The campaign's funnel over the hub's events.

    Its own ``funnel`` when it has one (errors are the spec's); otherwise the standard
    funnel of its first channel that has one, started by the campaign's own events, when
    the hub's events have that funnel's event types (else none).
    """
    if campaign.funnel is not None:
        return run_funnel(store, campaign.funnel, event_source(store))
    known = event_types(store)
    if not known:
        return []
    for channel in campaign.channels:
        if channel not in STANDARD:
            continue
        try:
            funnel, _ = standard_funnel(channel, known)
            return run_funnel(store, _own_steps(funnel, campaign.name), event_source(store))
        except FunnelDefinitionError:
            return []  # the hub has no such events: a report without an event funnel
    return []


def campaign_report(store: AnalyticalStore, campaign: Campaign) -> CampaignReport:
    """The report of ``campaign``: its outcomes against control, economics, funnels.

    Raises:
        ConfigError: no outcomes for the campaign yet.
    """
    return build_report(campaign, arm_summaries(store, campaign.name),
                        campaign_funnels(store, campaign))
