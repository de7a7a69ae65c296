"""The segment preview answers every condition: one it cannot run is an error naming the
condition and the problem (shown on the page), never a crash of the request."""

from __future__ import annotations

import pytest

from accord.errors import AccordError, FeelSyntaxError
from accord.project.template import store_path
from accord.segments.build import NotBoolean
from accord.testing.demo import BuiltDemo
from accord.web.hub import HubReader


@pytest.fixture
def hub(web_demo: BuiltDemo) -> HubReader:
    return HubReader(store_path(web_demo.directory))


def test_customer_id_is_not_ambiguous_in_the_overlaps(hub: HubReader) -> None:
    # segment_members has a customer_id too: the join made the name ambiguous in DuckDB
    everyone = hub.preview('customer_id != "nobody"')
    assert everyone.members == everyone.customers > 0
    assert sum(n for _, n in everyone.overlaps) > 0
    assert hub.preview('customer_id = "nobody"').members == 0


@pytest.mark.parametrize("condition", ["(" * 500 + "orders > 1" + ")" * 500,
                                       " and ".join(["orders > 1"] * 300)])
def test_deep_conditions_are_a_syntax_error(hub: HubReader, condition: str) -> None:
    with pytest.raises(FeelSyntaxError, match="nested too deep"):
        hub.preview(condition)


def test_a_condition_duckdb_cannot_bind_is_said_so(hub: HubReader) -> None:
    condition = 'substring("abc", 99999999999999999999) = ""'
    with pytest.raises(AccordError, match="cannot be run over the profiles") as caught:
        hub.preview(condition)
    assert condition in str(caught.value)


def test_a_condition_that_is_not_a_boolean_is_said_so(hub: HubReader) -> None:
    with pytest.raises(NotBoolean, match="is a string, not a boolean"):
        hub.preview('substring("abc", 9999999999)')


def test_a_valid_condition_still_previews(hub: HubReader) -> None:
    preview = hub.preview("orders > 1")
    assert 0 < preview.members < preview.customers
    assert any(row["attribute"] == "orders" and row["index"] > 100
               for row in preview.comparison)
