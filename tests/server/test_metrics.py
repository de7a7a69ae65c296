"""``/metrics`` stays bounded: requests count under their route's template, and every
unknown path under one label."""

from __future__ import annotations

import random
import string
from pathlib import Path

from accord.server import create_app
from accord.server.metrics import UNMATCHED
from accord.testing.http import ApiClient


def _random_path(rng: random.Random) -> str:
    parts = ("".join(rng.choices(string.ascii_lowercase + string.digits, k=rng.randint(1, 12)))
             for _ in range(rng.randint(1, 4)))
    return "/" + "/".join(parts)


def test_unknown_paths_share_one_label(tmp_path: Path) -> None:
    client = ApiClient(create_app(tmp_path))
    rng = random.Random(16)
    for _ in range(20):
        client.get(_random_path(rng))
    client.get("/v1/" + _random_path(rng))
    settled = len(client.get("/metrics").content)
    paths = [_random_path(rng) for _ in range(1_000)] + [
        "/v1" + _random_path(rng) for _ in range(1_000)]
    for path in paths:
        assert client.get(path).status_code == 404
    page = client.get("/metrics").text
    # the counters' values grow by a few digits; one label per path would add ~3 MB here
    assert len(page) < settled + 2_000
    assert f'route="{UNMATCHED}"' in page
    assert not any(f'route="{path}"' in page for path in paths[:50])


def test_routes_count_under_their_template(tmp_path: Path) -> None:
    client = ApiClient(create_app(tmp_path))
    for customer in ("c_000000000001", "c_000000000002"):
        client.get(f"/v1/profiles/{customer}")
    client.post("/v1/dmn/loans/eligibility/check", json={})
    page = client.get("/metrics").text
    assert 'route="/v1/profiles/{customer_id}",status="401"' in page
    assert 'route="/v1/dmn/{model}/{decision}",status="401"' in page
    assert "c_000000000001" not in page and "eligibility" not in page
