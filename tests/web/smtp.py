"""A real SMTP server on 127.0.0.1 (aiosmtpd, in a thread of the test process) that keeps
what it accepted, for the tests of e-mail: :func:`smtp_server` starts one on a free port.

Tests can make it answer otherwise: ``server.answer`` is called with the number of each
message as it arrives (1 for the first) and may return an SMTP reply other than "250" (a
``451`` to refuse it for now) after doing something (killing the sender, say);
``server.refused`` holds addresses refused for good at ``RCPT TO`` (``550``)."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .outbox import parse


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class SmtpServer:
    """What the test server received, and how it answers."""

    port: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    answer: Callable[[int], str | None] | None = None
    refused: set[str] = field(default_factory=set)
    arrived: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.arrived += 1
            number = self.arrived
        if self.answer is not None:
            reply = self.answer(number)
            if reply is not None:
                return reply
        data = bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.raw.append(data)
            self.received.append(parse(data))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        """The Message-IDs of what was accepted, in order of arrival."""
        with self.lock:
            return [str(message["Message-ID"]) for message in self.received]


@contextmanager
def smtp_server(*, starttls: ssl.SSLContext | None = None,
                implicit_tls: ssl.SSLContext | None = None,
                login: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    """An SMTP server listening on 127.0.0.1 until the end of the block: plain, or offering
    STARTTLS (and requiring it), or speaking TLS from the first byte; asking for ``login``
    (user, password) when given."""
    server = SmtpServer(port=free_port())
    options: dict[str, Any] = {"decode_data": False}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if login is not None:
        def authenticator(smtp: Any, session: Any, envelope: Any, mechanism: str,
                          data: Any) -> AuthResult:
            given = (data.login.decode(), data.password.decode())
            # handled=False: the server answers (235, or 535 for a wrong password).
            return AuthResult(success=isinstance(data, LoginPassword) and given == login,
                              handled=False)

        # Implicit TLS is TLS too, but aiosmtpd only counts STARTTLS's when it requires TLS.
        options.update(authenticator=authenticator, auth_required=True,
                       auth_require_tls=implicit_tls is None)
    controller = Controller(server, hostname="127.0.0.1", port=server.port,
                            ssl_context=implicit_tls, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


def tls_contexts(folder: Path) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 whose certificate is signed by a test authority,
    and the file of that authority (for ``SSL_CERT_FILE``, which the application's default
    TLS context trusts)."""
    now = datetime.now(UTC)
    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "decisions test CA")])
    authority = (x509.CertificateBuilder().subject_name(authority_name)
                 .issuer_name(authority_name).public_key(authority_key.public_key())
                 .serial_number(x509.random_serial_number())
                 .not_valid_before(now - timedelta(days=1))
                 .not_valid_after(now + timedelta(days=1))
                 .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                 .sign(authority_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                               "127.0.0.1")]))
                   .issuer_name(authority_name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .sign(authority_key, hashes.SHA256()))
    authority_file = folder / "authority.pem"
    authority_file.write_bytes(authority.public_bytes(serialization.Encoding.PEM))
    chain = folder / "server.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file = folder / "server.key"
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(chain, key_file)
    return context, authority_file


def smtp_settings(port: int) -> dict[str, Any]:
    """The settings that send the application's mail to the test server at ``port``."""
    return {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_TIMEOUT": 10, "MAIL_SENDER": "decisions <noreply@decisions.example.coop>",
            "BASE_URL": "https://decisions.example.coop"}
