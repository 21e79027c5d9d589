"""Colleges: adding, renaming and deleting them, setting their weights, and the engine's
verdict on the configuration (the rules of docs/rules.md 3.2 live in the engine only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from fractions import Fraction

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from decisions.engine import CollegeRefusal, check_colleges

from .. import mapping
from ..mapping import CollegeVerdict
from ..models import College, Membership, Organisation
from . import audit
from .messages import N_
from .organisations import OrganisationError


class CollegeConfigError(OrganisationError):
    """The engine refuses a college configuration (nothing was written, when raised)."""

    def __init__(self, code: str, message: str, verdict: CollegeVerdict, *,
                 params: Mapping[str, object]) -> None:
        super().__init__(code, message, params=params)
        self.verdict = verdict

    @property
    def out_of_bounds(self) -> tuple[int, ...]:
        """The colleges whose own weight is at fault (none when the fault is the whole
        configuration: too few colleges, or weights that do not add up)."""
        if self.verdict.error is CollegeRefusal.WEIGHT_OUT_OF_BOUNDS:
            return self.verdict.offending
        return ()


def colleges_of(db: Session, organisation: Organisation) -> list[College]:
    """The organisation's colleges, in the order they were created."""
    return list(db.scalars(select(College).where(College.organisation_id == organisation.id)
                           .order_by(College.id)))


def find_college(db: Session, organisation: Organisation, college_id: int) -> College | None:
    """One college of this organisation (``None`` for another organisation's)."""
    return db.scalar(select(College).where(College.id == college_id,
                                           College.organisation_id == organisation.id))


def member_counts(db: Session, organisation: Organisation) -> dict[int, int]:
    """How many current members each college has."""
    rows = db.execute(select(Membership.college_id, func.count(Membership.id))
                      .where(Membership.organisation_id == organisation.id,
                             Membership.ended_at.is_(None),
                             Membership.college_id.is_not(None))
                      .group_by(Membership.college_id))
    return {college_id: count for college_id, count in rows if college_id is not None}


def check(organisation: Organisation, colleges: Sequence[College],
          weights: Mapping[int, Fraction | None] | None = None) -> CollegeVerdict | None:
    """The engine's verdict on these colleges (with ``weights`` instead of theirs when
    given); ``None`` when there is no college: an organisation need not use colleges."""
    if not colleges:
        return None
    checked = check_colleges(mapping.engine_colleges(colleges, weights),
                             enforce_scic_bounds=mapping.enforce_scic_bounds(organisation))
    return mapping.college_verdict(checked)


def verdict(db: Session, organisation: Organisation) -> CollegeVerdict | None:
    """The engine's verdict on the organisation's current colleges (``None``: no college)."""
    return check(organisation, colleges_of(db, organisation))


def refusal(db: Session, organisation: Organisation) -> CollegeConfigError | None:
    """Why the organisation's current colleges cannot be used for a vote, as an error (not
    raised); ``None`` when they can, or when there is no college."""
    colleges = colleges_of(db, organisation)
    checked = check(organisation, colleges)
    return None if checked is None else verdict_error(checked, organisation, colleges)


def verdict_error(verdict: CollegeVerdict, organisation: Organisation,
                  colleges: Sequence[College]) -> CollegeConfigError | None:
    """The engine's refusal as an error (not raised), naming the colleges concerned
    (``None``: accepted)."""
    if verdict.error is None:
        return None
    names = {college.id: college.name for college in colleges}
    named = {"colleges": ", ".join(names.get(college_id, str(college_id))
                                   for college_id in verdict.offending)}
    if verdict.error is CollegeRefusal.TOO_FEW_COLLEGES:
        if organisation.is_scic:
            return CollegeConfigError(
                "colleges.too_few", N_("A SCIC needs at least 3 colleges. Colleges now:"
                                       " %(colleges)s."), verdict, params=named)
        return CollegeConfigError(
            "colleges.too_few", N_("A weighted vote needs at least 2 colleges. Colleges now:"
                                   " %(colleges)s."), verdict, params=named)
    if verdict.error is CollegeRefusal.WEIGHTS_SUM:
        return CollegeConfigError(
            "colleges.weights_sum", N_("The weights must add up to 100 %%, or all be left blank"
                                       " for equal weights. Colleges concerned:"
                                       " %(colleges)s."), verdict, params=named)
    if organisation.is_scic:
        return CollegeConfigError(
            "colleges.weight_out_of_bounds", N_("In a SCIC each college weighs from 10 %% to"
                                                " 50 %%. Out of bounds: %(colleges)s."),
            verdict, params=named)
    return CollegeConfigError(
        "colleges.weight_out_of_bounds", N_("Each college must weigh more than 0 %%. Out of"
                                            " bounds: %(colleges)s."), verdict, params=named)


def _clean_name(db: Session, organisation: Organisation, name: str,
                college: College | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise OrganisationError("college.name_missing", N_("Give the college a name."),
                                field="name")
    taken = db.scalar(select(College.id).where(
        College.organisation_id == organisation.id,
        func.lower(College.name) == name.lower(),
        College.id != (college.id if college is not None else -1)))
    if taken is not None:
        raise OrganisationError("college.name_taken",
                                N_("There is already a college of this name."), field="name")
    return name


def add_college(db: Session, organisation: Organisation, *, name: str) -> College:
    """A new college without a weight of its own. The configuration may then be incomplete
    (a SCIC is built one college at a time): :func:`verdict` says so, and the weights are
    set for all colleges at once with :func:`set_weights`."""
    college = College(organisation=organisation, name=_clean_name(db, organisation, name),
                      weight=None)
    db.add(college)
    db.flush()
    return college


def rename_college(db: Session, college: College, *, name: str) -> College:
    """Give a college another name."""
    college.name = _clean_name(db, college.organisation, name, college)
    db.flush()
    return college


def delete_college(db: Session, college: College) -> None:
    """Delete a college; its members keep their membership without a college."""
    organisation = college.organisation
    db.delete(college)
    db.flush()
    db.expire(organisation, ["colleges"])


def set_weights(db: Session, organisation: Organisation,
                weights: Mapping[int, Fraction | None], *, now: datetime) -> CollegeVerdict:
    """Set the weight of every college at once (all ``None``: equal weights), only if the
    engine accepts the resulting configuration; otherwise raise and write nothing."""
    colleges = colleges_of(db, organisation)
    if set(weights) != {college.id for college in colleges}:
        raise OrganisationError("colleges.changed", N_("The colleges changed meanwhile: check"
                                                       " the weights and save again."))
    checked = check(organisation, colleges, weights)
    if checked is None:
        return CollegeVerdict()
    refused = verdict_error(checked, organisation, colleges)
    if refused is not None:
        raise refused
    for college in colleges:
        college.weight = weights[college.id]
    db.flush()
    audit.record(db, organisation.id, "college_weights_changed", {
        "weights": audit.weights_json({c.name: c.weight for c in colleges})}, at=now)
    return checked
