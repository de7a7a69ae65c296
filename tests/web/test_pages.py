"""The web app over HTTP (no browser): login, pages, role and CSRF refusals, saving a
draft from the editor, a stale save refused, segments checked and saved."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from accord.rules.governance import Governance
from accord.server.runtime import open_project_operational
from tests.web.conftest import PASSWORDS, Site

VIP = "eligibility-value.dmn"


Login = Callable[[str], httpx.Client]


@pytest.fixture
def clients(served: str) -> Iterator[Callable[..., httpx.Client]]:
    """Clients of the served app, closed at the end."""
    opened: list[httpx.Client] = []

    def client(**options: Any) -> httpx.Client:
        opened.append(httpx.Client(base_url=served, follow_redirects=False, timeout=30,
                                   **options))
        return opened[-1]

    yield client
    for each in opened:
        each.close()


@pytest.fixture
def login(clients: Callable[..., httpx.Client]) -> Login:
    def log_in(user: str) -> httpx.Client:
        client = clients()
        response = client.post("/app/login", data={
            "username": user, "password": PASSWORDS[user], "next": "/app",
            "csrf": _csrf(client.get("/app/login").text)})
        assert response.status_code == 303, response.text
        return client

    return log_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _governance(site: Site) -> Governance:
    return Governance(open_project_operational(site.directory), site.clock)


def test_pages_need_a_login_and_a_right_password(
        clients: Callable[..., httpx.Client]) -> None:
    anonymous = clients()
    response = anonymous.get("/app/rules")
    assert response.status_code == 303
    assert response.headers["location"] == "/app/login?next=/app/rules"
    wrong = anonymous.post("/app/login", data={"username": "mia", "password": "nope",
                                               "csrf": _csrf(anonymous.get("/app/login").text)})
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    forged = clients(cookies={"accord_session": "eyJ1IjoibWlhIn0.x"})
    assert forged.get("/app").status_code == 303


def test_every_page_renders_for_a_marketer(login: Login, site: Site) -> None:
    mia = login("mia")
    for path in ("/app", "/app/customers", "/app/segments", "/app/rules", "/app/rules/v1",
                 f"/app/rules/v1/edit/{VIP}"):
        response = mia.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        assert "<main" in response.text and 'aria-label="Main"' in response.text
    home = mia.get("/app").text
    assert "Service levels" in home and "decision API p99 under 50 ms" in home
    assert "v1</a>" in home  # what is live
    editor = mia.get(f"/app/rules/v1/edit/{VIP}").text
    assert "dmn-modeler.production.min.js" in editor and "VIP eligible" in editor
    found = mia.get("/app/customers", params={"q": "no-such-person@example.com"})
    assert found.status_code == 404 and "no profile" in found.text


def test_the_customer_page_shows_each_channels_decision_with_reasons(
        login: Login, site: Site) -> None:
    import duckdb

    with duckdb.connect(str(site.directory / ".accord" / "analytics.duckdb"),
                        read_only=True) as db:
        customer = db.execute("SELECT customer_id FROM profiles ORDER BY monetary DESC "
                              "LIMIT 1").fetchone()
    assert customer is not None
    page = login("mia").get(f"/app/customers/{customer[0]}").text
    assert re.findall(r'data-channel="([^"]+)"', page) == ["app", "contact-centre", "email",
                                                            "web"]
    assert "Every treatment considered, and why" in page
    assert re.search(r'class="reason">(eligible|given|not_eligible|[a-z_]+)<', page)
    assert "Timeline" in page and "order" in page


def test_an_edit_is_saved_as_a_draft_and_a_stale_one_is_refused(
        login: Login, site: Site) -> None:
    mia = login("mia")
    governance = _governance(site)
    _, files = governance.rules.files("v1")
    changed = files[VIP].replace("&gt;= 1000", "&gt;= 800")
    token = _csrf(mia.get(f"/app/rules/v1/edit/{VIP}").text)
    saved = mia.post(f"/app/rules/v1/edit/{VIP}",
                     data={"xml": changed, "csrf": token, "note": "VIPs from 800"})
    assert saved.status_code == 303 and saved.headers["location"].startswith("/app/rules/v2")
    assert governance.rules.files("v2")[1][VIP] == changed
    assert "monetary" in mia.get("/app/rules/v2").text  # the diff names the changed cell
    stale = mia.post(f"/app/rules/v1/edit/{VIP}", data={"xml": changed, "csrf": token})
    assert stale.status_code == 303 and "level=error" in stale.headers["location"]
    assert [v.version for v in governance.rules.versions()] == ["v1", "v2"]
    forged = mia.post(f"/app/rules/v2/edit/{VIP}", data={"xml": changed, "csrf": "x"})
    assert forged.status_code == 400
    assert [v.version for v in governance.rules.versions()] == ["v1", "v2"]


def test_a_marketer_cannot_approve_through_the_page_or_the_endpoint(
        login: Login, site: Site) -> None:
    mia = login("mia")
    governance = _governance(site)
    _, files = governance.rules.files("v1")
    token = _csrf(mia.get(f"/app/rules/v1/edit/{VIP}").text)
    mia.post(f"/app/rules/v1/edit/{VIP}", data={
        "xml": files[VIP].replace("&gt;= 1000", "&gt;= 900"), "csrf": token})
    submitted = mia.post("/app/rules/v2/submit", data={"csrf": token})
    assert submitted.status_code == 303
    assert governance.state("v2").state.value == "in_review"
    page = mia.get("/app/rules/v2").text
    assert "/app/rules/v2/approve" not in page  # no approve button for her
    refused = mia.post("/app/rules/v2/approve", data={"csrf": token})
    assert refused.status_code == 403 and "approver" in refused.text
    assert governance.state("v2").state.value == "in_review"
    ola = login("ola")
    ola_page = ola.get("/app/rules/v2").text
    assert "/app/rules/v2/approve" in ola_page
    approved = ola.post("/app/rules/v2/approve", data={"csrf": _csrf(ola_page)})
    assert approved.status_code == 303
    assert governance.state("v2").state.value == "approved"


def test_a_segment_condition_is_checked_counted_and_saved(login: Login, site: Site) -> None:
    mia = login("mia")
    token = _csrf(mia.get("/app/segments").text)
    htmx = {"X-CSRF-Token": token, "HX-Request": "true"}
    good = mia.post("/app/segments/preview", data={"condition": "monetary > 100"},
                    headers=htmx)
    assert good.status_code == 200 and "customers match now" in good.text
    bad = mia.post("/app/segments/preview", data={"condition": "monetary >"}, headers=htmx)
    assert 'role="alert"' in bad.text and "column" in bad.text
    project = site.directory / "accord.yaml"
    before = project.read_text()
    refused = mia.post("/app/segments", data={"name": "big", "condition": "monetary >",
                                               "csrf": token})
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert project.read_text() == before
    mia.post("/app/segments", data={"name": "big_spenders", "condition": "monetary > 2000",
                                    "description": "over 2000", "csrf": token})
    saved = yaml.safe_load(project.read_text())["segments"]
    assert saved[-1] == {"name": "big_spenders", "description": "over 2000",
                         "condition": "monetary > 2000"}
    assert "# A generated retailer" in project.read_text()  # comments kept


@pytest.mark.parametrize("path", ["/app/rules/v9", "/app/rules/v1/edit/nothing.dmn"])
def test_unknown_things_are_404(login: Login, path: str) -> None:
    assert login("mia").get(path).status_code == 404


def test_the_calendar_shows_campaigns_and_conflicts_and_feeds_each_department(
        login: Login, clients: Callable[..., httpx.Client], site: Site) -> None:
    import datetime as dt

    import icalendar

    from accord.capacity.plans import CampaignPlan
    from accord.capacity.repository import CapacityRepository
    from accord.rules.tokens import TokenRepository
    from accord.rules.users import UserRepository
    from accord.server.runtime import open_project_operational

    store = open_project_operational(site.directory)
    repository = CapacityRepository(store.engine, site.clock)
    for name in ("spring-sale", "vip-preview"):
        repository.save_plan(CampaignPlan(
            id=name, channel="email", owner="mia", segment="vip", audience=5000,
            start=dt.datetime(2026, 11, 24, 8, tzinfo=dt.UTC)), "optimal", None, "mia")
    page = login("mia").get("/app/calendar", params={"start": "2026-11-24"})
    assert page.status_code == 200
    assert page.text.count("Campaign spring-sale (email)") == 1
    assert "reach 5,000 of the same people on email" in page.text  # the audience conflict
    week = login("mia").get("/app/calendar", params={"view": "week", "start": "2026-11-24"})
    assert "Campaign vip-preview" in week.text and week.text.count('<td') == 7
    assert clients().get("/app/calendar/sales.ics").status_code == 303  # no session
    user = UserRepository(store, site.clock).get("ola")
    assert user is not None
    token = TokenRepository(store, site.clock).create(user, "calendar")[1]
    ics = clients().get("/app/calendar/sales.ics", params={"token": token})
    assert ics.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert {str(e["summary"]) for e in events} >= {"Campaign spring-sale (email)",
                                                   "Campaign vip-preview (email)"}
    assert clients().get("/app/calendar/sales.ics", params={"token": "x"}).status_code == 401
    assert login("mia").get("/app/calendar/nobody.ics").status_code == 404


def test_a_campaign_page_shows_arms_lift_with_intervals_economics_and_charts(
        login: Login, site: Site) -> None:
    from sqlglot import exp

    from accord.campaigns.outcomes import replace_outcomes
    from accord.campaigns.repository import CampaignRepository
    from accord.project.template import store_path
    from accord.server.runtime import open_project_operational
    from accord.store import open_store

    CampaignRepository(open_project_operational(site.directory), site.clock).create(
        {"name": "spring-sale", "owner": "mia", "channels": ["email"], "goal": "win back",
         "costs": {"per_send": "0.05"}})
    # 400 treated customers of whom 100 convert (4.0 each), 400 controls of whom 20 do
    rows = [(f"t{i}", "mail", False, 1, i < 100, 4.0 if i < 100 else 0.0) for i in range(400)]
    rows += [(f"c{i}", "none", True, 0, i < 20, 4.0 if i < 20 else 0.0) for i in range(400)]
    values = exp.values([(exp.Literal.string("spring-sale"), exp.Literal.string(c),
                          exp.Literal.string(v), exp.Boolean(this=control),
                          exp.Literal.number(sends), exp.Literal.number(0), exp.Null(),
                          exp.Null(), exp.Boolean(this=won), exp.Boolean(this=won),
                          exp.Literal.number(revenue))
                         for c, v, control, sends, won, revenue in rows])
    store = open_store("duckdb", store_path(site.directory))
    try:
        replace_outcomes(store, "spring-sale", exp.select(exp.Star()).from_(values))
    finally:
        store.close()
    mia = login("mia")
    listed = mia.get("/app/campaigns").text
    assert 'href="/app/campaigns/spring-sale"' in listed
    page = mia.get("/app/campaigns/spring-sale").text
    assert "25.00%" in page and "5.00%" in page  # conversion of each arm
    # the conversion-rate lift: 0.20 with a Wald interval that excludes zero
    lift = re.search(r"<td>mail</td><td>conversion_rate</td><td>([\d.]+)</td>"
                     r"<td>([\d.-]+) to ([\d.-]+)</td><td>significant</td>", page)
    assert lift is not None, page[page.find("Lift"):][:800]
    assert float(lift.group(1)) == pytest.approx(0.2)
    assert 0 < float(lift.group(2)) < 0.2 < float(lift.group(3))
    assert 'data-chart="campaign-charts"' in page and "romi" in page
    assert mia.get("/app/campaigns/nothing").status_code == 404


def test_the_home_page_warns_of_a_red_preflight(login: Login, site: Site) -> None:
    import json

    from accord.capacity.repository import CapacityRepository
    from accord.project.template import state_dir
    from accord.server.runtime import open_project_operational
    from accord.web.home import RESPONSE_MODEL
    from tests.capacity import scenario

    repository = CapacityRepository(open_project_operational(site.directory).engine,
                                    site.clock)
    assert "No campaign is scheduled" in login("mia").get("/app").text
    repository.save_plan(scenario.plan(), "none", None, "mia")  # 500,000 e-mails at once
    assert "capacity is not set up" in login("mia").get("/app").text
    repository.save_registry(scenario.registry(), "it")
    (state_dir(site.directory) / RESPONSE_MODEL).write_text(
        json.dumps(scenario.model().to_data()), encoding="utf-8")
    home = login("mia").get("/app").text
    assert re.search(r"spring-sale</a></td><td><strong>red</strong></td><td>web: red", home)
    # the calendar shows the campaign's preflight and the day's peak load over capacity
    week = login("mia").get("/app/calendar", params={
        "view": "week", "start": scenario.MONDAY.date().isoformat()}).text
    assert '<span class="preflight red">preflight red</span>' in week
    over = re.findall(r'<li class="over">web (\d+)%</li>', week)
    assert over and int(over[0]) > 100


def test_the_feedback_page_shows_trends_proposals_and_the_labelling_queue(
        login: Login, site: Site) -> None:
    import datetime as dt
    import random

    import duckdb
    import pyarrow as pa

    from accord.project.template import store_path
    from accord.store import open_store

    assert "no classified feedback yet" in login("mia").get("/app/feedback").text
    with duckdb.connect(str(store_path(site.directory)), read_only=True) as db:
        found = db.execute("SELECT customer_id FROM profiles LIMIT 1").fetchone()
    assert found is not None
    real = str(found[0])
    rng = random.Random(3)
    unsure = [f"parcel {n} arrived damaged, box crushed" for n in range(15)]
    unsure += [f"app crashes on the login screen, try {n}" for n in range(15)]
    rows = []
    for n in range(120):
        low = n % 4 == 0
        rows.append({
            "customer_id": real if n % 10 == 1 else f"c{n % 30}", "source": "service_desk",
            "source_id": str(n),
            "at": dt.datetime(2025, 5, 1) + dt.timedelta(days=n % 50),
            "text": unsure[n % 30] if low else f"where is my refund {n}",
            "topic": "unknown" if low else rng.choice(["refunds", "delivery"]),
            "sentiment": rng.choice(["negative", "neutral", "positive"]),
            "urgency": "normal", "confidence": 0.1 + (n % 7) / 100 if low else 0.9,
            "status": "open", "priority": "normal", "queue": "standard"})
    store = open_store("duckdb", store_path(site.directory))
    try:
        store.write("feedback", pa.Table.from_pylist(rows), mode="replace")
    finally:
        store.close()
    page = login("mia").get("/app/feedback").text
    assert 'data-chart="topics"' in page and 'data-chart="sentiment"' in page
    assert "Texts per topic per week" in page
    queue = page[page.find('id="queue"'):]
    confidences = [float(c) for c in re.findall(r"<tr><td>(0\.\d\d)</td>", queue)]
    assert confidences and confidences == sorted(confidences) and confidences[0] == 0.10
    assert "proposed." in page  # topics proposed from the unsure texts
    assert "crushed" in page or "login" in page
    # the texts of a customer of the demo show on their timeline
    timeline = login("mia").get(f"/app/customers/{real}").text
    assert re.search(r"<td>feedback</td><td>(refunds|delivery|unknown), (negative|neutral|"
                     r"positive), urgency normal: ", timeline)


def test_workers_starting_together_share_one_session_secret(tmp_path: Path) -> None:
    import threading

    from accord.web.session import load_secret

    path = tmp_path / ".accord" / "web-secret"
    start = threading.Barrier(8)
    found: list[bytes] = []

    def worker() -> None:
        start.wait(timeout=10)
        found.append(load_secret(path))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(found) == 8 and len(set(found)) == 1 and len(found[0]) == 32
    assert sorted(p.name for p in path.parent.iterdir()) == ["web-secret"]
    assert path.stat().st_mode & 0o777 == 0o600
