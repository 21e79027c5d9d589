"""Attacks by someone who can write to the database, and what finds them: each closed round
is compared with its closing entry, and each chain with the signed checkpoints written
outside the database at every close, and with a head a member kept (issue 8, parts 2, 3)."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import inspect, select, text

from decisions.engine import dump_case, evaluate
from decisions.web import db, round_cases, scheduler
from decisions.web.cli import cli
from decisions.web.models import (
    AuditEntry,
    Ballot,
    Organisation,
    Proposal,
    ProposalStatus,
    Round,
    RoundKind,
    RoundStatus,
)
from decisions.web.services import audit, proposals

from .conftest import Clock, unit
from .round_steps import Coop, open_round, proposal_of, vote
from .round_steps import coop as coop


def folder(app: Flask) -> Path:
    """Where the application keeps its checkpoints and key (the instance folder here)."""
    return Path(app.instance_path)


def closed_by_scheduler(app: Flask, coop: Coop, clock: Clock, *, secret: bool = False,
                        positions: tuple[str, ...] = ("yes", "yes", "no", "no", "no", "no"),
                        ) -> int:
    """A majority round voted by the six members and closed at its deadline by the
    scheduler (which publishes a checkpoint): rejected, four "no" to two "yes"."""
    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock, secret=secret)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    for member, position in zip(members, positions, strict=True):
        vote(app, round_id, member, position, clock)
    clock.advance(days=7)
    assert scheduler.close_due_rounds(app) == [round_id]
    return round_id


def chain_head(app: Flask, organisation_id: int) -> tuple[int, str]:
    """The chain's length and last hash, as a member copies them from the audit page
    (read without the checkpoints module, so that the attacks run on older code too)."""
    with app.app_context():
        last = db.session().execute(select(AuditEntry.seq, AuditEntry.hash).where(
            AuditEntry.organisation_id == organisation_id).order_by(AuditEntry.seq.desc())
            .limit(1)).one()
        return last.seq, last.hash


def cli_passes(runner: FlaskCliRunner, *args: str) -> None:
    for command in (["audit", "verify", *args], ["recount", "--all"]):
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output


def recount_again(app: Flask, round_id: int) -> str:
    """Store, behind the application's back, the case gathered from the current rows and
    what the engine makes of it, as if the round had been decided so: the outcome."""
    with unit(app) as session:
        round_ = session.get_one(Round, round_id)
        assert round_.closed_at is not None
        case = round_cases.round_case(session, round_, max(round_.closed_at, round_.closes_at))
        result = evaluate(case)
        round_.case_json = json.dumps(dump_case(case), ensure_ascii=False)
        round_.result_json = json.dumps(result.to_json(), ensure_ascii=False)
        round_.outcome = round_.proposal.outcome = result.outcome.value
        return round_.outcome


def swap_secret_positions(app: Flask, round_id: int) -> None:
    """Swap "yes" and "no" in the secret round's storage (counters, or ballots without
    member on older schemas), in three steps so that no unique key meets itself."""
    engine = db.engine_of(app)
    table = ("secret_tally" if "secret_tally" in inspect(engine).get_table_names()
             else "secret_ballot")
    with engine.begin() as connection:
        for old, new in (("yes", "swap"), ("no", "yes"), ("swap", "no")):
            connection.execute(text(f"UPDATE {table} SET position = :new"  # noqa: S608
                                    " WHERE round_id = :r AND position = :old"),
                               {"new": new, "old": old, "r": round_id})


def rehash_from(app: Flask, organisation_id: int, first: int) -> None:
    """Hash again every entry from ``first`` on, each on the one before: a chain that
    holds."""
    with unit(app) as session:
        rows = list(session.scalars(select(AuditEntry).where(
            AuditEntry.organisation_id == organisation_id).order_by(AuditEntry.seq)))
        previous = audit.GENESIS
        for entry in rows:
            if entry.seq >= first:
                entry.previous_hash = previous
                entry.hash = audit.digest(previous, entry.seq, entry.kind, entry.data,
                                          entry.actor_id, entry.at)
            previous = entry.hash


def test_a_rewritten_closed_secret_round_differs_from_its_closing_entry(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    round_id = closed_by_scheduler(app, coop, clock, secret=True)
    cli_passes(runner)
    swap_secret_positions(app, round_id)
    assert recount_again(app, round_id) == "adopted"  # was "rejected"
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    named = f"organisation coop, entry {_closing_seq(app, round_id)}: round {round_id}:"
    assert f"{named} the outcome is 'adopted', its closing entry says 'rejected'" in (
        verified.output)
    assert f"{named} the stored case is not the one its closing entry hashed" in (
        verified.output)
    assert f"{named} the stored result is not the one its closing entry hashed" in (
        verified.output)
    recounted = runner.invoke(cli, ["recount", "--all"])
    assert recounted.exit_code != 0
    assert f"round {round_id} (coop/" in recounted.output
    assert "the stored case is not the one its closing entry hashed" in recounted.output


def _closing_seq(app: Flask, round_id: int) -> int:
    with app.app_context():
        organisation_id = db.session().scalar(select(Proposal.organisation_id).join(Round)
                                              .where(Round.id == round_id))
        assert organisation_id is not None
        return audit.closing_entries(db.session(), organisation_id)[round_id][0]


def test_a_close_undone_by_deleting_the_newest_entries_is_found_by_the_checkpoint(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, _ = coop
    round_id = closed_by_scheduler(app, coop, clock)
    cli_passes(runner)
    length, _ = chain_head(app, organisation.id)  # the close published this head
    with unit(app) as session:  # the round open again, its closing entry gone
        round_ = session.get_one(Round, round_id)
        round_.status, round_.closed_at = RoundStatus.OPEN, None
        round_.case_json = round_.result_json = round_.outcome = None
        round_.proposal.status, round_.proposal.outcome = ProposalStatus.OPEN, None
        round_.proposal.decided_at = None
        session.execute(text("DELETE FROM audit_entry WHERE organisation_id = :o"
                             " AND seq = :s"), {"o": organisation.id, "s": length})
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    assert (f"organisation coop: the chain has {length - 1} entries but checkpoint 1 of "
            ) in verified.output
    assert f"says {length}: its newest entries were deleted" in verified.output


def test_entries_deleted_after_a_members_copy_of_the_head_are_found_with_it(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, _ = coop
    round_id = closed_by_scheduler(app, coop, clock)
    with unit(app) as session:
        proposal = session.get_one(Round, round_id).proposal
        proposals.record_outcome(session, proposal, statement="No bikes.", review_date=None,
                                 now=db.utcnow())
    length, hash_ = chain_head(app, organisation.id)
    cli_passes(runner)
    with db.engine_of(app).begin() as connection:
        connection.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": length})
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0  # after the checkpoint
    verified = runner.invoke(cli, ["audit", "verify", "--head", f"{length}:{hash_}",
                                   "--organisation", "coop"])
    assert verified.exit_code != 0
    assert (f"organisation coop: the chain has {length - 1} entries but the head given"
            f" says {length}: its newest entries were deleted") in verified.output


def rewrite_ballots_and_rehash(app: Flask, organisation_id: int, round_id: int) -> None:
    """Turn the round's "no" ballots into "yes", their entries with them (fingerprints
    too), store the new case, result and outcome and the closing entry that hashes them,
    then hash the chain again from the first entry changed."""
    with unit(app) as session:
        changed = list(session.scalars(select(Ballot).where(Ballot.round_id == round_id,
                                                            Ballot.position == "no")))
        for ballot in changed:
            ballot.position = "yes"
    assert recount_again(app, round_id) == "adopted"
    with unit(app) as session:
        round_ = session.get_one(Round, round_id)
        first = None
        for entry in session.scalars(select(AuditEntry).where(
                AuditEntry.organisation_id == organisation_id).order_by(AuditEntry.seq)):
            data = json.loads(entry.data)
            if entry.kind in audit.BALLOT_KINDS and data.get("position") == "no":
                ballot = session.get_one(Ballot, data["ballot"])
                data.update(position="yes", fingerprint=audit.ballot_fingerprint(ballot))
            elif entry.kind == "round_closed" and data.get("round") == round_id:
                data.update(outcome=round_.outcome,
                            case_sha256=audit.sha256(round_.case_json or ""),
                            result_sha256=audit.sha256(round_.result_json or ""))
            else:
                continue
            entry.data = audit.canonical(data)
            first = first or entry.seq
    assert first is not None
    rehash_from(app, organisation_id, first)


def test_a_rewritten_ballot_with_every_later_entry_hashed_again_is_found(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, _ = coop
    round_id = closed_by_scheduler(app, coop, clock)
    length, hash_ = chain_head(app, organisation.id)
    cli_passes(runner)
    rewrite_ballots_and_rehash(app, organisation.id, round_id)
    with app.app_context():  # the chain, the ballots and the closes all hold on their own
        session = db.session()
        assert audit.verify(session, clock())[2] == []
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    assert (f"organisation coop, entry {length}: its hash differs from checkpoint 1 of"
            ) in verified.output
    assert "entries up to it were rewritten" in verified.output
    (folder(app) / "checkpoints" / f"{organisation.id}.jsonl").unlink(missing_ok=True)
    held = runner.invoke(cli, ["audit", "verify", "--head", f"{length}:{hash_}"])
    assert held.exit_code != 0
    assert (f"organisation coop, entry {length}: its hash differs from the head given:"
            " entries up to it were rewritten") in held.output


def test_a_forged_checkpoint_has_a_bad_signature(
        app: Flask, coop: Coop, clock: Clock, runner: FlaskCliRunner) -> None:
    organisation, _ = coop
    closed_by_scheduler(app, coop, clock)
    path = folder(app) / "checkpoints" / f"{organisation.id}.jsonl"
    line = json.loads(path.read_text())
    path.write_text(json.dumps({**line, "length": line["length"] - 1}) + "\n")
    verified = runner.invoke(cli, ["audit", "verify"])
    assert verified.exit_code != 0
    assert "checkpoint 1 of" in verified.output
    assert "has a bad signature" in verified.output


def test_each_close_publishes_a_signed_head_outside_the_database(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Any) -> None:
    from decisions.web.services import checkpoints as checkpoint_service

    organisation, members = coop
    closed_by_scheduler(app, coop, clock)
    key = folder(app) / checkpoint_service.KEY_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (folder(app) / checkpoint_service.PUBLIC_KEY_FILE).exists()
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, round_id, members[1], "yes", clock)
    auth.login("ana@example.org")
    closed = client.post(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/close",
                         data={"confirmed": "yes"})
    assert closed.status_code == 302
    with app.app_context():
        current = checkpoint_service.head(db.session(), organisation.id)
    published = checkpoint_service.read(folder(app), organisation.id)
    assert [c.head if c else None for c in published][-1] == current
    assert all(c is not None and c.signed and c.slug == "coop" for c in published)
    assert len(published) == 2


def test_a_close_rolled_back_publishes_nothing(
        app: Flask, coop: Coop, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from decisions.web.services import checkpoints as checkpoint_service

    organisation, members = coop
    proposal = proposal_of(app, organisation, members[0], "majority",
                           {"preset": "association_default"}, clock)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)

    def fails(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(audit, "round_closed", fails)
    clock.advance(days=7)
    assert scheduler.close_due_rounds(app) == []
    assert checkpoint_service.read(folder(app), organisation.id) == []
    with app.app_context():
        assert db.session().get_one(Round, round_id).status is RoundStatus.OPEN


def test_the_results_page_shows_the_head_published_at_the_close(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Any) -> None:
    from decisions.web.services import checkpoints as checkpoint_service

    organisation, _ = coop
    round_id = closed_by_scheduler(app, coop, clock)
    published = checkpoint_service.latest(folder(app), organisation.id)
    assert published is not None
    with app.app_context():
        proposal_id = db.session().get_one(Round, round_id).proposal_id
    auth.login("m0@example.org")
    page = client.get(f"/orgs/coop/proposals/{proposal_id}/rounds/{round_id}/results"
                      ).get_data(as_text=True)
    assert str(published.head) in page
    audit_page = client.get("/orgs/coop/audit").get_data(as_text=True)
    assert str(published.head) in audit_page
    public_key = checkpoint_service.public_key_text(folder(app))
    assert public_key is not None
    assert public_key in audit_page


def test_verify_asks_which_organisation_a_head_belongs_to(
        app: Flask, coop: Coop, make_org: Callable[..., Organisation],
        runner: FlaskCliRunner) -> None:
    make_org("other")
    head = f"0:{audit.GENESIS}"
    asked = runner.invoke(cli, ["audit", "verify", "--head", head])
    assert asked.exit_code != 0
    assert "--organisation" in asked.output
    assert runner.invoke(cli, ["audit", "verify", "--head", "12:abc"]).exit_code != 0
    unknown = runner.invoke(cli, ["audit", "verify", "--head", head, "--organisation", "x"])
    assert unknown.exit_code != 0
