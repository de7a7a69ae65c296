"""The names ``accord.capacity`` exports."""

from __future__ import annotations

import accord.capacity


def test_public_names() -> None:
    assert sorted(accord.capacity.__all__) == sorted(
        ["SLOT", "Batch", "CampaignPlan", "CapacityError", "Forecast", "Grid",
         "LaunchBlocked", "Override", "Preflight", "Registry", "ResponseModel", "SendWindow",
         "Status", "StepRate", "ThrottledPlan", "check_launch", "fit", "forecast",
         "load_registry", "override", "parse_registry", "preflight", "resolve_audience",
         "throttle"])
    for name in accord.capacity.__all__:
        assert getattr(accord.capacity, name) is not None
