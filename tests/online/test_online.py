"""The online store: one suite over every backend (memory, sqlite), plus materialisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from accord.clock import FixedClock
from accord.online import OnlineStore, ProfileLookupError, open_online, resolve, run_online
from accord.online.base import decode_document, encode_document
from accord.profiles import run_profiles
from accord.progress import SilentProgress
from accord.project.config import Project, Segment
from accord.segments import run_segments
from accord.store import AnalyticalStore, open_store
from accord.testing.hub import SMALL_HUB_AS_OF, small_hub

CLOCK = FixedClock(dt.datetime(2024, 2, 10, 9, 0))
PROJECT = Project(name="t", segments=[Segment(name="buyers", condition="orders_count > 0"),
                                      Segment(name="recent", condition="recency_days < 30")])


@pytest.fixture(params=["memory", "sqlite"])
def online(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OnlineStore]:
    path = tmp_path / "online.sqlite" if request.param == "sqlite" else None
    opened = open_online(request.param, path)
    yield opened
    opened.close()


@pytest.fixture
def store() -> Iterator[AnalyticalStore]:
    opened = open_store("duckdb")
    small_hub(opened)
    run_profiles(PROJECT, opened, as_of=SMALL_HUB_AS_OF, clock=CLOCK, progress=SilentProgress())
    run_segments(PROJECT, opened, clock=CLOCK, progress=SilentProgress())
    yield opened
    opened.close()


def test_materialise_profiles_segments_identifiers(store: AnalyticalStore,
                                                   online: OnlineStore) -> None:
    report = run_online(PROJECT, store, online, progress=SilentProgress())
    assert (report.profiles, report.identifiers, report.segments) == (4, 4, True)
    a = online.get("c_a")
    assert a is not None
    assert a["segments"] == ["buyers", "recent"]
    # exact numbers, dates ISO
    assert (a["revenue"], a["orders_count"], a["as_of"]) == (150, 2, "2024-01-31")
    assert a["avg_order_value"] == Decimal(75) and a["rfm_score"] == 12
    assert a["last_order_at"] == "2024-01-30T10:00:00"
    d = online.get("c_d")
    assert d is not None and d["segments"] == []
    assert online.get("c_zzz") is None


def test_lookup_by_identifier_normalises_like_identity(store: AnalyticalStore,
                                                        online: OnlineStore) -> None:
    run_online(PROJECT, store, online, progress=SilentProgress())
    assert online.customers("email", "  A@Shop.Example ") == ["c_a"]
    assert online.customers("customer_ref", " a ") == ["c_a"]
    assert online.customers("email", "not an address") == []
    assert resolve(online, "C@crm.example")["customer_id"] == "c_c"
    assert resolve(online, "c_b")["customer_id"] == "c_b"
    with pytest.raises(ProfileLookupError, match="no profile"):
        resolve(online, "nobody@example.com")


def test_replace_all_replaces_everything(online: OnlineStore) -> None:
    online.replace_all([("c_1", {"n": 1})], [("email", "x@example.com", "c_1")])
    online.replace_all([("c_2", {"n": 2})], [("email", "y@example.com", "c_2")])
    assert online.get("c_1") is None and online.customers("email", "x@example.com") == []
    assert online.get("c_2") == {"n": 2}


def test_shared_identifier_is_ambiguous(online: OnlineStore) -> None:
    online.replace_all([("c_1", {}), ("c_2", {})],
                       [("phone", "+442079460958", "c_1"), ("phone", "+442079460958", "c_2")])
    assert online.customers("phone", "020 7946 0958") == ["c_1", "c_2"]
    with pytest.raises(ProfileLookupError, match="belongs to 2 customers"):
        resolve(online, "+44 20 7946 0958")


def test_upsert(online: OnlineStore) -> None:
    online.replace_all([], [])
    online.upsert("c_9", {"x": Decimal("1.5")}, [("email", "z@example.com")])
    online.upsert("c_9", {"x": Decimal("2.25")}, [("email", "z@example.com")])
    assert online.get("c_9") == {"x": Decimal("2.25")}
    assert online.customers("email", "Z@example.com") == ["c_9"]


def test_sqlite_is_shared_and_read_only_readers_see_the_swap(tmp_path: Path) -> None:
    path = tmp_path / "online.sqlite"
    writer = open_online("sqlite", path)
    writer.replace_all([("c_1", {"v": 1})], [])
    reader = open_online("sqlite", path, read_only=True)
    assert reader.get("c_1") == {"v": 1}
    writer.replace_all([("c_1", {"v": 2})], [])
    assert reader.get("c_1") == {"v": 2}
    reader.close()
    writer.close()


def test_unknown_backend_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="unknown online store 'redis2'"):
        open_online("redis2")
    with pytest.raises(Exception, match="no online store"):
        open_online("sqlite", tmp_path / "missing.sqlite", read_only=True)


def test_document_encoding_is_exact() -> None:
    text = encode_document({"a": Decimal("1E+2"), "b": Decimal("0.10"),
                            "c": [dt.date(2024, 1, 2)], "d": Decimal("0.1000000000000000000001")})
    assert text == '{"a":100,"b":0.1,"c":["2024-01-02"],"d":0.1000000000000000000001}'
    assert decode_document(text)["d"] == Decimal("0.1000000000000000000001")
