"""``accord.yaml`` errors name the file, the line and the field, and say what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ConfigError
from accord.project import ProjectConfigError, load_project, parse_project

GOOD = """\
name: shop
sources:
  crm:
    entity: contacts
    type: csv
    path: data/*.csv
    columns:
      source_id: id
      email: mail
segments:
  - name: big
    condition: orders_count > 2
"""


def problem(text: str, tmp_path: Path) -> ProjectConfigError:
    file = tmp_path / "accord.yaml"
    file.write_text(text, encoding="utf-8")
    with pytest.raises(ProjectConfigError) as caught:
        load_project(tmp_path)
    return caught.value


def test_the_good_project_loads() -> None:
    assert parse_project(GOOD).sources["crm"].columns == {"source_id": "id", "email": "mail"}


def test_unknown_field(tmp_path: Path) -> None:
    error = problem(GOOD.replace("    type: csv\n", "    type: csv\n    delimter: ';'\n"),
                    tmp_path)
    assert error.file == tmp_path / "accord.yaml"
    assert error.line == 6
    assert f"{tmp_path / 'accord.yaml'}, line 6: sources.crm.delimter: unknown field" \
        in str(error)


def test_unknown_canonical_field(tmp_path: Path) -> None:
    error = problem(GOOD.replace("      email: mail\n", "      e_mail: mail\n"), tmp_path)
    assert error.line == 7
    assert "sources.crm.columns: unknown contacts field(s) e_mail; known: source_id" \
        in str(error)


def test_wrong_type(tmp_path: Path) -> None:
    error = problem(GOOD.replace("    type: csv\n", "    type: csv\n    priority: high\n"),
                    tmp_path)
    assert error.line == 6
    assert "sources.crm.priority: Input should be a valid integer" in str(error)
    assert "(got 'high')" in str(error)


def test_wrong_choice(tmp_path: Path) -> None:
    error = problem(GOOD.replace("type: csv", "type: excel"), tmp_path)
    assert error.line == 5
    assert "sources.crm.type: Input should be 'csv', 'parquet', 'ndjson', 'sqlite' or " \
           "'postgres' (got 'excel')" in str(error)


def test_bad_feel(tmp_path: Path) -> None:
    error = problem(GOOD.replace("orders_count > 2", "orders_count >"), tmp_path)
    assert error.line == 12
    assert "segments.0.condition: FEEL" in str(error)


def test_missing_required_field(tmp_path: Path) -> None:
    error = problem(GOOD.replace("      source_id: id\n", ""), tmp_path)
    assert "sources.crm.columns: must map 'source_id'" in str(error)


def test_yaml_syntax(tmp_path: Path) -> None:
    error = problem("name: shop\nsources: [\n", tmp_path)
    assert error.line == 3 and "(YAML)" in str(error)


def test_no_project_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no project file .*accord init DIR"):
        load_project(tmp_path)
