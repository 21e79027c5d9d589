"""The examples of docs/embedding.md run: the engine from Python, from a shell script and
from Node.js through its JSON command line, and a platform running a decision through the
API against the live application (over HTTP on 127.0.0.1), verifying the webhook it
receives."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.web.api import sending
from decisions.web.models import Membership, Organisation
from decisions.web.services import webhooks

from .api_world import served, token_for
from .conftest import new_member, new_organisation, unit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
PYTHON = {**os.environ, "PYTHON": sys.executable, "PYTHONPATH": str(ROOT)}


def _run(*command: str, timeout: float = 60, env: dict[str, str] | None = None,
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=env or PYTHON, check=False)


def test_the_engine_from_python() -> None:
    run = _run(sys.executable, str(EXAMPLES / "engine_from_python.py"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "outcome: adopted"
    assert "Préoccupations notées : bo." in run.stdout


def test_the_engine_from_a_shell_script() -> None:
    run = _run("sh", str(EXAMPLES / "engine_from_shell.sh"))
    assert run.returncode == 0, run.stderr
    assert "outcome: adopted" in run.stdout
    assert "malformed case: exit 2, error: $.ballots[0].position" in run.stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_the_engine_from_node() -> None:
    run = _run("node", str(EXAMPLES / "engine_from_node.mjs"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "outcome: adopted"
    assert "malformed case: error: $.ballots[0].position" in run.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_platform_runs_a_decision_through_the_api_and_verifies_its_webhook(
        app: Flask) -> None:
    app.config["CLOCK"] = lambda: datetime.now(UTC)  # the platform's deadlines are real ones
    coop = new_organisation(app, "coop", admin="ana@coop.example.org")
    for name in ("bo", "cy", "dee"):
        new_member(app, coop, f"{name}@coop.example.org")
    port = _free_port()
    with unit(app) as session:
        organisation = session.get_one(Organisation, coop.id)
        admin = session.scalars(select(Membership).where(
            Membership.organisation_id == coop.id)).first()
        assert admin is not None
        secret = webhooks.register(session, organisation, admin,
                                   url=f"http://127.0.0.1:{port}/decisions", kind="standard",
                                   events=["round.opened", "round.closed"], now=app.config[
                                       "CLOCK"](), private_allowed=True).secret
    token = token_for(app, "ana@coop.example.org", ("read", "vote", "facilitate"),
                      organisation="coop")
    with served(app) as url:
        environment = {**PYTHON, "DECISIONS_URL": url, "DECISIONS_TOKEN": token,
                       "DECISIONS_ORGANISATION": "coop", "WEBHOOK_SECRET": secret,
                       "WEBHOOK_PORT": str(port)}
        sender_stop = threading.Event()

        def send_loop() -> None:
            while not sender_stop.is_set():
                sending.send_webhooks(app)
                sender_stop.wait(0.2)

        thread = threading.Thread(target=send_loop, name="webhook-sender", daemon=True)
        thread.start()
        try:
            run = _run(sys.executable, str(EXAMPLES / "member_platform.py"), timeout=120,
                       env=environment)
        finally:
            sender_stop.set()
            thread.join(timeout=10)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Voters: bo, cy, dee"
    assert "  refused as expected: This position is not possible in this round." in lines
    assert "Round closed: adopted" in lines
    assert any(line.startswith("Webhook msg_") and line.endswith("outcome adopted")
               for line in lines)
