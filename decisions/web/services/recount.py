"""Recounting closed rounds: the engine evaluates each stored case again and must find the
stored result, each case gathered again from the current rows must be the stored case, and
the stored case, result and outcome must be the ones the round's closing audit entry hashed
(else case, result and rows rewritten together would recount without a difference)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from decisions.engine import CaseError, dump_case, evaluate, load_case

from .. import round_cases
from ..models import Round, RoundStatus
from . import audit


def closed_rounds(db: Session) -> list[Round]:
    """Every closed round that stored a case, oldest first."""
    return list(db.scalars(select(Round).where(Round.status == RoundStatus.CLOSED,
                                               Round.case_json.is_not(None))
                           .order_by(Round.id)))


def differences(stored: Any, now: Any, path: str) -> Iterator[str]:
    """Where two JSON values differ, as ``path: stored …, now …``."""
    if isinstance(stored, dict) and isinstance(now, dict):
        for key in sorted(set(stored) | set(now), key=str):
            if key not in now:
                yield f"{path}.{key}: stored {json.dumps(stored[key])}, now missing"
            elif key not in stored:
                yield f"{path}.{key}: not stored, now {json.dumps(now[key])}"
            else:
                yield from differences(stored[key], now[key], f"{path}.{key}")
    elif isinstance(stored, list) and isinstance(now, list) and len(stored) == len(now):
        for index, (left, right) in enumerate(zip(stored, now, strict=True)):
            yield from differences(left, right, f"{path}[{index}]")
    elif stored != now:
        yield f"{path}: stored {json.dumps(stored)}, now {json.dumps(now)}"


def _evaluated_at(round_: Round, case: dict[str, Any]) -> datetime:
    stored = case.get("params", {}).get("evaluated_at")
    if isinstance(stored, str):
        return datetime.fromisoformat(stored)
    closed = round_.closed_at or round_.closes_at
    return max(closed, round_.closes_at)


def recount(db: Session, round_: Round) -> list[str]:
    """The differences found for one closed round (none: it recounts to what was stored)."""
    if round_.case_json is None or round_.result_json is None:
        return ["no stored case or result"]
    case = json.loads(round_.case_json)
    found = _against_closing_entry(db, round_)
    found += _stuffed(db, round_)
    try:
        again = evaluate(load_case(case)).to_json()
    except CaseError as error:
        found.append(f"the stored case does not load: {error}")
    else:
        found += differences(json.loads(round_.result_json),
                             json.loads(json.dumps(again)), "result")
    try:
        rebuilt = dump_case(round_cases.round_case(db, round_, _evaluated_at(round_, case)))
    except CaseError as error:
        found.append(f"the case cannot be gathered from the rows: {error}")
    else:
        now = json.loads(json.dumps(rebuilt, ensure_ascii=False))
        params, stored_params = now.get("params"), case.get("params")
        if (round_.proposal.review_date is not None and isinstance(params, dict)
                and isinstance(stored_params, dict) and stored_params.get("review_date") is None):
            # The review date is written with the outcome, after the case that decided.
            params["review_date"] = stored_params.get("review_date")
            if "review_date" not in stored_params:
                del params["review_date"]
        found += differences(case, now, "case")
    return found


def _against_closing_entry(db: Session, round_: Round) -> list[str]:
    closing = audit.closing_entries(db, round_.proposal.organisation_id).get(round_.id)
    if closing is None:
        return ["no closing entry in the audit log"]
    seq, data = closing
    return [f"{difference} (audit entry {seq})"
            for difference in audit.close_differences(round_, data)]


def _stuffed(db: Session, round_: Round) -> list[str]:
    """A secret round whose counters hold more ballots than members took part: counted
    from the counters alone, its case would recount without a difference."""
    if not round_.proposal.secret:
        return []
    turnout = audit.secret_turnout(db, round_.id)
    if turnout.counted <= turnout.took_part:
        return []
    return [f"the secret counters hold {turnout.counted} ballots for {turnout.took_part}"
            " participations"]
