"""A decision table from a spreadsheet replaces (or adds) one model of a rule set."""

from __future__ import annotations

import pytest

from accord.decisioning.catalogue_file import build_ruleset, read_folder
from accord.demo.rules import RULES_DIR
from accord.dmn import Model, read_dmn
from accord.errors import ConfigError
from accord.rules.spreadsheet import read_table_csv
from accord.rules.tables import import_table

VIP = ("input:monetary:number,input:segments,output:VIP eligible:boolean\n"
       ">= 800,-,true\n-,\"list contains(?, \"\"vip\"\")\",true\n-,-,false\n")


def test_a_table_replaces_the_model_of_its_decision() -> None:
    catalogue, files = read_folder(RULES_DIR)
    imported = import_table(files, "VIP eligible", read_table_csv(VIP, name="VIP eligible"))
    assert (imported.file, imported.added) == ("eligibility-value.dmn", False)
    assert set(imported.files) == set(files)
    assert {n: t for n, t in imported.files.items() if n != imported.file} == {
        n: t for n, t in files.items() if n != imported.file}
    written = imported.files[imported.file]
    assert "https://www.omg.org/spec/DMN/20191111/MODEL/" in written  # DMN 1.3
    build_ruleset("v2", catalogue, imported.files)  # the rule set still compiles
    model = Model(read_dmn(written))
    assert [d.name for d in model.definitions.decisions] == ["VIP eligible"]
    assert model.evaluate("VIP eligible", {"monetary": 900, "segments": []}).value is True
    assert model.evaluate("VIP eligible", {"monetary": 700, "segments": []}).value is False


def test_a_new_table_gets_a_file_of_its_own() -> None:
    _, files = read_folder(RULES_DIR)
    table = read_table_csv("input:orders:number,output:Loyal:boolean\n>= 10,true\n",
                           name="Loyal customer")
    imported = import_table(files, "Loyal customer", table)
    assert (imported.file, imported.added) == ("loyal-customer.dmn", True)
    taken = {**files, "loyal-customer.dmn": files["eligibility-cart.dmn"]}
    clash = import_table(taken, "Loyal customer", table)
    assert clash.file == "loyal-customer-new.dmn"


def test_a_model_shared_with_other_decisions_is_not_rewritten() -> None:
    _, files = read_folder(RULES_DIR)
    shared = files["eligibility-value.dmn"].replace(
        "</definitions>", '<decision id="d2" name="Other"><literalExpression><text>1</text>'
        "</literalExpression></decision></definitions>")
    with pytest.raises(ConfigError, match="defines 'VIP eligible' together with Other"):
        import_table({**files, "eligibility-value.dmn": shared}, "VIP eligible",
                     read_table_csv(VIP, name="VIP eligible"))
