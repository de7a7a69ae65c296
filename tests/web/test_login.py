"""Logins and sessions over HTTP: sessions that end at logout and at a password change (in
every worker process), throttled guessing with an audit trail, the same time for known and
unknown user names, CSRF on login and logout, and the security headers of every page."""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from accord.rules.audit import read as read_audit
from accord.rules.users import UserRepository
from accord.server.runtime import open_project_operational
from tests.web.conftest import PASSWORDS, Site

Clients = Callable[..., httpx.Client]


@pytest.fixture
def clients(served: str) -> Iterator[Clients]:
    opened: list[httpx.Client] = []

    def client(base: str = served, **options: Any) -> httpx.Client:
        opened.append(httpx.Client(base_url=base, follow_redirects=False, timeout=30,
                                   **options))
        return opened[-1]

    yield client
    for each in opened:
        each.close()


def form_token(html: str) -> str:
    """The CSRF field of the first form on a page ("" when there is none)."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    return found.group(1) if found else ""


def attempt(client: httpx.Client, user: str, password: str) -> httpx.Response:
    """A login as a browser makes it: the form first, then the post with its token."""
    token = form_token(client.get("/app/login").text)
    return client.post("/app/login", data={"username": user, "password": password,
                                           "next": "/app", "csrf": token})


def log_in(client: httpx.Client, user: str, password: str | None = None) -> httpx.Client:
    response = attempt(client, user, password or PASSWORDS[user])
    assert response.status_code == 303, response.text[:500]
    return client


def log_out(client: httpx.Client) -> httpx.Response:
    return client.post("/app/logout", data={"csrf": form_token(client.get("/app").text)})


# ---- sessions ----------------------------------------------------------------------------


def test_a_cookie_kept_after_logout_opens_nothing(clients: Clients) -> None:
    mia = log_in(clients(), "mia")
    cookie = mia.cookies["accord_session"]
    assert mia.get("/app").status_code == 200
    assert log_out(mia).status_code == 303
    # the cookie, replayed as someone who copied it would, is refused
    thief = clients(cookies={"accord_session": cookie})
    response = thief.get("/app")
    assert response.status_code == 303 and "/app/login" in response.headers["location"]


def test_a_password_change_ends_every_session_of_the_user(clients: Clients,
                                                          site: Site) -> None:
    laptop, phone, ola = log_in(clients(), "mia"), log_in(clients(), "mia"), \
        log_in(clients(), "ola")
    old_cookie = laptop.cookies["accord_session"]
    token = form_token(laptop.get("/app/account").text)
    wrong = laptop.post("/app/account/password", data={
        "csrf": token, "current": "not it at all", "new": "a new long password",
        "repeat": "a new long password"})
    assert wrong.status_code == 400 and "current password is wrong" in wrong.text
    changed = laptop.post("/app/account/password", data={
        "csrf": token, "current": PASSWORDS["mia"], "new": "a new long password",
        "repeat": "a new long password"})
    assert changed.status_code == 303
    assert laptop.get("/app").status_code == 200  # a new session for the browser that did it
    assert phone.get("/app").status_code == 303  # every other one has ended
    assert clients(cookies={"accord_session": old_cookie}).get("/app").status_code == 303
    assert ola.get("/app").status_code == 200  # other users are untouched
    assert attempt(clients(), "mia", PASSWORDS["mia"]).status_code == 401
    log_in(clients(), "mia", "a new long password")
    entries = read_audit(open_project_operational(site.directory).engine, subject="user:mia")
    assert "password_changed" in [e.action for e in entries]


def _serve(directory: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    """``accord serve`` in a process of its own: (the process, its base URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", "from accord.cli.main import app; app()", "serve",
         "--project", str(directory), "--port", str(port), *extra],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"accord serve stopped: {process.communicate()[1].decode()}")
        try:
            if httpx.get(f"{base}/v1/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    process.communicate()
    raise RuntimeError("accord serve did not start")


@pytest.fixture
def two_servers(site: Site) -> Iterator[tuple[str, str]]:
    """Two server processes on the same project (as two workers are)."""
    started: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        started.append(_serve(site.directory))
        started.append(_serve(site.directory, "--forwarded-allow-ips", "10.9.9.9"))
        yield started[0][1], started[1][1]
    finally:  # the first is stopped even when the second did not start
        for process, _ in started:
            process.terminate()
            process.communicate(timeout=20)  # waits, and closes its pipe


def test_sessions_and_failed_logins_are_shared_by_server_processes_and_proxies_trusted_by_flag(
        two_servers: tuple[str, str], clients: Clients) -> None:
    first, second = two_servers
    # logged in through one process, logged out through the other
    mia = log_in(clients(first), "mia")
    cookie = mia.cookies["accord_session"]
    elsewhere = clients(second, cookies={"accord_session": cookie})
    assert elsewhere.get("/app").status_code == 200
    assert log_out(elsewhere).status_code == 303
    assert clients(first, cookies={"accord_session": cookie}).get("/app").status_code == 303
    # guesses spread over both processes are counted together
    for base in (first, second, first, second, first):
        attempt(clients(base), "ola", "a wrong guess")
    assert attempt(clients(second), "ola", PASSWORDS["ola"]).status_code == 429
    # the second process trusts only a proxy at 10.9.9.9: this client's word is not taken
    untrusted = attempt(clients(second, headers={"X-Forwarded-Proto": "https"}), "mia",
                        PASSWORDS["mia"])
    assert untrusted.status_code == 303
    assert "secure" not in untrusted.headers["set-cookie"].lower()


def _secure_login(client: httpx.Client) -> httpx.Response:
    """A login through a proxy that says HTTPS: the form's cookie is Secure, so it is sent
    by hand (httpx keeps Secure cookies for https URLs)."""
    form = client.get("/app/login")
    nonce = form.cookies.get("accord_login") or re.search(
        r"accord_login=([^;]+)", form.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
    return client.post("/app/login", headers={"Cookie": f"accord_login={nonce}"}, data={
        "username": "mia", "password": PASSWORDS["mia"], "csrf": form_token(form.text)})


def test_secure_cookies_over_https_and_only_from_a_trusted_proxy(
        clients: Clients) -> None:
    # the test server trusts 127.0.0.1 (uvicorn's default), where this client is
    response = _secure_login(clients(headers={"X-Forwarded-Proto": "https"}))
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()
    plain = attempt(clients(), "mia", PASSWORDS["mia"])
    assert "secure" not in plain.headers["set-cookie"].lower()


# ---- CSRF --------------------------------------------------------------------------------


def test_login_needs_the_token_of_its_own_form(clients: Clients) -> None:
    bare = clients().post("/app/login", data={"username": "mia",
                                               "password": PASSWORDS["mia"]})
    assert bare.status_code == 400 and "accord_session" not in bare.headers.get(
        "set-cookie", "")
    # a token taken from another browser's form does not pair with this browser's cookie
    other = form_token(clients().get("/app/login").text)
    victim = clients()
    victim.get("/app/login")
    crossed = victim.post("/app/login", data={"username": "mia", "csrf": other,
                                               "password": PASSWORDS["mia"]})
    assert crossed.status_code == 400
    odd = victim.post("/app/login", data={"username": "mia", "csrf": "tökén",
                                           "password": PASSWORDS["mia"]})
    assert odd.status_code == 400  # a wrong token, not a server error
    assert attempt(victim, "mia", PASSWORDS["mia"]).status_code == 303


def test_logout_needs_the_session_token(clients: Clients) -> None:
    mia = log_in(clients(), "mia")
    assert mia.post("/app/logout").status_code == 400
    assert mia.post("/app/logout", data={"csrf": "forged"}).status_code == 400
    assert mia.post("/app/logout", data={"csrf": "förged"}).status_code == 400
    assert mia.get("/app").status_code == 200  # still logged in
    assert log_out(mia).status_code == 303
    assert mia.get("/app").status_code == 303


def test_htmx_posts_carry_the_token_in_a_header(clients: Clients) -> None:
    mia = log_in(clients(), "mia")
    page = mia.get("/app/segments").text
    header = re.search(r"""<body hx-headers='\{"X-CSRF-Token": "([^"]+)"\}'>""", page)
    assert header is not None and header.group(1) == form_token(page)
    refused = mia.post("/app/segments/preview", data={"condition": "monetary > 1"})
    assert refused.status_code == 400
    taken = mia.post("/app/segments/preview", data={"condition": "monetary > 1"},
                     headers={"X-CSRF-Token": header.group(1)})
    assert taken.status_code == 200 and "customers match now" in taken.text


# ---- throttling --------------------------------------------------------------------------


def test_guessing_a_password_is_throttled_with_growing_locks_and_audited(
        clients: Clients, site: Site) -> None:
    for n in range(4):
        assert attempt(clients(), "mia", f"guess {n}").status_code == 401
    fifth = attempt(clients(), "mia", "guess 4")
    assert fifth.status_code == 429 and "try again in 30 seconds" in fifth.text
    # locked: the right password is refused too, without being checked
    right = attempt(clients(), "mia", PASSWORDS["mia"])
    assert right.status_code == 429 and int(right.headers["retry-after"]) == 30
    site.clock.advance(dt.timedelta(seconds=31))
    sixth = attempt(clients(), "mia", "guess 5")
    assert sixth.status_code == 429 and "try again in 60 seconds" in sixth.text
    site.clock.advance(dt.timedelta(seconds=61))
    seventh = attempt(clients(), "mia", "guess 6")
    assert seventh.status_code == 429 and "try again in 2 minutes" in seventh.text
    assert attempt(clients(), "ola", PASSWORDS["ola"]).status_code == 303  # others log in
    site.clock.advance(dt.timedelta(minutes=3))
    assert attempt(clients(), "mia", PASSWORDS["mia"]).status_code == 303
    actions = [e.action for e in read_audit(open_project_operational(site.directory).engine,
                                            subject="user:mia")]
    assert actions.count("login_failed") == 7 and actions.count("login_throttled") == 1
    # after a success the name starts again: one more failure does not lock it
    assert attempt(clients(), "mia", "a slip").status_code == 401


def test_the_current_password_cannot_be_guessed_on_the_account_page(
        clients: Clients) -> None:
    mia = log_in(clients(), "mia")
    token = form_token(mia.get("/app/account").text)

    def change(current: str) -> httpx.Response:
        return mia.post("/app/account/password", data={
            "csrf": token, "current": current, "new": "a new long password",
            "repeat": "a new long password"})

    assert [change(f"guess {n}").status_code for n in range(5)] == [400] * 4 + [429]
    locked = change(PASSWORDS["mia"])
    assert locked.status_code == 429 and "Too many failed logins" in locked.text
    assert attempt(clients(), "mia", PASSWORDS["mia"]).status_code == 429  # the name is locked


def test_unknown_names_are_counted_like_known_ones_and_an_address_is_throttled(
        clients: Clients, site: Site) -> None:
    answers = [attempt(clients(), "nobody", f"guess {n}").status_code for n in range(5)]
    assert answers == [401, 401, 401, 401, 429]  # as for mia: the lock tells nothing
    # twenty failures from one address lock it, whatever names they try
    for n in range(14):
        attempt(clients(), f"name{n}", "guess")
    spray = attempt(clients(), "someone-else", "guess")
    assert spray.status_code == 429
    assert attempt(clients(), "ola", PASSWORDS["ola"]).status_code == 429
    entry = read_audit(open_project_operational(site.directory).engine, limit=1)[0]
    assert entry.action == "login_throttled" and entry.detail["lock"] == "address:127.0.0.1"
    # when the lock is over, one right password from the address does not lock it again
    site.clock.advance(dt.timedelta(seconds=31))
    assert attempt(clients(), "ola", PASSWORDS["ola"]).status_code == 303
    assert attempt(clients(), "mia", PASSWORDS["mia"]).status_code == 303


def test_guesses_sent_at_once_cannot_slip_past_the_lock(clients: Clients,
                                                        site: Site) -> None:
    from concurrent.futures import ThreadPoolExecutor

    forms = []
    for _ in range(16):
        client = clients()
        forms.append((client, form_token(client.get("/app/login").text)))

    def guess(pair: tuple[httpx.Client, str]) -> int:
        client, token = pair
        return client.post("/app/login", data={"username": "mia", "password": "guess",
                                                "csrf": token}).status_code

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(guess, forms))
    assert sorted(answers) == [401] * 4 + [429] * 12, answers
    actions = [e.action for e in read_audit(open_project_operational(site.directory).engine,
                                            subject="user:mia")]
    # only the first five passwords were checked at all
    assert actions.count("login_failed") == 5 and actions.count("login_throttled") == 11


# ---- timing ------------------------------------------------------------------------------


def test_unknown_and_known_user_names_take_the_same_time(site: Site) -> None:
    users = UserRepository(open_project_operational(site.directory), site.clock)
    users.authenticate("mia", "warm up")
    users.authenticate("warm-up", "warm up")

    def median(name: str) -> float:
        times = []
        for _ in range(9):
            start = time.perf_counter()
            assert users.authenticate(name, "a wrong password") is None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    known, unknown = median("mia"), median("no-such-user")
    assert 1 / 3 < unknown / known < 3, (known, unknown)


# ---- headers -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/app/login", "/app/static/app.js", "/app/nothing-here"])
def test_every_web_response_carries_the_security_headers(clients: Clients, path: str) -> None:
    headers = clients().get(path).headers
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"


def test_pages_keep_no_inline_script(clients: Clients) -> None:
    mia = log_in(clients(), "mia")
    for path in ("/app/login", "/app", "/app/segments", "/app/rules", "/app/rules/v1",
                 "/app/rules/v1/edit/eligibility-value.dmn", "/app/account"):
        html = mia.get(path).text
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        inline = [body[:80] for attributes, body in scripts
                  if body.strip() and 'type="application/json"' not in attributes]
        assert inline == [], (path, inline)
        assert not re.search(r"\son[a-z]+=", html), path  # no inline event handlers
