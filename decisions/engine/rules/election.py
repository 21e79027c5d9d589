"""Family E: sociocratic election, by nomination, change and consent rounds (docs/rules.md 6)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from ..explain import Step
from ..model import (
    OUTSIDE_SEARCH,
    Case,
    Change,
    Event,
    FacilitatorProposal,
    Family,
    Nomination,
    Outcome,
    RejectionReason,
    Roll,
    RoundOpen,
)
from ..params import ElectionParams
from ..results import ElectionResult
from .sociocratic import ConsentRounds, overall

__all__ = ["ElectionRule"]


class ElectionRounds(ConsentRounds):
    """The consent rounds of an election, after its nomination and change rounds."""

    params: ElectionParams
    asks_review_date = False

    def __init__(self, params: ElectionParams, roll: Roll) -> None:
        super().__init__(params, roll)
        self.nominations: dict[str, str] = {}
        self.changes: dict[str, str] = {}
        self.proposal: str | None = None

    def apply(self, event: Event) -> None:
        """Apply one event, nominations and proposals included."""
        if isinstance(event, Nomination | Change):
            self._nominate(event)
        elif isinstance(event, FacilitatorProposal):
            if event.candidate in self.members or event.candidate == OUTSIDE_SEARCH:
                self.proposal = event.candidate
            else:
                self.refuse(event.candidate, None, RejectionReason.NOT_ELIGIBLE,
                            "facilitator_proposal")
        else:
            super().apply(event)

    def _nominate(self, event: Nomination | Change) -> None:
        kind = "nomination" if isinstance(event, Nomination) else "change"
        refusal = None
        eligible = self.members | {OUTSIDE_SEARCH}
        if event.voter not in self.members or event.nominee not in eligible:
            refusal = RejectionReason.NOT_ELIGIBLE
        elif event.nominee == event.voter and not self.params.self_nomination:
            refusal = RejectionReason.POSITION_NOT_ALLOWED
        elif isinstance(event, Nomination) and event.voter in self.nominations:
            refusal = RejectionReason.CHANGE_NOT_ALLOWED
        if refusal is not None:
            self.refuse(event.voter, None, refusal, kind)
        elif isinstance(event, Nomination):
            self.nominations[event.voter] = event.nominee
        else:
            self.changes[event.voter] = event.nominee

    def counts(self, after_change: bool) -> dict[str, int]:
        """Nominations per nominee, before or after the change round (sorted by id)."""
        chosen = {**self.nominations, **self.changes} if after_change else self.nominations
        return dict(sorted(Counter(chosen.values()).items()))

    def top(self) -> tuple[str, ...]:
        """The nominees with the most nominations after the change round."""
        counts = self.counts(after_change=True)
        if not counts:
            return ()
        most = max(counts.values())
        return tuple(sorted(n for n, c in counts.items() if c == most))

    def proposed(self) -> str | None:
        """The candidate a round without one is about: facilitator's proposal, else the
        unique top nominee."""
        if self.proposal is not None and self.params.proposal_rule == "facilitator":
            return self.proposal
        top = self.top()
        return top[0] if len(top) == 1 else None

    def candidate_for(self, event: RoundOpen) -> str | None:
        """The candidate of a consent round."""
        return event.candidate if event.candidate is not None else self.proposed()


class ElectionRule:
    """Sociocratic election: nominations with reasons, a change round, a proposal, and
    consent rounds on the candidate (asked last)."""

    family = Family.SOCIOCRATIC_ELECTION

    def evaluate(self, case: Case, now: datetime | None = None) -> ElectionResult:
        """Decide an election case (the log is its own clock: ``now`` is unused)."""
        params = case.params
        if not isinstance(params, ElectionParams) or not isinstance(case.electorate, Roll):
            raise TypeError("an election case needs ElectionParams and a roll of members")
        rounds = ElectionRounds(params, case.electorate)
        rounds.play(case.events)
        results = rounds.judge_all()
        top = rounds.top()
        tied = top if len(top) > 1 else ()
        before, after = rounds.counts(after_change=False), rounds.counts(after_change=True)
        steps = [Step.of("nominations", counts=before, after_change=after)] if before else []
        reason = None
        first = results[0].candidate if results else rounds.proposed()
        if not results or results[-1].candidate is None:
            outcome = Outcome.PENDING
            if rounds.proposed() is not None:
                steps.append(Step.of("proposed", candidate=rounds.proposed()))
            elif tied:
                reason = "facilitator_choice_required"
                steps.append(Step.of("tie", tied=tied))
            else:
                reason = "no_nominations"
                steps.append(Step.of("no_nominations"))
            steps += [s for s in overall(rounds, results)[1] if s.code == "round"]
        else:
            outcome, round_steps = overall(rounds, results)
            steps += round_steps
        elected = results[-1].candidate if outcome is Outcome.ADOPTED else None
        if elected is not None:
            steps.append(Step.of("elected", candidate=elected, role=params.role,
                                 term_months=params.term_months))
        return ElectionResult(
            outcome=outcome, reason=reason, explanation=tuple(steps), case_id=case.id,
            current_round=results[-1].round if results else None,
            current_version=rounds.version, rounds=results,
            rejected_events=tuple(rounds.rejected), phases=tuple(rounds.phases),
            warnings=tuple(rounds.warnings(outcome)),
            escalation_target=params.escalation_target, role=params.role,
            term_months=params.term_months, elected=elected,
            nomination_counts=tuple(before.items()), after_change_round=tuple(after.items()),
            first_proposed=first, tied=tied,
        )
