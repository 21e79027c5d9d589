"""The application under gunicorn on 127.0.0.1 as docs/deployment.md runs it (the project's
``decisions/web/gunicorn_conf.py``, its access log on), for the tests that read what a
server writes in its logs; and a browser that keeps its cookies and reads CSRF tokens.

The server serves the test's database (a file, or PostgreSQL: its processes see what the
test committed); with ``now`` its clock is fixed there (``tests/web/live_app.py``). Bounded:
every request has a timeout, the server is stopped when the block ends.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

ROOT = Path(__file__).resolve().parents[2]
FAST_HASH = "pbkdf2:sha256:1000"  # tests only


@dataclass(frozen=True)
class Live:
    """A running server: its address and the files its logs go to."""

    base: str
    folder: Path

    @property
    def access_log(self) -> Path:
        return self.folder / "access.log"

    def logs(self) -> str:
        """Everything the server wrote: access log, error log (where Flask's log of a
        request goes) and its standard output and error (the other loggers)."""
        return "\n".join(path.read_text(errors="replace") for path in (
            self.folder / "access.log", self.folder / "error.log", self.folder / "output.log")
            if path.exists())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(database_url: str, secret_key: str, port: int,
                 settings: dict[str, str]) -> dict[str, str]:
    return {**os.environ, "DECISIONS_DATABASE_URL": database_url,
            "DECISIONS_SECRET_KEY": secret_key, "DECISIONS_PASSWORD_HASH_METHOD": FAST_HASH,
            "DECISIONS_RATELIMIT_ENABLED": "false", "DECISIONS_SECURE_COOKIES": "false",
            "DECISIONS_SCHEDULER": "off", "DECISIONS_MAIL_BACKEND": "memory",
            "DECISIONS_BASE_URL": f"http://127.0.0.1:{port}",
            **{f"DECISIONS_{key}": value for key, value in settings.items()}}


@contextmanager
def gunicorn(database_url: str, secret_key: str, folder: Path, *,
             now: datetime | None = None, instance: Path | None = None, workers: int = 1,
             threads: int = 4, **settings: str) -> Iterator[Live]:
    """gunicorn serving the application with the project's configuration, its access log
    in ``folder/access.log`` (appended to: several servers in a row share it). With
    ``now``: the test's application module, its clock fixed at ``now``, its instance
    folder ``instance`` (the test application's: the same audit checkpoints)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = _environment(database_url, secret_key, port, settings)
    app = "decisions.web.wsgi:app"
    if now is not None:
        env["DECISIONS_TEST_NOW"] = now.isoformat()
        env["DECISIONS_TEST_INSTANCE"] = str(instance or folder / "instance")
        app = "tests.web.live_app:app"
    with _serving([sys.executable, "-m", "gunicorn", "-c", "python:decisions.web.gunicorn_conf",
                   "--workers", str(workers), "--threads", str(threads),
                   "--bind", f"127.0.0.1:{port}",
                   "--access-logfile", str(folder / "access.log"),
                   "--error-logfile", str(folder / "error.log"), "--timeout", "60",
                   "--graceful-timeout", "5", app], env, Live(f"http://127.0.0.1:{port}", folder)
                  ) as live:
        yield live


@contextmanager
def development_server(database_url: str, secret_key: str, folder: Path,
                       **settings: str) -> Iterator[Live]:
    """``decisions run`` (``make run``'s server: Werkzeug's, which logs each request on
    standard error), its output in ``folder/output.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    env = _environment(database_url, secret_key, port, settings)
    command = Path(sys.executable).parent / "decisions"
    with _serving([str(command), "run", "--host", "127.0.0.1", "--port", str(port)], env,
                  Live(f"http://127.0.0.1:{port}", folder)) as live:
        yield live


@contextmanager
def _serving(command: list[str], env: dict[str, str], live: Live) -> Iterator[Live]:
    with (live.folder / "output.log").open("ab") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if Browser(live.base).get("/auth/login")[0] == 200:
                    break
            except OSError:
                pass
            assert process.poll() is None, live.logs()[-3000:]
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield live
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
    assert "Traceback" not in live.logs(), live.logs()[-3000:]


class _NoRedirect(HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Browser:
    """One person's browser: cookies, the CSRF token of the last page read, no redirects."""

    TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]*)"')

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirect())
        self.token = ""

    def _send(self, request: Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body = response.status, response.read().decode()
        except HTTPError as answer:
            status, body = answer.code, answer.read().decode()
        found = self.TOKEN.search(body)
        if found:
            self.token = found.group(1)
        return status, body

    def get(self, path: str, **headers: str) -> tuple[int, str]:
        return self._send(Request(self.base + path, headers=headers))  # noqa: S310 - http://127.0.0.1

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        payload = urlencode({"csrf_token": self.token, **data}).encode()
        return self._send(Request(self.base + path, data=payload,  # noqa: S310
                                  method="POST"))

    def sign_in(self, email: str, password: str) -> None:
        self.get("/auth/login")
        status, body = self.post("/auth/login", {"email": email, "password": password})
        assert status == 302, body[-2000:]
