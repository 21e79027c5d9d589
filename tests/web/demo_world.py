"""The demo network (decisions/web/demo.py) as a world built once per module, for the tests
of the charts, exports, register and history pages: its proposals by family, and a client
signed in as one of its people."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from decisions.web import db, demo
from decisions.web.models import Proposal

from .conftest import built_once

SLUG = "reseau-demo"
ADMIN = "camille@demo.coop"  # reads French
READS_ENGLISH = demo.READS_ENGLISH  # tom, a member
#: The proposal of each family that demo.py tells, by the start of its title (the demo may
#: tell more, such as an assembly's resolutions).
TOLD = {"consent": "Adopter la charte", "sociocratic_consent": "Ouvrir un atelier",
        "scic_college": "AGO 2026", "majority": "Adhérer à la fédération",
        "sociocratic_election": "Élire la ou le secrétaire"}


@pytest.fixture(scope="module")
def demo_ids(shared_app: Flask, tmp_path_factory: pytest.TempPathFactory,
             ) -> Iterator[dict[str, int]]:
    """The demo, seeded once for the module: the ids of its proposals told for each family."""
    with built_once(shared_app, tmp_path_factory.mktemp("demo")) as app:
        with app.app_context():
            demo.seed()
            ids = {family: db.session().scalars(select(Proposal.id).where(
                Proposal.title.startswith(title))).one() for family, title in TOLD.items()}
        yield ids


@pytest.fixture
def app(rolled_back_app: Flask, demo_ids: dict[str, int]) -> Flask:
    """The application on the demo, as new; what the test writes is rolled back."""
    return rolled_back_app


def signed_in(app: Flask, email: str = ADMIN) -> FlaskClient:
    """A browser signed in as one of the demo's people."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": email,
                                                "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client
