"""In-process decisions: p50 and p99 per decision.

30 treatments and 10 eligibility tables (DMN, FIRST, 8 to 12 rules each over profile fields,
segments and request context), profiles read from the SQLite online store, contact history
and propensities from the SQLite contact store, exactly as the server does per request
(`DecisionService.decide`), and the pure `decide` alone for comparison.

    python bench/decide.py [--quick] [--decisions N] [--customers N]

Last line: one JSON object with at least `p50_us` and `p99_us` (the service path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import platform
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from accord.clock import FixedClock
from accord.decisioning import (
    Catalogue,
    ContactLimit,
    CustomerHistory,
    DecisionRequest,
    Propensities,
    RuleSet,
    Treatment,
    decide,
)
from accord.decisioning.active import ActiveRules
from accord.decisioning.service import DecisionService
from accord.dmn import Model
from accord.online import open_online
from accord.online.contacts import ContactStore
from accord.testing import table_definitions

SEGMENTS = ["vip", "new", "lapsed", "wholesale", "churn risk", "champions"]
CHANNELS = ["web", "app", "email"]
NOW = dt.datetime(2026, 11, 22, 12, tzinfo=dt.UTC)


def eligibility_tables(rng: random.Random) -> list[Model]:
    """Ten FIRST tables, each over two profile fields, the segments and the channel."""
    models = []
    fields = ["monetary", "recency_days", "orders_count", "frequency", "avg_order_value"]
    for t in range(10):
        a, b = rng.sample(fields, 2)
        rules = []
        for _ in range(rng.randint(8, 12)):
            low = rng.randint(0, 400)
            rules.append(([f"[{low}..{low + rng.randint(50, 600)}]", f"> {rng.randint(0, 50)}",
                           rng.choice(['"web","app"', '"email"', "-"]),
                           rng.choice([f'list contains(?, "{rng.choice(SEGMENTS)}")', "-"])], ["true"]))
        rules.append((["-", "-", "-", "-"], ["false"]))
        models.append(Model(table_definitions(
            f"Eligible {t}", inputs={a: "number", b: "number", "channel": "string",
                                     "segments": None},
            outputs={f"Eligible {t}": "boolean"}, rules=rules, hit_policy="FIRST")))
    return models


def catalogue(rng: random.Random) -> Catalogue:
    treatments = []
    for i in range(30):
        treatments.append(Treatment(
            f"t{i:02d}", f"Treatment {i}", channels=frozenset(rng.sample(CHANNELS, 2)),
            placements=frozenset({"hero", "banner"}), value=Decimal(rng.randint(1, 80)),
            cost=Decimal(rng.randint(0, 3)), weight=Decimal(1),
            eligibility=(f"Eligible {rng.randrange(10)}",),
            limits=(ContactLimit(3, 7),), suppress_after_conversion_days=30,
            holdout_share=0.05))
    treatments.append(Treatment("default", "Default"))
    return Catalogue.of(treatments, {"hero": "default"})


def profile(rng: random.Random, i: int) -> dict[str, object]:
    return {"customer_id": f"c_{i:06d}", "email": f"user{i}@example.com",
            "monetary": Decimal(rng.randint(0, 3000)), "recency_days": Decimal(rng.randint(0, 700)),
            "orders_count": Decimal(rng.randint(0, 40)), "frequency": Decimal(rng.randint(0, 40)),
            "avg_order_value": Decimal(rng.randint(5, 300)), "consent_email": rng.random() < 0.8,
            "segments": rng.sample(SEGMENTS, rng.randint(0, 2))}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--decisions", type=int)
    parser.add_argument("--customers", type=int)
    args = parser.parse_args()
    decisions = args.decisions or (5_000 if args.quick else 50_000)
    customers = args.customers or (2_000 if args.quick else 20_000)
    rng = random.Random(7)
    rules = RuleSet.build("bench", catalogue(rng), eligibility_tables(rng))
    with tempfile.TemporaryDirectory() as tmp:
        online = open_online("sqlite", Path(tmp) / "online.sqlite")
        profiles = [profile(rng, i) for i in range(customers)]
        online.replace_all(((str(p["customer_id"]), p) for p in profiles),
                           (("email", str(p["email"]), str(p["customer_id"])) for p in profiles))
        reader = open_online("sqlite", Path(tmp) / "online.sqlite", read_only=True)
        contacts = ContactStore(Path(tmp) / "contacts.sqlite")
        service = DecisionService(ActiveRules(lambda: "bench", lambda v: rules), reader,
                                  contacts, FixedClock(NOW))
        keys = [rng.choice(profiles)["customer_id"] for _ in range(decisions)]
        # As the server does after start-up: long-lived objects leave the GC's generations,
        # so collections do not walk them on the request path.
        gc.collect()
        gc.freeze()
        channels = [rng.choice(CHANNELS) for _ in range(decisions)]
        for key, channel in zip(keys[:500], channels[:500], strict=True):  # warm up
            service.decide(channel, {"hero": 1, "banner": 2}, customer=str(key))
        service_us = []
        for key, channel in zip(keys, channels, strict=True):
            start = time.perf_counter_ns()
            service.decide(channel, {"hero": 1, "banner": 2}, customer=str(key))
            service_us.append((time.perf_counter_ns() - start) / 1000)
        pure_us = []
        by_id = {p["customer_id"]: p for p in profiles}
        empty = CustomerHistory()
        for key, channel in zip(keys, channels, strict=True):
            request = DecisionRequest(channel, {"hero": 1, "banner": 2}, {}, str(key))
            start = time.perf_counter_ns()
            decide(request, by_id[key], empty, {}, Propensities(), rules, NOW)
            pure_us.append((time.perf_counter_ns() - start) / 1000)
    result = {
        "decisions": decisions, "customers": customers, "treatments": 30, "tables": 10,
        "p50_us": round(percentile(service_us, 0.5), 1),
        "p99_us": round(percentile(service_us, 0.99), 1),
        "mean_us": round(statistics.fmean(service_us), 1),
        "decide_p50_us": round(percentile(pure_us, 0.5), 1),
        "decide_p99_us": round(percentile(pure_us, 0.99), 1),
        "machine": {"cores": 2, "python": platform.python_version(),
                    "platform": platform.platform()},
    }
    print(f"service path (online store + contacts + decide + record): p50 {result['p50_us']} us, "
          f"p99 {result['p99_us']} us over {decisions:,} decisions", file=sys.stderr)
    print(f"decide alone: p50 {result['decide_p50_us']} us, p99 {result['decide_p99_us']} us",
          file=sys.stderr)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
