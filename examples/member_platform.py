"""A member platform running a decision through the API: it puts forward a proposal, opens
a consent round, lets three of its members vote (an organisation's token acts for each, as
named in the Decisions-Member header), closes the round, and waits for the signed webhook
that tells it so, checking its Standard Webhooks signature itself. Standard library only.

    DECISIONS_URL=https://decisions.example.org DECISIONS_ORGANISATION=coop \\
    DECISIONS_TOKEN=dcs_... WEBHOOK_SECRET=whsec_... WEBHOOK_PORT=8088 \\
    python examples/member_platform.py

The token is an organisation's (read, vote, facilitate), made by one of its admins on its
Integrations page, where the endpoint http://<this machine>:WEBHOOK_PORT/decisions was
registered for round.closed with the signing secret WEBHOOK_SECRET. See docs/embedding.md.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

BASE = os.environ.get("DECISIONS_URL", "http://127.0.0.1:5000").rstrip("/") + "/api/v1"
TOKEN = os.environ["DECISIONS_TOKEN"]
ORGANISATION = os.environ.get("DECISIONS_ORGANISATION", "coop")
SECRET = os.environ["WEBHOOK_SECRET"]
PORT = int(os.environ.get("WEBHOOK_PORT", "8088"))
#: A webhook older or newer than this is refused (a replayed message).
TOLERANCE = 5 * 60


class Refused(Exception):
    """The API said no: its problem (RFC 9457)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail')}")
        self.status, self.problem = status, problem


def call(method: str, path: str, body: Any = None, **headers: str) -> Any:
    """One request to the API with the token; the JSON answer, or ``Refused``."""
    data = None if body is None else json.dumps(body).encode()
    if not BASE.startswith(("http://", "https://")):
        raise ValueError("DECISIONS_URL is an http(s) address")
    request = urllib.request.Request(f"{BASE}{path}", data=data, method=method, headers={  # noqa: S310
        "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
        "Accept-Language": "en", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
            return json.load(answer)
    except urllib.error.HTTPError as error:
        raise Refused(error.code, json.load(error)) from None


# Receiving webhooks ---------------------------------------------------------------------


def signature_valid(message_id: str, timestamp: str, body: bytes, signatures: str) -> bool:
    """Standard Webhooks: HMAC-SHA256 of ``id.timestamp.body`` with the secret's key (the
    base64 after ``whsec_``); the header may hold several ``v1,<base64>``, one per secret."""
    if abs(time.time() - int(timestamp)) > TOLERANCE:
        return False
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{message_id}.{timestamp}.".encode() + body,
                                         hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, given.partition(",")[2])
               for given in signatures.split() if given.startswith("v1,"))


received: queue.Queue[dict[str, Any]] = queue.Queue()


class Hooks(BaseHTTPRequestHandler):
    """The platform's endpoint: answers 204 to a signed webhook, 401 to anything else."""

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if not signature_valid(self.headers.get("webhook-id", ""),
                               self.headers.get("webhook-timestamp", "0"), body,
                               self.headers.get("webhook-signature", "")):
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()
        received.put({"id": self.headers["webhook-id"], **json.loads(body)})

    def log_message(self, format: str, *args: Any) -> None:
        pass


def wait_for(event: str, round_id: int, seconds: float = 60) -> dict[str, Any]:
    """The first signed webhook of ``event`` about the round (others are passed over)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = received.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        if message["type"] == event and message["data"]["round"]["id"] == round_id:
            return message
        print(f"  (webhook {message['type']} received)")
    raise TimeoutError(f"no {event} webhook for round {round_id} within {seconds} s")


# The decision ---------------------------------------------------------------------------


def main() -> int:
    server = HTTPServer(("127.0.0.1", PORT), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    members = call("GET", f"/organisations/{ORGANISATION}/members?limit=200")["items"]
    voters = [m for m in members if m["role"] == "member"][:3]
    print(f"Voters: {', '.join(m['name'] for m in voters)}")

    proposal = call("POST", f"/organisations/{ORGANISATION}/proposals", {
        "title": "Lend the cargo bikes to the food circuit on Sundays",
        "body": "The two cargo bikes are free on Sundays; the food circuit needs them.",
        "family": "consent", "params": {"min_consents": 2}})
    print(f"Proposal {proposal['id']}: {proposal['title']} ({proposal['status']})")

    closes_at = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    round_ = call("POST", f"/proposals/{proposal['id']}/rounds",
                  {"kind": "consent", "closes_at": closes_at})
    print(f"Round {round_['id']} open until {round_['closes_at']}: {round_['positions']}")

    for voter, position in zip(voters, ("consent", "consent", "abstain"), strict=False):
        ballot = call("PUT", f"/rounds/{round_['id']}/ballot", {"position": position},
                      **{"Decisions-Member": str(voter["id"]),
                         "Idempotency-Key": str(uuid.uuid4())})
        print(f"  {voter['name']}: {ballot['position']}")
    try:  # a position the round does not take: refused, in the page's words
        call("PUT", f"/rounds/{round_['id']}/ballot", {"position": "maybe"},
             **{"Decisions-Member": str(voters[0]["id"])})
    except Refused as refusal:
        print(f"  refused as expected: {refusal.problem['detail']}")

    time.sleep(1)  # a ballot at the very second of the close would count as late
    closed = call("POST", f"/rounds/{round_['id']}/close")
    print(f"Round closed: {closed['outcome']}")

    message = wait_for("round.closed", round_["id"])
    print(f"Webhook {message['id']} verified: {message['type']},"
          f" outcome {message['data']['round']['outcome']}")
    result = call("GET", f"/rounds/{round_['id']}/result")
    print(f"Result: {result['outcome']}. {result['explanation']}")
    server.shutdown()
    return 0 if message["data"]["round"]["outcome"] == result["outcome"] else 1


if __name__ == "__main__":
    sys.exit(main())
