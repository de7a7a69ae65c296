"""Issue 9's acceptance in a real browser (headless Chromium, Debian's, driven by Playwright):
a marketer edits a cell of a decision table in the dmn-js editor, saves, submits, runs the
simulation; an approver approves and activates; the customer's 360 page shows the new
decision with its reason. Each page's screenshot is saved in ``test-artifacts/web/``.
A marketer finds no approve button, and the endpoint itself refuses her (403).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from accord.rules.governance import Governance
from accord.rules.simulation import assignments
from accord.rules.simulation_store import simulation_store
from accord.server.runtime import open_project_operational
from tests.web.conftest import NOW, PASSWORDS, Site

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
VIP = "eligibility-value.dmn"


def _chromium() -> str | None:
    for name in (os.environ.get("ACCORD_CHROMIUM"), "chromium", "chromium-browser",
                 "google-chrome"):
        if name and (found := shutil.which(name)):
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e .[dev])")
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed: run scripts/services.sh (apt-get install "
                    "chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True,
                                              args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page whose script errors and Content-Security-Policy refusals fail the test: every
    page must work under the policy it is served with."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text)
              if "Content Security Policy" in message.text else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("response", lambda response: problems.append(f"{response.status} {response.url}")
              if response.status == 404 and "/app/static/" in response.url else None)
    yield opened
    context.close()
    assert problems == [], "\n".join(problems)


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/app/login")
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(PASSWORDS[user])
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/app")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r".*/app/login.*"))


def _movers(site: Site) -> list[str]:
    """Customers whom a VIP threshold of 800 (instead of 1000) moves to the VIP lounge."""
    governance = Governance(open_project_operational(site.directory), site.clock)
    old = governance.rules.load("v1")
    catalogue, files = governance.rules.files("v1")
    from accord.decisioning.catalogue_file import build_ruleset

    new = build_ruleset("v2", catalogue, {**files, VIP: files[VIP].replace(
        "&gt;= 1000", "&gt;= 800")})
    store = simulation_store(site.directory)
    try:
        before = assignments(store, old, channel="web", placement="hero", at=NOW)
        after = assignments(store, new, channel="web", placement="hero", at=NOW)
    finally:
        store.close()
    return sorted(c for c in before if before[c] != after[c] and after[c] == "vip-lounge")


def test_marketer_edits_submits_simulates_approver_activates_customer_sees_it(
        page: Any, served: str, site: Site) -> None:
    movers = _movers(site)
    assert movers, "the demo should have customers between 800 and 1000"

    # the marketer edits one cell of the VIP table in the dmn-js editor and saves a draft
    log_in(page, served, "mia")
    shot(page, "01-home-marketer")
    page.goto(f"{served}/app/rules/v1")
    shot(page, "02-version-v1")
    page.get_by_role("link", name=VIP).click()
    page.wait_for_selector("body[data-editor-ready]")
    cell = page.locator(".tjs-table td", has_text=">= 1000").first.locator(
        "[contenteditable]")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(">= 800")
    shot(page, "03-editor")
    edited = page.evaluate("async () => (await window.accordModeler.saveXML()).xml")
    assert "<text>&gt;= 800</text>" in edited and "&gt;= 1000" not in edited
    page.get_by_label("What changed").fill("VIPs from 800")
    page.get_by_role("button", name="Save as a new draft").click()
    page.wait_for_url(re.compile(r".*/app/rules/v2(\?.*)?$"))
    assert "draft" in page.locator("#state").inner_text()
    assert "800" in page.locator("#diff ~ ul, section[aria-labelledby=diff]").first.inner_text()

    # submit (the simulation runs with it), then run it again from the button
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url(re.compile(r".*/app/rules/v2.*"))
    assert "in review" in page.locator("#state").inner_text()
    page.get_by_role("button", name=re.compile("Run the simulation")).click()
    page.wait_for_url(re.compile(r".*/app/rules/v2.*"))
    summary = page.locator("ul.summary").inner_text()
    moved = re.search(r"web / hero: (\d+) customers move from (\S+) to vip-lounge", summary)
    assert moved, summary
    assert page.locator("figure.chart svg").count() >= 2  # the charts were drawn
    shot(page, "04-simulation")
    assert page.get_by_role("button", name="Approve").count() == 0
    token = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(f"{served}/app/rules/v2/approve", form={"csrf": token})
    assert refused.status == 403
    log_out(page)

    # the approver approves and activates
    log_in(page, served, "ola")
    assert page.get_by_role("link", name="v2").count() >= 1  # waiting for her approval
    shot(page, "05-home-approver")
    page.goto(f"{served}/app/rules/v2")
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(re.compile(r".*/app/rules/v2.*"))
    page.get_by_role("button", name="Activate now").click()
    page.wait_for_url(re.compile(r".*/app/rules/v2.*"))
    assert "active" in page.locator("#state").inner_text()
    shot(page, "06-activated")

    # a customer who moves now gets the VIP lounge on the web, with its reason
    found = None
    for customer in movers[:15]:
        for _ in range(20):  # the server picks up the activation within a second
            page.goto(f"{served}/app/customers/{customer}")
            web = page.locator("article[data-channel=web]")
            if "v2" in web.locator("h3").inner_text():
                break
            page.wait_for_timeout(200)
        if "vip-lounge" in web.locator("ul.given").inner_text():
            found = customer
            break
    assert found is not None, "no moved customer was shown the VIP lounge"
    reason = web.locator("tr", has_text="vip-lounge").first.locator("td.reason").inner_text()
    assert reason == "selected", reason
    shot(page, "07-customer-360")


UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), textarea, select'))
  .filter(el => !(el.id && document.querySelector(`label[for="${el.id}"]`))
                && !el.getAttribute('aria-label') && !el.closest('label')
                && !el.closest('#canvas'))
  .map(el => el.outerHTML)"""


def test_every_page_in_the_browser_labelled_and_usable_by_keyboard(
        page: Any, served: str, site: Site) -> None:
    import duckdb

    with duckdb.connect(str(site.directory / ".accord" / "analytics.duckdb"),
                        read_only=True) as db:
        row = db.execute("SELECT p.customer_id FROM profiles p ORDER BY monetary DESC "
                         "LIMIT 1").fetchone()
        identifier = db.execute("SELECT value FROM identifiers WHERE kind = 'email' LIMIT 1"
                                ).fetchone()
    assert row is not None and identifier is not None
    log_in(page, served, "mia")
    # the first Tab reaches the skip link, and it moves focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # find a customer by e-mail through the search form, with the keyboard only
    page.goto(f"{served}/app/customers")
    page.get_by_label("Customer id, e-mail, phone or CRM id").fill(identifier[0].upper())
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/app/customers/c_.*"))
    assert page.locator("article[data-channel=web]").count() == 1
    shot(page, "10-customer-by-email")
    # a segment condition is counted as it is typed, with its chart
    page.goto(f"{served}/app/segments")
    page.get_by_label("Condition (FEEL, over the profile's fields)").fill("monetary > 500")
    page.wait_for_selector("#preview .count")
    assert "customers match now" in page.locator("#preview").inner_text()
    page.wait_for_selector("#preview figure.chart svg")
    shot(page, "11-segment-editor")
    page.get_by_label("Condition (FEEL, over the profile's fields)").fill("monetary >")
    page.wait_for_selector("#preview [role=alert]")
    for path, name in (("/app", "12-home"), ("/app/rules", "13-rules"),
                       ("/app/campaigns", "14-campaigns"), ("/app/calendar", "15-calendar"),
                       ("/app/feedback", "17-feedback"),
                       (f"/app/customers/{row[0]}", "16-customer")):
        page.goto(f"{served}{path}")
        assert page.evaluate(UNLABELLED) == [], f"unlabelled fields on {path}"
        assert page.locator("h1").count() == 1
        shot(page, name)


def test_a_refused_segment_shows_its_error_and_a_logged_out_session_stays_out(
        page: Any, served: str) -> None:
    log_in(page, served, "mia")
    page.goto(f"{served}/app/segments")
    page.get_by_label("Name", exact=True).fill("odd")
    page.get_by_label("Condition (FEEL, over the profile's fields)").fill("monetary >>> 1")
    page.get_by_role("button", name="Save segment").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert "cannot be compiled to SQL" in summary.inner_text()
    assert page.get_by_label("Condition (FEEL, over the profile's fields)").input_value() \
        == "monetary >>> 1"
    shot(page, "18-segment-refused")
    page.get_by_role("link", name="mia").click()
    page.wait_for_url(f"{served}/app/account")
    assert page.get_by_label("Current password").count() == 1
    shot(page, "19-account")
    cookie = next(c for c in page.context.cookies() if c["name"] == "accord_session")
    log_out(page)
    page.context.add_cookies([cookie])  # the old cookie put back, as a thief would
    page.goto(f"{served}/app/rules")
    assert "/app/login" in page.url
