"""Decision tables from CSV and XLSX: layout, validation naming cells, round trips."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from accord.dmn import Model, read_dmn, write_dmn
from accord.dmn import model as m
from accord.errors import ConfigError
from accord.rules import (
    SpreadsheetError,
    read_table_csv,
    read_table_xlsx,
    table_to_definitions,
    write_table_csv,
    write_table_xlsx,
)

# Excel saves the cell "gold" (with its quotes) as a field of three quotes either side
OFFERS_CSV = (
    'hit policy: FIRST,,,\n'
    'input:Segment:string,input:monetary:number,output:Offer:string,annotation:Why\n'
    '"""gold""",>= 100,"""voucher""",big spenders\n'
    '"""gold"",""silver""","[10..100)","""coupon""","two segments, one range"\n'
    ',-,"""newsletter""",\n'
)


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Offers") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def offers() -> m.DecisionTable:
    return read_table_csv(OFFERS_CSV, name="Offers")


# --------------------------------------------------------------------------- reading


def test_csv_layout_becomes_a_decision_table() -> None:
    table = offers()
    assert table.hit_policy is m.HitPolicy.FIRST and table.aggregation is None
    assert table.label == "Offers"
    assert [(c.input_expression.text, c.input_expression.type_ref) for c in table.inputs] == [
        ("Segment", "string"), ("monetary", "number")]
    assert [(c.name, c.type_ref) for c in table.outputs] == [("Offer", "string")]
    assert [a.name for a in table.annotations] == ["Why"]
    assert [r.id for r in table.rules] == ["rule_1", "rule_2", "rule_3"]
    assert [e.text for e in table.rules[1].input_entries] == ['"gold","silver"', "[10..100)"]
    # an empty input cell means any value
    assert table.rules[2].input_entries[0].text == "-"
    assert table.rules[1].annotation_entries == ("two segments, one range",)


def test_imported_table_evaluates() -> None:
    model = Model(table_to_definitions(offers(), "Offer"))
    assert model.evaluate("Offer", {"Segment": "gold", "monetary": 250}).value == "voucher"
    assert model.evaluate("Offer", {"Segment": "silver", "monetary": 50}).value == "coupon"
    assert model.evaluate("Offer", {"Segment": "bronze", "monetary": 5}).value == "newsletter"


def test_hit_policy_from_the_sheet_and_collect_aggregation(tmp_path: Path) -> None:
    path = tmp_path / "points.csv"
    path.write_text("hit policy: C+\ninput:Age:number,output:Points:number\n"
                    "> 18,10\n> 65,5\n-,1\n", encoding="utf-8")
    table = read_table_csv(path, name="Points")
    assert (table.hit_policy, table.aggregation) == (m.HitPolicy.COLLECT, m.Aggregation.SUM)
    result = Model(table_to_definitions(table, "Points")).evaluate("Points", {"Age": 70})
    assert result.value == Decimal(16)


def test_hit_policy_argument_without_metadata_row() -> None:
    table = read_table_csv("input:x,output:y\n1,1\n", name="t", hit_policy="rule order")
    assert table.hit_policy is m.HitPolicy.RULE_ORDER
    assert read_table_csv("input:x,output:y\n1,1\n", name="t").hit_policy is m.HitPolicy.FIRST
    with pytest.raises(ConfigError, match="unknown hit policy 'SOMETIMES'"):
        read_table_csv("input:x,output:y\n1,1\n", name="t", hit_policy="SOMETIMES")


def test_multiple_outputs_give_a_context_and_paths_give_input_data() -> None:
    table = read_table_csv(
        "input:Customer.segment,output:Offer,output:Channel\n"
        '"""gold""","""voucher""","""email"""\n'
        '-,"""none""",Customer.preferred\n', name="Offer")
    definitions = table_to_definitions(table, "Offer")
    assert [d.name for d in definitions.input_data] == ["Customer"]
    model = Model(definitions)
    value = model.evaluate("Offer", {"Customer": {"segment": "gold"}}).value
    assert value == {"Offer": "voucher", "Channel": "email"}
    value = model.evaluate("Offer", {"Customer": {"segment": "x", "preferred": "sms"}}).value
    assert value == {"Offer": "none", "Channel": "sms"}


def test_definitions_round_trip_through_dmn_xml() -> None:
    definitions = table_to_definitions(offers(), "Offer")
    assert [(d.name, d.variable.type_ref if d.variable else None)
            for d in definitions.input_data] == [("Segment", "string"), ("monetary", "number")]
    again = read_dmn(write_dmn(definitions))
    assert again.decisions == definitions.decisions


def test_csv_with_byte_order_mark_semicolons_and_blank_rows(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text('input:monetary;output:Tier;;\n>= 100;"""high""";;\n;;;\n-;"""low"""\n',
                    encoding="utf-8-sig")
    table = read_table_csv(str(path), name="Tier", delimiter=";")
    assert [[e.text for e in r.output_entries] for r in table.rules] == [['"high"'], ['"low"']]


def test_xlsx_reads_typed_cells_as_feel(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "typed.xlsx", [
        ["input:monetary:number", "input:vip:boolean", "input:since:date", "output:Rate"],
        [100, True, datetime.datetime(2024, 1, 31), 0.25],
        [None, None, None, 1],
    ])
    table = read_table_xlsx(path, name="Rate")
    assert [e.text for e in table.rules[0].input_entries] == [
        "100", "true", 'date and time("2024-01-31T00:00:00")']
    assert [[e.text for e in r.output_entries] for r in table.rules] == [["0.25"], ["1"]]


def test_xlsx_sheet_by_name(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["not", "a", "table"])
    other = workbook.create_sheet("Offers")
    other.append(["input:x", "output:y"])
    other.append(["1", "2"])
    workbook.save(path)
    assert len(read_table_xlsx(path, name="t", sheet="Offers").rules) == 1
    with pytest.raises(ConfigError, match=r"has no sheet 'Nope' \(sheets: Sheet, Offers\)"):
        read_table_xlsx(path, name="t", sheet="Nope")


def test_unreadable_files_raise_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read decision table"):
        read_table_csv(tmp_path / "missing.csv", name="t")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip file")
    with pytest.raises(ConfigError, match="cannot read workbook"):
        read_table_xlsx(bad, name="t")


# --------------------------------------------------------------------------- round trips


def test_csv_round_trip_keeps_the_table() -> None:
    table = offers()
    text = write_table_csv(table)
    assert text.splitlines()[0] == "hit policy: FIRST,,,"
    assert read_table_csv(text, name="Offers") == table


def test_xlsx_round_trip_keeps_the_table(tmp_path: Path) -> None:
    table = read_table_csv(
        "hit policy: COLLECT MAX\ninput:score:number,output:Level:number,annotation:Note\n"
        "= 5,0.10,starts with an equals sign\n"
        'not(< 3),1e3,"commas, ""quotes"""\n', name="Levels")
    path = tmp_path / "levels.xlsx"
    write_table_xlsx(table, path, sheet="Levels")
    assert read_table_xlsx(path, name="Levels") == table
    # cells are text, so Excel shows "= 5" rather than computing a formula
    workbook = openpyxl.load_workbook(path)
    assert workbook["Levels"]["A3"].value == "= 5"
    assert workbook["Levels"]["A3"].data_type == "s"
    workbook.close()


def test_writer_refuses_what_the_layout_cannot_hold() -> None:
    table = offers()
    limited = m.DecisionTable(
        hit_policy=table.hit_policy, inputs=table.inputs, rules=table.rules,
        outputs=(m.OutputClause(name="Offer", output_values=m.UnaryTests(text='"a","b"')),),
        annotations=table.annotations)
    with pytest.raises(ConfigError, match="cannot hold output values of output 'Offer'"):
        write_table_csv(limited)


def test_unnamed_single_output_from_dmn_is_written_under_a_name() -> None:
    table = m.DecisionTable(
        hit_policy=m.HitPolicy.UNIQUE,
        inputs=(m.InputClause(input_expression=m.LiteralExpression(text="x")),),
        outputs=(m.OutputClause(),),
        rules=(m.Rule(input_entries=(m.UnaryTests(text="1"),),
                      output_entries=(m.LiteralExpression(text="2"),)),))
    assert write_table_csv(table).splitlines()[1] == "input:x,output:result"


# --------------------------------------------------------------------------- validation


def test_every_bad_cell_is_named_in_one_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "rules.xlsx", [
        ["hit policy: FIRST"],
        ["input:Segment:string", "input:monetary:number", "output:Offer"],
        ['"gold"', ">= 100", '"voucher"'],
        ['"silver"', "[1..", '"coupon"'],
        ['"bronze"', ">=", ""],
    ])
    with pytest.raises(SpreadsheetError) as caught:
        read_table_xlsx(path, name="Offers")
    problems = caught.value.problems
    assert [(p.cell, p.column) for p in problems] == [
        ("B4", "input monetary"), ("B5", "input monetary"), ("C5", "output Offer")]
    assert str(problems[1]) == (
        f"{path}, sheet Offers, cell B5 (input monetary): unexpected end of expression at "
        "line 1, column 3 (expected an expression)")
    message = str(caught.value)
    assert message.startswith("3 bad cells:\n")
    assert "cell C5 (output Offer): empty expression at line 1, column 1" in message
    assert isinstance(caught.value, ConfigError)


def test_single_bad_cell_message_names_file_cell_and_column(tmp_path: Path) -> None:
    path = tmp_path / "rules.csv"
    path.write_text("input:monetary,output:Offer\n1,2\n>= 1 +,3\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as caught:
        read_table_csv(path, name="t")
    assert str(caught.value) == (
        f"{path}, cell A3 (input monetary): unexpected end of expression at line 1, "
        "column 7 (expected an expression)")


@pytest.mark.parametrize(("csv_text", "expected"), [
    ("input:x,outptu:y\n1,2\n",
     "CSV text, cell B1: unknown column header 'outptu:y' (expected input:<expression>, "
     "output:<name> or annotation:<name>)"),
    ("input:x,output:y,output:y\n1,2,3\n",
     "CSV text, cell C1 (output y): duplicate column header 'output:y' (also in B1)"),
    ("input:x,,output:y\n1,,2\n", "CSV text, cell B1: empty column header"),
    ("input:x,output:\n1,2\n", "CSV text, cell B1: empty output name in header 'output:'"),
    ("input:x\n1\n", "CSV text, cell A1: no output column (expected at least one "
                     "output:<name>)"),
    ("input:x +,output:y\n1,2\n",
     "CSV text, cell A1 (input x +): input expression: unexpected end of expression at "
     "line 1, column 4 (expected an expression)"),
    ("input:x,output:y\n1,2,3\n",
     "CSV text, cell C2: cell outside the table (no column header above it)"),
    ("hit policy: SOMETIMES\ninput:x,output:y\n1,2\n",
     "CSV text, cell A1: unknown hit policy 'SOMETIMES' (expected one of "),
    ("hit policy: FIRST,oops\ninput:x,output:y\n1,2\n",
     "CSV text, cell B1: the hit policy row must be empty after A1"),
    ('input:Segment,output:y\ngold,"""a"""\n',
     "CSV text, cell A2 (input Segment): unknown name 'gold' (text needs quotes: \"gold\")"),
])
def test_layout_errors_name_the_cell(csv_text: str, expected: str) -> None:
    with pytest.raises(SpreadsheetError) as caught:
        read_table_csv(csv_text, name="t")
    assert str(caught.value).startswith(expected)


def test_hit_policy_argument_must_agree_with_the_sheet() -> None:
    with pytest.raises(SpreadsheetError, match="cell A1: hit policy 'FIRST' differs from "
                                               "the hit_policy='UNIQUE' argument"):
        read_table_csv("hit policy: FIRST\ninput:x,output:y\n1,2\n", name="t",
                       hit_policy="UNIQUE")


def test_names_argument_lets_cells_read_other_inputs() -> None:
    text = "input:monetary,output:Bonus\n> limit,monetary - limit\n"
    with pytest.raises(SpreadsheetError, match="unknown name 'limit'"):
        read_table_csv(text, name="Bonus")
    table = read_table_csv(text, name="Bonus", names=["limit"])
    definitions = table_to_definitions(table, "Bonus")
    assert [d.name for d in definitions.input_data] == ["monetary", "limit"]
    result = Model(definitions).evaluate("Bonus", {"monetary": 150, "limit": 100})
    assert result.value == Decimal(50)
