"""Proposals in plain words: the names of families, presets, statuses, outcomes, rounds and
positions, and a decision rule (its parameters in the engine's case format) as sentences a
member reads before taking part."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import LazyString, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext as babel_ngettext

from decisions.engine import PRESETS, Family

from ..families import descriptor
from ..models import ProposalStatus, RoundKind, RoundStatus, VotersVisibility


def _(message: str, **values: Any) -> str:
    """A message in the reader's language (Flask-Babel's ``gettext``, typed)."""
    return str(gettext(message, **values))


def ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    """The singular or plural form, by ``num``, in the reader's language (Flask-Babel's
    ``ngettext``, typed): French counts 0 and 1 in the singular, English only 1."""
    return str(babel_ngettext(singular, plural, num, **values))


FAMILY_LABELS: dict[Family, LazyString] = {
    Family.CONSENT: _l("Consent"),
    Family.SOCIOCRATIC_CONSENT: _l("Sociocratic consent"),
    Family.SOCIOCRATIC_ELECTION: _l("Sociocratic election"),
    Family.MAJORITY: _l("Majority vote"),
    Family.SCIC_COLLEGE: _l("SCIC multi-college vote"),
}

FAMILY_HELP: dict[Family, LazyString] = {
    Family.CONSENT: _l("Members consent, abstain or object with a reason before the"
                       " deadline; the proposal passes unless someone objects."),
    Family.SOCIOCRATIC_CONSENT: _l("Consent rounds in a circle: each reasoned objection is"
                                   " integrated into a new version, until nobody objects."),
    Family.SOCIOCRATIC_ELECTION: _l("Choosing someone for a role: nominations with reasons,"
                                    " then a consent round on the proposed candidate."),
    Family.MAJORITY: _l("One member, one vote: yes, no, abstain or blank, counted under a"
                        " threshold, a base and a quorum."),
    Family.SCIC_COLLEGE: _l("As a majority vote, but the result of each college weighs by"
                            " its share of the voting rights (SCIC general assemblies)."),
}

PRESET_NAMES: dict[str, LazyString] = {
    "scic_sa_ago": _l("SA ordinary general assembly"),
    "scic_sa_age": _l("SA extraordinary general assembly"),
    "sa_age_pre_2019": _l("SA extraordinary general assembly, rules before 2019"),
    "scic_sas_ago": _l("SAS ordinary general assembly, as in an SA unless the statutes differ"),
    "scic_sas_age": _l("SAS extraordinary general assembly, as in an SA unless the statutes"
                       " differ"),
    "scic_sarl_ordinary": _l("SARL ordinary decision"),
    "scic_sarl_statutes": _l("SARL change of the statutes"),
    "association_default": _l("Association, as the statutes decide"),
}

#: The presets of votes (docs/rules.md section 7), in the order of the engine's table.
VOTE_PRESETS = tuple(name for name, preset in PRESETS.items()
                     if Family.MAJORITY in preset.families)

STATUS_LABELS: dict[ProposalStatus, LazyString] = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.OPEN: _l("Under decision"),
    ProposalStatus.DECIDED: _l("Decided"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
    ProposalStatus.REVIEWED: _l("Reviewed"),
}

OUTCOME_LABELS: dict[str, LazyString] = {
    "pending": _l("not decided yet"),
    "adopted": _l("adopted"),
    "rejected": _l("rejected"),
    "no_quorum": _l("no quorum"),
    "blocked": _l("blocked by an objection"),
    "needs_integration": _l("objections to integrate"),
    "escalated": _l("passed to the broader circle"),
    "invalid_config": _l("rule not applicable (invalid configuration)"),
    "invalid_convocation": _l("notice period not respected"),
}

ROUND_KIND_LABELS: dict[RoundKind, LazyString] = {
    RoundKind.CLARIFYING: _l("Clarifying questions"),
    RoundKind.REACTIONS: _l("Reactions"),
    RoundKind.NOMINATION: _l("Nominations"),
    RoundKind.CHANGE: _l("Changes of nomination"),
    RoundKind.CONSENT: _l("Consent round"),
    RoundKind.VOTE: _l("Vote"),
}

ROUND_STATUS_LABELS: dict[RoundStatus, LazyString] = {
    RoundStatus.SCHEDULED: _l("scheduled"),
    RoundStatus.OPEN: _l("open"),
    RoundStatus.CLOSED: _l("closed"),
    RoundStatus.CANCELLED: _l("cancelled"),
    RoundStatus.FAILED: _l("could not be counted"),
}

POSITION_LABELS: dict[str, LazyString] = {
    "yes": _l("Yes"),
    "no": _l("No"),
    "abstain": _l("Abstention"),
    "blank": _l("Blank"),
    "consent": _l("Consent"),
    "concern": _l("Concern"),
    "object": _l("Objection"),
    "nominate": _l("Nomination"),
}

VISIBILITY_LABELS: dict[VotersVisibility, LazyString] = {
    VotersVisibility.EVERYONE: _l("Everyone in the organisation"),
    VotersVisibility.FACILITATORS: _l("Facilitators and admins only"),
    VotersVisibility.NOBODY: _l("Nobody"),
}

THRESHOLD_LABELS: dict[str, LazyString] = {
    "simple": _l("Simple majority: more votes for than against"),
    "absolute": _l("Absolute majority: more than half of the base"),
    "two_thirds": _l("Two thirds of the base or more"),
    "three_quarters": _l("Three quarters of the base or more"),
    "fraction": _l("Another fraction of the base (below)"),
}

BASE_LABELS: dict[str, LazyString] = {
    "YN": _l("Votes expressed: for and against (abstentions left out)"),
    "YNA": _l("For, against and abstentions"),
    "valid": _l("Valid ballots: for, against, abstentions and blank"),
    "cast": _l("All ballots cast, spoiled ones included"),
    "present": _l("Members present or represented, voting or not"),
    "entitled": _l("All members entitled to vote"),
}

#: The base after a threshold: "more than half" + "of the votes expressed".
_OF_BASE: dict[str, LazyString] = {
    "YN": _l("of the votes expressed"),
    "YNA": _l("of the votes for, against and abstentions"),
    "valid": _l("of the valid ballots, blank ones included"),
    "cast": _l("of all ballots cast, blank and spoiled ones included"),
    "present": _l("of the members present or represented"),
    "entitled": _l("of all members entitled to vote"),
}

_FRACTIONS: dict[tuple[int, int], LazyString] = {
    (1, 2): _l("half"),
    (1, 3): _l("one third"),
    (2, 3): _l("two thirds"),
    (1, 4): _l("one quarter"),
    (3, 4): _l("three quarters"),
    (1, 5): _l("one fifth"),
    (1, 10): _l("one tenth"),
}


def fraction_words(num: int, den: int) -> str:
    """A fraction as people say it: one fifth, two thirds, or 3/5."""
    words = _FRACTIONS.get((num, den))
    return str(words) if words is not None else f"{num}/{den}"


def by_convocation(value: Any) -> tuple[Any, Any]:
    """A parameter given once or per convocation, as (first, second)."""
    if isinstance(value, dict) and ("first" in value or "second" in value):
        first = value.get("first")
        return first, value.get("second", first)
    return value, value


def _is_ratio(value: Any) -> bool:
    return isinstance(value, dict) and {"num", "den"} <= value.keys()


def _threshold_words(threshold: Any, base: Any) -> str:
    of_base = str(_OF_BASE.get(str(base), base))
    if threshold == "simple":
        return _("more votes for than against")
    if threshold == "absolute":
        return _("more than half %(base)s", base=of_base)
    if threshold == "two_thirds":
        return _("at least two thirds %(base)s", base=of_base)
    if threshold == "three_quarters":
        return _("at least three quarters %(base)s", base=of_base)
    if _is_ratio(threshold):
        fraction = fraction_words(int(threshold["num"]), int(threshold["den"]))
        if threshold.get("inclusive", True):
            return _("at least %(fraction)s %(base)s", fraction=fraction, base=of_base)
        return _("more than %(fraction)s %(base)s", fraction=fraction, base=of_base)
    return _("a threshold still to be set")


def _quorum_words(quorum: Any) -> str:
    if _is_ratio(quorum):
        return fraction_words(int(quorum["num"]), int(quorum["den"]))
    return _("none")


def resolved(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters with their preset's values under the explicit ones (as the engine
    reads them)."""
    preset = PRESETS.get(str(params.get("preset")))
    return {**(preset.params if preset is not None else {}), **params}


def vote_rule_words(params: Mapping[str, Any]) -> str:
    """A vote's threshold, base and quorum in words: "more than half of the votes expressed;
    quorum one fifth on first convocation, none on second"."""
    values = resolved(params)
    thresholds = by_convocation(values.get("threshold"))
    bases = by_convocation(values.get("base"))
    first, second = (_threshold_words(t, b) for t, b in zip(thresholds, bases, strict=True))
    decision = first if first == second else _(
        "%(first)s on first convocation, %(second)s on second", first=first, second=second)
    raw = by_convocation(values.get("quorum"))
    quorums = [_quorum_words(q) for q in raw]
    if quorums[0] == quorums[1]:
        quorum = _("quorum %(fraction)s", fraction=quorums[0]) if _is_ratio(raw[0]) else _(
            "no quorum")
    else:
        quorum = _("quorum %(first)s on first convocation, %(second)s on second",
                   first=quorums[0], second=quorums[1])
    return _("%(decision)s; %(quorum)s", decision=decision, quorum=quorum)


def preset_words(name: str) -> str:
    """A preset's name and rule: "SA ordinary general assembly: more than half of ..."."""
    preset = PRESETS[name]
    return _("%(name)s: %(rule)s", name=str(PRESET_NAMES.get(name, name)),
             rule=vote_rule_words(dict(preset.params)))


def _rounds_limit(values: Mapping[str, Any]) -> str:
    count = int(values.get("max_consent_rounds", 3))
    target = values.get("escalation_target")
    if target:
        return ngettext("If objections remain after a single consent round, the proposal"
                        " passes to the circle %(circle)s.",
                        "If objections remain after %(count)d consent rounds, the proposal"
                        " passes to the circle %(circle)s.", count, count=count, circle=target)
    return ngettext("If objections remain after a single consent round, the proposal is"
                    " blocked.",
                    "If objections remain after %(count)d consent rounds, the proposal is"
                    " blocked.", count, count=count)


def _election_words(values: Mapping[str, Any]) -> str:
    role, months = values.get("role"), values.get("term_months")
    if role and months:
        return ngettext("Election for the role %(role)s, for one month.",
                        "Election for the role %(role)s, for %(count)d months.", int(months),
                        role=role, count=int(months))
    if role:
        return _("Election for the role %(role)s.", role=role)
    if months:
        return ngettext("Election for a role, for one month.",
                        "Election for a role, for %(count)d months.", int(months),
                        count=int(months))
    return _("Election for a role.")


def rule_sentences(family: str, params: Mapping[str, Any]) -> list[str]:
    """The decision rule of a proposal, sentence by sentence."""
    values = resolved(params)
    rules = descriptor(family)
    if rules.is_vote:
        sentences = [_("Adopted with %(rule)s.", rule=vote_rule_words(params))]
        if params.get("preset") in PRESET_NAMES:
            sentences.insert(0, _("Preset: %(name)s.", name=str(PRESET_NAMES[params["preset"]])))
        if rules.by_college:
            sentences.append(_("Each college's result weighs by its share of the voting"
                               " rights."))
        return sentences
    if rules.family is Family.CONSENT:
        sentences = [_("Adopted at the deadline unless someone objects; an objection blocks"
                       " the proposal until it is withdrawn or qualified otherwise.")]
        if values.get("silence_policy", "consent") == "require_all":
            sentences.append(_("Everyone must answer: without every answer there is no"
                               " quorum."))
        else:
            sentences.append(_("Members who do not answer are counted as consenting."))
        consents = int(values.get("min_consents", 1))
        if consents == 0:
            sentences.append(_("No explicit consent is needed."))
        else:
            sentences.append(ngettext("At least one member must consent explicitly.",
                                      "At least %(count)d members must consent explicitly.",
                                      consents, count=consents))
        return sentences
    if rules.elects:
        return [_election_words(values),
                _("Members nominate someone with a reason; the facilitator proposes a"
                  " candidate; then a consent round on that candidate, who answers last."),
                _rounds_limit(values)]
    if rules.family is Family.SOCIOCRATIC_CONSENT:
        return [_("Consent rounds: each reasoned objection is integrated into a new version"
                  " of the proposal, then a new round is held."), _rounds_limit(values)]
    return []
