"""DMN decision services on the hub: deploy versions, describe, evaluate over HTTP.

Acceptance (issue 10): a model exported from Camunda Modeler (DMN 1.3) and a Drools-style
pair of DMN 1.5 models with an import evaluate with the expected results.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.operational import ApiKey
from accord.server import create_app
from accord.testing.http import ApiClient

FIXTURES = Path(__file__).parents[1] / "dmn" / "fixtures"
CAMUNDA = (FIXTURES / "camunda-modeler-5.dmn").read_text()
DROOLS = {name: (FIXTURES / "drools" / name).read_text()
          for name in ("loan-approval.dmn", "risk-library.dmn")}

KEYS = {
    "admin-key": ApiKey("k1", "ops", frozenset({"admin"})),
    "dmn-key": ApiKey("k2", "channel", frozenset({"dmn"})),
    "profiles-key": ApiKey("k3", "web", frozenset({"profiles"})),
}


def _client(project: Path, key: str | None) -> ApiClient:
    headers = {"X-API-Key": key} if key else {}
    return ApiClient(create_app(project, verify=KEYS.get), headers=headers)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hub project with the Camunda model as ``dish`` and the Drools pair as ``loan``."""
    root = tmp_path_factory.mktemp("dmn-hub")
    admin = _client(root, "admin-key")
    assert admin.post("/v1/dmn/dish", json={"files": {"dish.dmn": CAMUNDA}}).status_code == 201
    deployed = admin.post("/v1/dmn/loan", json={"files": DROOLS, "note": "first"})
    assert deployed.status_code == 201, deployed.text
    assert deployed.json()["main"] == "loan-approval.dmn"  # the file nobody imports
    return root


@pytest.fixture(scope="module")
def client(project: Path) -> ApiClient:
    return _client(project, "dmn-key")


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    message: str = response.json()["error"]["message"]
    assert response.json()["error"]["code"] == code and message
    return message


APPLICANT = {"age": 30, "monthly income": 3500, "employment": "EMPLOYED"}
LOAN = {"amount": 8000, "months": 24, "start": "2024-01-31"}


# --------------------------------------------------------------------------- acceptance


@pytest.mark.parametrize(("body", "dish"), [
    ({"guestCount": 4, "month": 10}, "Spareribs"),
    ({"guestCount": 10, "month": 10}, "Salad"),
    ({"guestCount": 4, "month": 1}, "Roastbeef"),
])
def test_camunda_modeler_model(client: ApiClient, body: dict[str, Any], dish: str) -> None:
    response = client.post("/v1/dmn/dish/Dish", json=body)
    assert response.status_code == 200, response.text
    assert response.json() == {"model": "dish", "version": 1, "name": "Dish",
                               "kind": "decision", "result": dish, "messages": []}


def test_drools_model_with_import(client: ApiClient) -> None:
    body = {"Applicant": APPLICANT, "Loan": LOAN}
    risk = client.post("/v1/dmn/loan/Applicant Risk", json=body).json()
    assert risk["result"] == 5  # only the catch-all rule of the imported BKM's table
    offer = client.post("/v1/dmn/loan/Offer", json=body)
    assert offer.json()["result"] == {"approved": True, "rate": 0.045}
    assert '"rate":0.045' in offer.text  # written exactly, not as a binary float
    # the date input is read as a date because its type says so; the result is ISO text
    last = client.post("/v1/dmn/loan/Last%20Payment", json=body).json()
    assert last["result"] == "2026-01-31"
    young = {"Applicant": {**APPLICANT, "age": 22}, "Loan": {**LOAN, "amount": 20000}}
    assert client.post("/v1/dmn/loan/Offer", json=young).json()["result"] == \
        {"approved": False, "rate": None}


def test_decision_service(client: ApiClient) -> None:
    response = client.post("/v1/dmn/loan/Loan Service",
                           json={"Applicant": {**APPLICANT, "employment": "SELF-EMPLOYED"},
                                 "Loan": LOAN})
    body = response.json()
    assert body["kind"] == "decision service"
    assert body["result"] == {"Offer": {"approved": True, "rate": 0.045},
                              "Last Payment": "2026-01-31"}


def test_numbers_are_read_exactly(client: ApiClient) -> None:
    # as a binary float the income would be 2000.0 and escape the "< 2000" rule
    body = ('{"Applicant": {"age": 30, "monthly income": 1999.99999999999999999, '
            '"employment": "EMPLOYED"}}')
    response = client.post("/v1/dmn/loan/Applicant Risk", content=body.encode())
    assert response.json()["result"] == 30


def test_messages_carry_the_element_id(client: ApiClient) -> None:
    body = {"Applicant": {**APPLICANT, "employment": "RETIRED"}, "Loan": LOAN}
    response = client.post("/v1/dmn/loan/Applicant Risk", json=body)
    assert response.status_code == 200
    messages = response.json()["messages"]
    assert [m["element_id"] for m in messages] == ["_IN_APPLICANT"]
    assert messages[0]["severity"] == "error" and "tApplicant" in messages[0]["text"]


# --------------------------------------------------------------------------- description


def test_list_models(client: ApiClient) -> None:
    models = client.get("/v1/dmn").json()["models"]
    assert [(m["model"], m["active_version"]) for m in models] == [("dish", 1), ("loan", 1)]
    loan = models[1]
    assert loan["decisions"] == ["Applicant Risk", "Offer", "Last Payment"]
    assert loan["decision_services"] == ["Loan Service"]


def test_describe_gives_json_schemas(client: ApiClient) -> None:
    description = client.get("/v1/dmn/loan").json()
    assert description["dmn_version"] == "1.5" and description["imports"] == ["risk"]
    offer = next(d for d in description["decisions"] if d["name"] == "Offer")
    applicant = offer["input_schema"]["properties"]["Applicant"]
    assert applicant["title"] == "tApplicant"
    assert applicant["properties"]["employment"]["enum"] == \
        ["EMPLOYED", "SELF-EMPLOYED", "UNEMPLOYED"]
    assert offer["input_schema"]["properties"]["Loan"]["properties"]["start"] == \
        {"type": "string", "format": "date"}
    assert offer["output_schema"]["properties"] == {"approved": {"type": "boolean"},
                                                    "rate": {"type": "number"}}
    service = description["decision_services"][0]
    assert set(service["input_schema"]["properties"]) == {"Applicant", "Loan"}
    assert set(service["output_schema"]["properties"]) == {"Offer", "Last Payment"}


# --------------------------------------------------------------------------- versions


def test_versions_newest_active_unless_pinned(tmp_path: Path) -> None:
    admin = _client(tmp_path, "admin-key")
    stew = CAMUNDA.replace('"Spareribs"', '"Stew"')
    for text in (CAMUNDA, stew):
        assert admin.post("/v1/dmn/dish", json={"files": {"dish.dmn": text}}).status_code == 201
    body = {"guestCount": 4, "month": 10}

    def dish(query: str = "") -> Any:
        return admin.post(f"/v1/dmn/dish/Dish{query}", json=body).json()["result"]

    assert dish() == "Stew"
    assert dish("?version=1") == "Spareribs"
    pinned = admin.request("PUT", "/v1/dmn/dish/pin", json={"version": 1})
    assert pinned.json()["version"] == 1 and pinned.json()["active"]
    assert dish() == "Spareribs"
    versions = admin.get("/v1/dmn/dish/versions").json()["versions"]
    assert [(v["version"], v["active"], v["created_by"]) for v in versions] == \
        [(1, True, "ops"), (2, False, "ops")]
    third = admin.post("/v1/dmn/dish", json={"files": {"dish.dmn": stew}}).json()
    assert third["version"] == 3 and not third["active"]  # the pin holds
    assert admin.request("PUT", "/v1/dmn/dish/pin", json={"version": None}).json()["version"] == 3
    assert dish() == "Stew"
    _error(admin.request("PUT", "/v1/dmn/dish/pin", json={"version": 9}), 404, "dmn_not_found")


def test_a_refused_deployment_stores_nothing(tmp_path: Path) -> None:
    admin = _client(tmp_path, "admin-key")
    assert admin.post("/v1/dmn/loan", json={"files": DROOLS}).status_code == 201
    broken = {"loan-approval.dmn": DROOLS["loan-approval.dmn"]}  # its import is missing
    message = _error(admin.post("/v1/dmn/loan", json={"files": broken}), 422,
                     "invalid_dmn_model")
    assert "_RISK_LIBRARY" in message
    _error(admin.post("/v1/dmn/loan", json={"files": {"x.dmn": "<nope"}}), 422,
           "invalid_dmn_model")
    _error(admin.post("/v1/dmn/bad%21name", json={"files": DROOLS}), 422, "invalid_dmn_model")
    _error(admin.post("/v1/dmn/loan", json={"files": {"../x.dmn": CAMUNDA}}), 422,
           "invalid_dmn_model")
    assert len(admin.get("/v1/dmn/loan/versions").json()["versions"]) == 1


# --------------------------------------------------------------------------- refusals


def test_keys_and_scopes(project: Path) -> None:
    _error(_client(project, None).get("/v1/dmn"), 401, "missing_api_key")
    _error(_client(project, "profiles-key").post("/v1/dmn/dish/Dish", json={}), 403,
           "missing_scope")
    channel = _client(project, "dmn-key")
    _error(channel.post("/v1/dmn/dish", json={"files": {"dish.dmn": CAMUNDA}}), 403,
           "missing_scope")
    _error(channel.request("PUT", "/v1/dmn/dish/pin", json={"version": 1}), 403, "missing_scope")


def test_unknown_names_and_bad_bodies(client: ApiClient) -> None:
    _error(client.get("/v1/dmn/nope"), 404, "dmn_not_found")
    _error(client.post("/v1/dmn/nope/Dish", json={}), 404, "dmn_not_found")
    message = _error(client.post("/v1/dmn/dish/Dessert", json={}), 404, "dmn_not_found")
    assert "'Dessert'" in message
    _error(client.get("/v1/dmn/dish?version=7"), 404, "dmn_not_found")
    _error(client.post("/v1/dmn/dish/Dish", json=[1, 2]), 400, "invalid_request")
    _error(client.post("/v1/dmn/dish/Dish", content=b"{oops"), 400, "invalid_request")
    _error(client.post("/v1/dmn/dish/Dish", content=b'{"month": NaN}'), 400,
           "invalid_request")
