"""Serving DMN models: JSON values and schemas, stored versions, Camunda-style variables."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from accord.clock import FixedClock
from accord.dmn import load
from accord.dmn.json_schema import schema_of
from accord.dmn.json_values import JsonInputError, from_json, parse_json, to_json
from accord.dmn.repository import DeploymentError, StoredModels, main_file
from accord.dmn.runtime import load_files
from accord.dmn.serving import ModelNotFound, ServedModel
from accord.dmn.types import TypeRegistry
from accord.errors import DmnModelError
from accord.feel.values import YearsMonthsDuration
from accord.feel.wide import WideDate
from accord.operational import open_operational
from accord.operational.schema import audit_log
from accord.operational.store import sqlite_url

FIXTURES = Path(__file__).parent / "fixtures"
DROOLS = {p.name: p.read_text() for p in (FIXTURES / "drools").glob("*.dmn")}
CAMUNDA = (FIXTURES / "camunda-modeler-5.dmn").read_text()
LIST_MODEL = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    namespace="urn:t" name="t">
  <itemDefinition name="tDates" isCollection="true"><typeRef>date</typeRef></itemDefinition>
</definitions>"""


# --------------------------------------------------------------------------- JSON values


def test_parse_json_reads_numbers_exactly() -> None:
    assert parse_json(b'{"a": 0.1, "b": [1, 2e3]}') == \
        {"a": Decimal("0.1"), "b": [Decimal(1), Decimal("2E+3")]}
    with pytest.raises(JsonInputError, match="not JSON"):
        parse_json(b"{")
    with pytest.raises(JsonInputError):
        parse_json(b"[Infinity]")


def test_strings_become_temporals_only_where_the_type_says() -> None:
    registry = TypeRegistry()
    date, string = registry.resolve("date"), registry.resolve("string")
    assert from_json("2024-02-29", date) == dt.date(2024, 2, 29)
    assert from_json("-2024-02-29", date) == WideDate(-2024, 2, 29)
    assert from_json("2024-02-29", string) == "2024-02-29"
    assert from_json("2024-02-29", None) == "2024-02-29"
    assert from_json("not a date", date) == "not a date"  # reported by the engine, typed
    assert from_json("P1Y2M", registry.resolve("years and months duration")) == \
        YearsMonthsDuration(14)
    assert from_json("10:00:00Z", registry.resolve("time")) == \
        dt.time(10, tzinfo=dt.UTC)
    assert from_json(None, date) is None


def test_structures_and_collections_are_typed_inside() -> None:
    loan = load(FIXTURES / "drools" / "loan-approval.dmn")
    t_loan = loan.registry.resolve("tLoan")
    value = from_json({"amount": Decimal(1), "start": "2024-01-31", "extra": 1.5}, t_loan)
    assert value == {"amount": Decimal(1), "months": None, "start": dt.date(2024, 1, 31),
                     "extra": Decimal("1.5")}
    scores = load_files({"t.dmn": LIST_MODEL}, "t.dmn").registry.resolve("tDates")
    assert from_json(["2024-01-01", None], scores) == [dt.date(2024, 1, 1), None]


def test_to_json() -> None:
    value = {"n": Decimal("0.10"), "big": Decimal("1E+3"), "d": dt.date(2024, 1, 2),
             "t": dt.timedelta(days=1, hours=2), "l": [True, None, "é"],
             "w": WideDate(-5, 1, 1)}
    assert to_json(value) == ('{"n":0.1,"big":1000,"d":"2024-01-02","t":"P1DT2H",'
                              '"l":[true,null,"é"],"w":"-0005-01-01"}')


# --------------------------------------------------------------------------- JSON Schema


def test_schema_of_item_definitions() -> None:
    library = load(FIXTURES / "drools" / "risk-library.dmn")
    applicant = schema_of(library.registry.resolve("tApplicant"))
    assert applicant == {
        "type": "object", "title": "tApplicant",
        "properties": {
            "age": {"type": "number"},
            "monthly income": {"type": "number"},
            "employment": {"type": "string", "title": "tEmployment",
                           "enum": ["EMPLOYED", "SELF-EMPLOYED", "UNEMPLOYED"]},
        }}
    assert schema_of(None) == {}
    assert schema_of(TypeRegistry().resolve("date and time")) == \
        {"type": "string", "format": "date-time"}


def test_schema_of_collections_ranges_and_recursion() -> None:
    xml = """<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
        namespace="urn:t" name="t">
      <itemDefinition name="tScores" isCollection="true"><typeRef>number</typeRef>
        <allowedValues><text>[0..100]</text></allowedValues></itemDefinition>
      <itemDefinition name="tNode">
        <itemComponent name="value"><typeRef>number</typeRef></itemComponent>
        <itemComponent name="next"><typeRef>tNode</typeRef></itemComponent>
      </itemDefinition>
    </definitions>"""
    model = load_files({"t.dmn": xml}, "t.dmn")
    scores = schema_of(model.registry.resolve("tScores"))
    assert scores == {"type": "array", "items": {"type": "number", "title": "tScores",
                                                  "x-feel-allowed-values": "[0..100]"}}
    node = schema_of(model.registry.resolve("tNode"))
    assert node["properties"]["value"] == {"type": "number"}
    assert node["properties"]["next"] == {}  # the recursion stops at the repeat


# --------------------------------------------------------------------------- loading files


def test_load_files_resolves_imports_among_the_files() -> None:
    model = load_files(DROOLS, "loan-approval.dmn")
    assert sorted(model.imports) == ["risk"]
    assert main_file(DROOLS) == "loan-approval.dmn"
    with pytest.raises(DmnModelError, match="not among the files"):
        load_files({"loan-approval.dmn": DROOLS["loan-approval.dmn"]}, "loan-approval.dmn")
    with pytest.raises(DmnModelError, match="no file"):
        load_files(DROOLS, "other.dmn")


def test_main_file_must_be_unambiguous() -> None:
    with pytest.raises(DeploymentError, match="cannot tell which file"):
        main_file({"a.dmn": CAMUNDA, "b.dmn": DROOLS["risk-library.dmn"]})


def test_input_data_through_imports() -> None:
    model = load(FIXTURES / "drools" / "loan-approval.dmn")
    found = [(path, element.name) for path, _, element in model.input_data("Offer")]
    assert found == [((), "Loan"), ((), "Applicant")]


# --------------------------------------------------------------------------- Camunda style


def test_camunda_models_read_inputs_as_variables() -> None:
    model = load(FIXTURES / "camunda-modeler-5.dmn")
    # standard DMN: "month" and "guestCount" name no requirement, so they are null
    assert model.evaluate("Dish", {"guestCount": Decimal(4), "month": Decimal(10)}).value == \
        "Roastbeef"
    served = ServedModel("dish", 1, model)
    assert served.camunda
    assert served.evaluate("Dish", {"guestCount": 4, "month": 10}).result == "Spareribs"
    with pytest.raises(ModelNotFound, match="no decision or decision service"):
        served.evaluate("Dessert", {})


def test_standard_models_do_not_see_extra_inputs() -> None:
    served = ServedModel("loan", 1, load(FIXTURES / "drools" / "loan-approval.dmn"))
    assert not served.camunda
    result = served.evaluate("Last Payment", {"Loan": {"months": 1, "start": "2024-01-31"},
                                              "Applicant Risk": 99})
    assert result.result == dt.date(2024, 2, 29)


# --------------------------------------------------------------------------- stored versions


@pytest.fixture
def stored(tmp_path: Path) -> StoredModels:
    store = open_operational(sqlite_url(tmp_path / "operational.sqlite"))
    return StoredModels(store, FixedClock(dt.datetime(2026, 1, 2, 3, 4, 5)))


def test_deploy_versions_and_pins(stored: StoredModels) -> None:
    first = stored.deploy("loan", DROOLS, None, "first", "ops")
    assert (first.version, first.active, first.main) == (1, True, "loan-approval.dmn")
    assert first.created_at == "2026-01-02T03:04:05+00:00"
    second = stored.deploy("loan", DROOLS, "loan-approval.dmn", "again", "ops")
    assert second.version == 2 and second.checksum == first.checksum
    assert stored.get("loan").version == 2
    assert stored.get("loan") is stored.get("loan", 2)  # cached: versions never change
    assert stored.pin("loan", 1, "ops").version == 1
    assert stored.get("loan").version == 1
    assert stored.pin("loan", None, "ops").version == 2
    assert stored.names() == ["loan"]
    assert stored.files("loan", 1) == ("loan-approval.dmn", DROOLS)
    with stored.engine.connect() as connection:
        log = connection.execute(sa.select(audit_log.c.action, audit_log.c.subject,
                                           audit_log.c.reason, audit_log.c.detail)
                                 .order_by(audit_log.c.id)).all()
    assert [(a, s, r, d["version"]) for a, s, r, d in log] == [
        ("dmn.deploy", "dmn:loan", "first", 1), ("dmn.deploy", "dmn:loan", "again", 2),
        ("dmn.pin", "dmn:loan", "", 1), ("dmn.unpin", "dmn:loan", "", None)]


def test_refusals_store_nothing(stored: StoredModels) -> None:
    with pytest.raises(DeploymentError, match="model name"):
        stored.deploy("bad/name", DROOLS, None, "", "ops")
    with pytest.raises(DeploymentError, match="no files"):
        stored.deploy("loan", {}, None, "", "ops")
    with pytest.raises(DeploymentError, match="main file"):
        stored.deploy("loan", DROOLS, "nope.dmn", "", "ops")
    with pytest.raises(DmnModelError):
        stored.deploy("loan", {"loan.dmn": DROOLS["loan-approval.dmn"]}, None, "", "ops")
    assert stored.names() == []
    with pytest.raises(ModelNotFound):
        stored.get("loan")
    with pytest.raises(ModelNotFound):
        stored.versions("loan")
    with pytest.raises(ModelNotFound):
        stored.pin("loan", 1, "ops")
