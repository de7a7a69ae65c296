"""``accord dmn serve``: a folder of DMN models over HTTP without a hub."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.dmn import app as dmn_cli
from accord.cli.dmn import serve_app
from accord.errors import DmnModelError
from accord.testing.http import ApiClient

FIXTURES = Path(__file__).parents[1] / "dmn" / "fixtures"
BODY = {"Applicant": {"age": 40, "monthly income": 1500, "employment": "UNEMPLOYED"},
        "Loan": {"amount": 5000, "months": 12, "start": "2024-02-29"}}


def test_serves_a_folder_and_a_file_without_keys() -> None:
    client = ApiClient(serve_app([FIXTURES / "drools", FIXTURES / "camunda-modeler-5.dmn"],
                                 None))
    names = [m["model"] for m in client.get("/v1/dmn").json()["models"]]
    assert names == ["Dish Decisions", "Loan Approval", "Risk Library"]
    offer = client.post("/v1/dmn/Loan Approval/Offer", json=BODY).json()
    assert offer["result"] == {"approved": False, "rate": None}  # risk 80: unemployed, low income
    last = client.post("/v1/dmn/Loan Approval/Last Payment", json=BODY).json()
    assert last["result"] == "2025-02-28"  # the day is clamped to the month's end
    dish = client.post("/v1/dmn/Dish Decisions/Season", json={"month": 7}).json()
    assert dish["result"] == "Summer"
    versions = client.get("/v1/dmn/Risk Library/versions").json()["versions"]
    assert [(v["version"], v["active"], v["files"]) for v in versions] == \
        [(1, True, ["risk-library.dmn"])]


def test_served_models_are_read_only() -> None:
    client = ApiClient(serve_app([FIXTURES / "drools"], None))
    assert "/v1/dmn/{model}/{decision}" in client.get("/openapi.json").json()["paths"]
    refused = client.post("/v1/dmn/Risk Library", json={"files": {"a.dmn": "x"}})
    assert refused.status_code == 405 and refused.json()["error"]["code"] == "read_only"
    pin = client.request("PUT", "/v1/dmn/Risk Library/pin", json={"version": 1})
    assert pin.status_code == 405


def test_api_key_when_asked_for() -> None:
    app = serve_app([FIXTURES / "drools"], "s3cret")
    assert ApiClient(app).get("/v1/dmn").status_code == 401
    assert ApiClient(app, headers={"X-API-Key": "wrong"}).get("/v1/dmn").status_code == 401
    assert ApiClient(app, headers={"Authorization": "Bearer s3cret"}).get(
        "/v1/dmn").status_code == 200


def test_two_models_with_one_name_are_refused(tmp_path: Path) -> None:
    for name in ("a.dmn", "b.dmn"):
        shutil.copy(FIXTURES / "camunda-modeler-5.dmn", tmp_path / name)
    with pytest.raises(DmnModelError, match="two models are named 'Dish Decisions'"):
        serve_app([tmp_path], None)


def test_cli_reports_a_missing_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(dmn_cli, ["serve", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "neither a .dmn file nor a folder" in result.output
