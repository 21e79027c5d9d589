"""The application starts, signs people in and out, and shows its pages and errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import inspect, text

from decisions.web import create_app, db
from decisions.web.db import Base
from decisions.web.models import User

from .conftest import PASSWORD, Auth


def test_a_secret_key_is_generated_into_the_instance_folder_on_first_start(
        tmp_path: Path) -> None:
    config = {"TESTING": True, "INSTANCE_PATH": str(tmp_path / "inst"),
              "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    first = create_app(config)
    second = create_app(config)
    assert len(first.config["SECRET_KEY"]) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "inst" / "secret_key").read_text() == first.config["SECRET_KEY"]


def test_environment_variables_override_the_instance_config(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "inst"
    instance.mkdir()
    (instance / "config.py").write_text("INVITATION_DAYS = 3\nMAIL_SENDER = 'a@b.c'\n")
    monkeypatch.setenv("DECISIONS_INVITATION_DAYS", "5")
    app = create_app({"INSTANCE_PATH": str(instance), "SECRET_KEY": "k"})
    assert app.config["INVITATION_DAYS"] == 5
    assert app.config["MAIL_SENDER"] == "a@b.c"
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance / 'decisions.sqlite'}"


def test_the_migrated_schema_matches_the_models(app: Flask) -> None:
    engine = db.engine_of(app)
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == {c.name for c in table.columns}, table.name
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_person_signs_in_and_out(client: FlaskClient, auth: Auth,
                                   make_user: Callable[..., User]) -> None:
    make_user("ana@example.org", name="Ana")
    response = auth.login("ana@example.org")
    assert response.status_code == 302
    page = client.get("/orgs/").get_data(as_text=True)
    assert "My organisations" in page
    assert "Ana" in page
    assert auth.logout().status_code == 302
    assert client.get("/orgs/").status_code == 302


def test_on_postgresql_pages_that_only_read_keep_their_statements_prepared(
        app: Flask, client: FlaskClient, auth: Auth, make_user: Callable[..., User]) -> None:
    """psycopg prepares a statement on the server from its fifth use, and forgets every one
    at a rollback: a request that only read ends with a commit, or nothing is ever prepared
    and the server parses and plans every statement of every request again."""
    if db.engine_of(app).dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    make_user("ana@example.org", name="Ana")
    auth.login("ana@example.org")
    db.engine_of(app).dispose()  # one connection from here on, the requests' in turn
    for _ in range(8):
        assert client.get("/orgs/").status_code == 200
    with db.engine_of(app).connect() as connection:
        prepared = connection.scalar(text("select count(*) from pg_prepared_statements"))
    assert (prepared or 0) > 0


def test_a_wrong_password_is_refused_with_a_message_next_to_the_field(
        client: FlaskClient, auth: Auth, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    response = auth.login("ana@example.org", "not the password")
    assert response.status_code == 200
    assert "Wrong e-mail or password." in response.get_data(as_text=True)
    assert client.get("/orgs/").status_code == 302


def test_creating_an_organisation_makes_its_creator_admin(
        client: FlaskClient, auth: Auth, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    auth.login("ana@example.org", PASSWORD)
    response = client.post("/orgs/new", data={"name": "Vélo Coop", "slug": "velo-coop",
                                              "is_scic": "y"})
    assert response.status_code == 302
    page = client.get("/orgs/velo-coop/").get_data(as_text=True)
    assert "Vélo Coop" in page
    assert "admin" in page


def test_a_taken_short_name_is_refused_and_nothing_is_written(
        app: Flask, client: FlaskClient, auth: Auth, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    auth.login("ana@example.org")
    client.post("/orgs/new", data={"name": "One", "slug": "coop"})
    response = client.post("/orgs/new", data={"name": "Two", "slug": "coop"})
    assert response.status_code == 200
    assert "This short name is already taken." in response.get_data(as_text=True)
    from decisions.web.models import Organisation
    with app.app_context():
        assert [o.name for o in db.session().query(Organisation)] == ["One"]


def test_unknown_pages_get_the_styled_404(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_the_interface_speaks_french_to_a_french_browser(client: FlaskClient) -> None:
    response = client.get("/auth/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert "Se connecter" in response.get_data(as_text=True)
