"""Campaigns and the shared metrics: funnels, abandonment, lift against control, ROMI.

* :mod:`~accord.campaigns.model`, :mod:`~accord.campaigns.repository`: the campaign spec
  and its table in the operational store;
* :mod:`~accord.campaigns.funnel`, :mod:`~accord.campaigns.results`: funnels compiled to one
  SQL query (``windowFunnel`` semantics) and their step counts, rates and median times;
* :mod:`~accord.campaigns.standard`, :mod:`~accord.campaigns.abandonment`: the e-mail and web
  funnels, abandoned carts and checkouts;
* :mod:`~accord.campaigns.outcomes`, :mod:`~accord.campaigns.metrics`,
  :mod:`~accord.campaigns.lift`: per-customer outcomes, the metric definitions
  (``docs/metrics.md``) and intervals;
* :mod:`~accord.campaigns.report`, :mod:`~accord.campaigns.page`: reports as tables, JSON
  and HTML with charts.
"""

from accord.campaigns.errors import CampaignDefinitionError, FunnelDefinitionError, UnknownCampaign
from accord.campaigns.funnel import Funnel, Step, compile_funnel
from accord.campaigns.model import Campaign, Status, parse_campaign
from accord.campaigns.results import FunnelResult, StepResult, run_funnel

__all__ = ["Campaign", "CampaignDefinitionError", "Funnel", "FunnelDefinitionError",
           "FunnelResult", "Status", "Step", "StepResult", "UnknownCampaign", "compile_funnel",
           "parse_campaign", "run_funnel"]
