"""The rules table upload: the role is checked before the body is read, the body is bounded,
and a workbook is checked against its limits (unpacked size, rows, cells) before and while it
is parsed, with a page naming the limit. Also: a segment condition that SQL cannot express
is refused in the form instead of breaking the next build."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote_plus

import httpx
import pytest

from accord.rules.governance import Governance
from accord.server.runtime import open_project_operational
from tests.web.conftest import PASSWORDS, Site
from tests.web.test_login import form_token

VIP_ROWS = [["input:monetary:number", "output:VIP eligible:boolean"], [">= 800", "true"],
            ["", "false"]]


@pytest.fixture
def login(served: str) -> Iterator[Callable[[str], httpx.Client]]:
    opened: list[httpx.Client] = []

    def log_in(user: str) -> httpx.Client:
        client = httpx.Client(base_url=served, follow_redirects=False, timeout=120)
        opened.append(client)
        token = form_token(client.get("/app/login").text)
        response = client.post("/app/login", data={"username": user, "csrf": token,
                                                   "password": PASSWORDS[user]})
        assert response.status_code == 303, response.text[:300]
        return client

    yield log_in
    for client in opened:
        client.close()


def workbook(rows: list[list[str]], *, huge_cell: int = 0, far_row: int = 0) -> bytes:
    """An .xlsx of ``rows``; ``huge_cell`` adds a cell of that many characters (it packs to
    a few kilobytes), ``far_row`` a cell that far down the sheet."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if far_row:
        sheet.cell(row=far_row, column=1, value="true")
    out = io.BytesIO()
    book.save(out)
    if not huge_cell:
        return out.getvalue()
    packed = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, \
            zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", (
                    b'<row r="9"><c r="A9" t="inlineStr"><is><t>' + b"a" * huge_cell
                    + b"</t></is></c></row></sheetData>"))
            target.writestr(member, data)
    return packed.getvalue()


def upload(client: httpx.Client, content: bytes, *, name: str = "vip.xlsx",
           csrf: str | None = None) -> httpx.Response:
    token = csrf if csrf is not None else form_token(client.get("/app/rules").text)
    return client.post("/app/rules/import-table",
                       data={"table": "VIP eligible", "csrf": token},
                       files={"sheet": (name, content, "application/octet-stream")})


def _message(response: httpx.Response) -> str:
    return unquote_plus(response.headers.get("location", "")) + response.text


def test_a_good_workbook_becomes_a_draft(login: Callable[[str], httpx.Client],
                                         site: Site) -> None:
    response = upload(login("mia"), workbook(VIP_ROWS))
    assert response.status_code == 303 and response.headers["location"].startswith(
        "/app/rules/v2"), _message(response)
    governance = Governance(open_project_operational(site.directory), site.clock)
    assert [v.version for v in governance.rules.versions()] == ["v1", "v2"]


def test_the_role_is_checked_before_the_body_is_read(
        login: Callable[[str], httpx.Client], site: Site) -> None:
    ola = login("ola")  # an approver: may not author rules
    # a body that is not even a form: refused for the role, not for its shape
    garbage = ola.post("/app/rules/import-table", content=b"\x00" * 1000,
                       headers={"content-type": "multipart/form-data; boundary=x"})
    assert garbage.status_code == 403 and "author rules" in garbage.text
    start = time.monotonic()
    bomb = upload(ola, workbook(VIP_ROWS, huge_cell=25 << 20),
                  csrf=form_token(ola.get("/app/rules/v1").text))
    assert bomb.status_code == 403 and time.monotonic() - start < 5


def test_a_workbook_that_unpacks_too_large_is_refused_before_it_is_parsed(
        login: Callable[[str], httpx.Client], site: Site) -> None:
    content = workbook(VIP_ROWS, huge_cell=25 << 20)
    assert len(content) < 200_000  # small as sent, 25 MiB unpacked
    start = time.monotonic()
    response = upload(login("mia"), content)
    elapsed = time.monotonic() - start
    message = _message(response)
    assert response.status_code == 303 and "level=error" in response.headers["location"]
    assert "unpacks to 25.0 MiB, over the limit of 20.0 MiB" in message, message
    assert elapsed < 5, elapsed
    assert "/tmp" not in message  # the file as the user named it, not where it was put
    governance = Governance(open_project_operational(site.directory), site.clock)
    assert [v.version for v in governance.rules.versions()] == ["v1"]


def test_a_sheet_over_the_row_limit_is_refused_while_it_streams(
        login: Callable[[str], httpx.Client]) -> None:
    response = upload(login("mia"), workbook(VIP_ROWS, far_row=20_000))
    assert "more than 10,000 rows, the limit" in _message(response)


def test_the_limits_of_a_workbook(tmp_path: Path) -> None:
    from accord.rules.spreadsheet import SheetLimits, SheetTooLarge, read_table_xlsx

    path = tmp_path / "wide.xlsx"
    path.write_bytes(workbook([["input:x", *(f"output:o{n}" for n in range(60))],
                               *([str(n)] * 61 for n in range(40))]))
    with pytest.raises(SheetTooLarge, match="more than 2,000 cells, the limit"):
        read_table_xlsx(path, name="t", limits=SheetLimits(cells=2_000))
    with pytest.raises(SheetTooLarge, match=r"unpacks to .* over the limit of 0\.0 MiB"):
        read_table_xlsx(path, name="t", limits=SheetLimits(unpacked_bytes=1000))
    with pytest.raises(SheetTooLarge, match=r"holds .* files, over the limit of 2"):
        read_table_xlsx(path, name="t", limits=SheetLimits(members=2))
    assert len(read_table_xlsx(path, name="t").rules) == 40


def test_an_upload_over_the_body_limit_gets_a_page_naming_it(
        login: Callable[[str], httpx.Client]) -> None:
    response = upload(login("mia"), b"x" * (3 << 19), name="big.csv")  # 1.5 MiB
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    assert "at most 1 MiB" in response.text


def test_a_streamed_body_is_cut_off_at_the_limit(login: Callable[[str], httpx.Client]) -> None:
    mia = login("mia")
    boundary = "b0undary"

    def body() -> Iterator[bytes]:  # no Content-Length: the limit is counted as it arrives
        yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"sheet\"; "
               f"filename=\"big.csv\"\r\n\r\n").encode()
        for _ in range(24):
            yield b"x" * (64 << 10)

    response = mia.post("/app/rules/import-table", content=body(), headers={
        "content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413 and "at most 1 MiB" in response.text


def test_a_condition_sql_cannot_express_is_refused_in_the_form(
        login: Callable[[str], httpx.Client], site: Site) -> None:
    mia = login("mia")
    project = site.directory / "accord.yaml"
    before = project.read_text()
    token = form_token(mia.get("/app/segments").text)
    refused = mia.post("/app/segments", data={"name": "odd", "condition": "monetary >>> 1",
                                               "csrf": token, "description": "kept"})
    assert refused.status_code == 400
    assert "There is a problem" in refused.text
    assert "cannot be compiled to SQL" in refused.text
    assert 'aria-invalid="true"' in refused.text and ">monetary &gt;&gt;&gt; 1</textarea>" \
        in refused.text  # what was typed stays in the form
    assert project.read_text() == before
    unknown = mia.post("/app/segments", data={"name": "odd", "condition": "no_such > 1",
                                               "csrf": token})
    assert unknown.status_code == 400 and project.read_text() == before


