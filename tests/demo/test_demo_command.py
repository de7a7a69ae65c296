"""``accord demo``, ``accord build`` and ``accord serve`` from the command line."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from accord.cli.main import app


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("cli") / "demo"
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "1000",
                                      "--dir", str(directory), "--port", "8123"])
    assert result.exit_code == 0, result.output
    return directory, result.output


def test_demo_builds_and_says_what_to_try(demo_dir: tuple[Path, str]) -> None:
    directory, output = demo_dir
    assert (directory / ".accord" / "analytics.duckdb").is_file()
    assert (directory / ".accord" / "online.sqlite").is_file()
    assert "1,000 real people" in output
    assert "precision 1.0000" in output
    assert "sample profile c_" in output
    for segment in ("vip", "lapsed", "champions"):
        assert segment in output
    assert f"accord serve --project {directory} --port 8123" in output
    key = (directory / ".accord" / "demo-api-key").read_text().strip()
    assert f"curl -H 'Authorization: Bearer {key}' http://127.0.0.1:8123/v1/segments" in output
    assert "kind=email&value=" in output
    assert "/v1/decisions" in output and "decision for c_" in output


def test_build_again_finds_nothing_new(demo_dir: tuple[Path, str]) -> None:
    directory, _ = demo_dir
    result = CliRunner().invoke(app, ["build", "--project", str(directory)])
    assert result.exit_code == 0, result.output
    assert "0 new records from 5 sources" in result.output
    assert "profiles x 28 dimensions" in result.output


def test_build_rejects_a_bad_date(demo_dir: tuple[Path, str]) -> None:
    directory, _ = demo_dir
    result = CliRunner().invoke(app, ["build", "--project", str(directory),
                                      "--as-of", "yesterday"])
    assert result.exit_code == 2
    assert "--as-of must be a date" in result.output


def test_demo_will_not_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "accord.yaml").write_text("name: mine\n")
    result = CliRunner().invoke(app, ["demo", "--no-serve", "--customers", "10",
                                      "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "not made by 'accord demo'" in result.output
    assert (tmp_path / "accord.yaml").read_text() == "name: mine\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_serve_answers_over_http_until_stopped(demo_dir: tuple[Path, str]) -> None:
    directory, _ = demo_dir
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "accord.cli.main", "serve", "--project", str(directory),
         "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert health.json()["online_store"] is True
        key = (directory / ".accord" / "demo-api-key").read_text().strip()
        auth = {"Authorization": f"Bearer {key}"}
        assert httpx.get(f"http://127.0.0.1:{port}/v1/segments", timeout=5).status_code == 401
        segments = httpx.get(f"http://127.0.0.1:{port}/v1/segments", timeout=5,
                             headers=auth).json()
        assert segments["customers"] > 0
        assert [s["name"] for s in segments["segments"]][:2] == ["vip", "loyal"]
        decision = httpx.post(f"http://127.0.0.1:{port}/v1/decisions", timeout=5, headers=auth,
                              json={"channel": "web", "placements": {"hero": 1}}).json()
        assert decision["rule_version"] == "v1" and decision["placements"]["hero"]
    finally:
        server.send_signal(signal.SIGINT)  # Ctrl-C
        output = server.communicate(timeout=30)[0].decode()
    assert server.returncode == 0, output
    assert f"http://127.0.0.1:{port}/docs" in output
