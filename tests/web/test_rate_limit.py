"""Sign-in attempts are limited per address and, for failed ones, per account and address:
no one can lock an account's owner out. Password-reset requests are limited per address
and per account."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from decisions.web.models import User

from .conftest import PASSWORD
from .outbox import sent
from .variant import variant


@pytest.fixture
def limited(app: Flask) -> Iterator[Flask]:
    """The application with rate limits on (the test settings turn them off)."""
    with variant(app, RATELIMIT_ENABLED=True) as other:
        yield other


def _attempt(client: FlaskClient, email: str, password: str = "wrong password",  # noqa: S107
             address: str = "192.0.2.1", language: str = "en") -> int:
    response = client.post("/auth/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address},
                           headers={"Accept-Language": language})
    return response.status_code


def test_limits_are_off_in_the_default_test_settings(
        client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    assert all(_attempt(client, "ana@example.org") == 200 for _ in range(12))


def test_failed_attempts_on_one_account_from_one_address_are_limited_even_with_the_right_password(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    client = limited.test_client()
    statuses = [_attempt(client, "ana@example.org") for _ in range(5)]
    assert statuses == [200] * 5
    assert _attempt(client, "Ana@Example.org", PASSWORD) == 429
    # Another account from the same address is not concerned, nor the account elsewhere.
    make_user("bo@example.org")
    assert _attempt(client, "bo@example.org", PASSWORD) == 302
    assert _attempt(limited.test_client(), "ana@example.org", PASSWORD,
                    address="198.51.100.7") == 302


def test_an_attacker_cannot_keep_the_owner_out(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("camille@example.org")
    attacker = limited.test_client()
    statuses = [_attempt(attacker, "camille@example.org", address="203.0.113.5")
                for _ in range(20)]
    assert statuses == [200] * 5 + [429] * 15
    camille = limited.test_client()
    assert _attempt(camille, "camille@example.org", PASSWORD, address="198.51.100.7") == 302
    assert _attempt(attacker, "camille@example.org", PASSWORD, address="203.0.113.5") == 429


def test_failures_spread_over_addresses_do_not_lock_the_account(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    client = limited.test_client()
    statuses = [_attempt(client, "ana@example.org", address=f"192.0.2.{i}") for i in range(8)]
    assert statuses == [200] * 8
    assert _attempt(client, "ana@example.org", PASSWORD, address="198.51.100.7") == 302


def test_successful_sign_ins_do_not_count_against_the_account(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    for i in range(7):
        client = limited.test_client()
        assert _attempt(client, "ana@example.org", PASSWORD, address=f"192.0.2.{i}") == 302


def test_attempts_from_one_address_are_limited(
        limited: Flask, make_user: Callable[..., User]) -> None:
    client = limited.test_client()
    statuses = [_attempt(client, f"person{i}@example.org") for i in range(10)]
    assert statuses == [200] * 10
    assert _attempt(client, "someone@example.org") == 429
    assert _attempt(client, "someone@example.org", address="192.0.2.99") == 200
    # Showing the sign-in page is not an attempt.
    assert client.get("/auth/login", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code \
        == 200


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Too many", "wait a few minutes"]),
    ("fr", ["Trop de", "quelques minutes"]),
])
def test_a_limited_request_gets_a_clear_translated_page(
        limited: Flask, language: str, words: list[str]) -> None:
    client = limited.test_client()
    for i in range(10):
        _attempt(client, f"person{i}@example.org", language=language)
    response = client.post("/auth/login", data={"email": "x@example.org", "password": "x"},
                           environ_base={"REMOTE_ADDR": "192.0.2.1"},
                           headers={"Accept-Language": language})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "<h1>" in page
    for word in words:
        assert word in page
    assert "per 1 minute" not in page
    assert "Content-Security-Policy" in response.headers


def _ask_reset(client: FlaskClient, email: str, address: str = "192.0.2.1",
               language: str = "en") -> int:
    response = client.post("/auth/reset", data={"email": email},
                           environ_base={"REMOTE_ADDR": address},
                           headers={"Accept-Language": language})
    return response.status_code


def test_password_reset_requests_from_one_address_are_limited(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    client = limited.test_client()
    statuses = [_ask_reset(client, email) for email in
                ["ana@example.org"] + [f"person{i}@example.org" for i in range(4)]]
    assert statuses == [302] * 5
    assert _ask_reset(client, "ana@example.org") == 429
    assert _ask_reset(client, "someone@example.org") == 429
    assert _ask_reset(client, "someone@example.org", address="192.0.2.99") == 302
    assert client.get("/auth/reset", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code \
        == 200
    assert [m["To"] for m in sent(limited)] == ["ana@example.org"]


def test_password_reset_requests_for_one_account_are_limited_the_same_way_known_or_not(
        limited: Flask, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    client = limited.test_client()
    answers = {
        email: [_ask_reset(client, f" {email.upper()} " if i else email, address=f"192.0.2.{i}")
                for i in range(15)]
        for email in ("ana@example.org", "nobody@example.org")}
    assert answers["ana@example.org"] == [302] * 3 + [429] * 12
    assert answers["nobody@example.org"] == answers["ana@example.org"]
    assert [m["To"] for m in sent(limited)] == ["ana@example.org"] * 3


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Too many requests for a new password", "wait an hour"]),
    ("fr", ["Trop de demandes", "une heure"]),
])
def test_a_limited_reset_request_gets_a_clear_translated_page(
        limited: Flask, language: str, words: list[str]) -> None:
    client = limited.test_client()
    for i in range(3):
        _ask_reset(client, "ana@example.org", address=f"192.0.2.{i}", language=language)
    response = client.post("/auth/reset", data={"email": "ana@example.org"},
                           environ_base={"REMOTE_ADDR": "192.0.2.50"},
                           headers={"Accept-Language": language})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    for word in words:
        assert word in page
    assert "per 1 hour" not in page
