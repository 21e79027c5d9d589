"""The application under gunicorn on 127.0.0.1 for the web benchmarks, what its processes
cost (CPU time and memory, read from ``/proc``), and members' browsers over keep-alive
connections (the standard library's ``http.client``: nothing to install).

Bounded: the server is stopped when the ``serve`` block ends, whatever happens in it, and
every request has a timeout.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from assembly import ROOT

TICKS = os.sysconf("SC_CLK_TCK")
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    """gunicorn serving the application: its address, its master process and its log."""

    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def pids(self) -> list[int]:
        """The master and its workers, as they are now."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            workers = [int(pid) for pid in children.read_text().split()]
        except OSError:
            workers = []
        return [self.process.pid, *workers]

    def cpu_seconds(self) -> float:
        """User and system CPU time of the master and its workers so far."""
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def rss_mib(self) -> tuple[float, list[float]]:
        """Resident memory of the master and of each worker, in MiB."""
        master, *workers = (_rss_mib(pid) for pid in self.pids())
        return master, workers

    def errors(self) -> str:
        """The end of the server's log when it shows a traceback, else ``""``."""
        text = self.log.read_text(errors="replace")
        return text[-3000:] if "Traceback" in text else ""


def database_cpu_seconds() -> float:
    """User and system CPU time so far of this machine's PostgreSQL processes (readable as
    root, or as their owner): with the database on the same cores, what each ballot costs
    the machine is the server's CPU and this."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if stat.read_text().split(" (", 1)[1].startswith("postgres)"):
                total += _cpu_seconds(int(stat.parent.name))
        except (OSError, IndexError):
            continue
    return total


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def _rss_mib(pid: int) -> float:
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except OSError:
        return 0.0
    return pages * PAGE_BYTES / 2**20


@contextmanager
def serve(environment: dict[str, str], folder: Path, *, workers: int, threads: int,
          timeout: int = 120, app: str = "decisions.web.wsgi:app") -> Iterator[Server]:
    """gunicorn serving ``app`` (a module of the project, or of benchmarks/) with
    ``workers`` processes of ``threads`` threads each on a free port of 127.0.0.1, ready to
    answer; stopped (SIGTERM, then SIGKILL) when the block ends."""
    port = _free_port()
    log = folder / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
             str(threads), "--bind", f"127.0.0.1:{port}", "--timeout", str(timeout),
             "--graceful-timeout", "5", "--pythonpath", str(ROOT / "benchmarks"), app],
            cwd=ROOT, env=environment, stdout=output, stderr=output)
    server = Server(port, process, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_until_ready(server: Server, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    client = Client(server.port, timeout=5)
    while True:
        try:
            if client.send("GET", "/auth/login").status == 200:
                break
        except (OSError, http.client.HTTPException):
            pass
        if server.process.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + server.log.read_text(errors="replace"))
        if time.monotonic() > deadline:
            raise SystemExit("gunicorn did not answer within a minute")
        time.sleep(0.2)
    client.close()


@dataclass(frozen=True)
class Answer:
    """A response, read whole."""

    status: int
    cookies: list[str]
    body: bytes


class Client:
    """One keep-alive connection to the server (one per thread of a load). A request that
    fails closes it; the next one opens a new connection. Nothing is retried: a POST is
    never sent twice."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def send(self, method: str, path: str, *, cookie: str = "",
             form: dict[str, str] | None = None) -> Answer:
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            raise
        return Answer(response.status, response.headers.get_all("Set-Cookie") or [], content)

    def close(self) -> None:
        self.connection.close()


TOKEN = re.compile(rb'name="csrf_token"[^>]*?value="([^"]*)"')


@dataclass
class Member:
    """A signed-in member as their browser holds them: cookies and the form's CSRF token."""

    email: str
    cookies: dict[str, str] = field(default_factory=dict)
    token: str = ""

    @property
    def cookie(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep(self, answer: Answer) -> Answer:
        """Keep the cookies and the CSRF token a response gives."""
        for header in answer.cookies:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        found = TOKEN.search(answer.body)
        if found:
            self.token = found.group(1).decode()
        return answer

    def sign_in(self, client: Client, password: str, page: str) -> None:
        """Sign in through the form (CSRF token and all), then open ``page``, whose form
        gives the token of the signed-in session."""
        self.keep(client.send("GET", "/auth/login"))
        answer = self.keep(client.send("POST", "/auth/login", cookie=self.cookie, form={
            "csrf_token": self.token, "email": self.email, "password": password}))
        if answer.status != 302:
            raise RuntimeError(f"{self.email} could not sign in: {answer.status}")
        answer = self.keep(client.send("GET", page, cookie=self.cookie))
        if answer.status != 200:
            raise RuntimeError(f"{self.email} could not open {page}: {answer.status}")
