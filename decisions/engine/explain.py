"""Explanations: the steps of a decision as data, and their text in English and French.

A result carries ``Step`` values (a code and numbers); ``render`` turns them into the
sentences people read, so that the JSON stays language-neutral and any platform can render
its own text from the same steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from types import MappingProxyType
from typing import Literal, TypeAlias

__all__ = ["LANGUAGES", "Language", "Step", "StepValue", "render"]

Language: TypeAlias = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")

StepValue: TypeAlias = int | str | bool | tuple[str, ...] | Mapping[str, int] | None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of an explanation: a code and the numbers behind it."""

    code: str
    data: Mapping[str, StepValue]

    @classmethod
    def of(cls, code: str, **data: StepValue) -> Step:
        """A step with its data given as keywords."""
        return cls(code, MappingProxyType(dict(data)))

    def to_json(self) -> dict[str, object]:
        """``{"code": ..., **numbers}``, lists and mappings as JSON lists and objects."""
        out: dict[str, object] = {"code": self.code}
        for key, value in self.data.items():
            if isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, Mapping):
                out[key] = dict(value)
            else:
                out[key] = value
        return out


def render(steps: Sequence[Step], language: Language = "en") -> str:
    """The sentences of an explanation, one step after another."""
    if language not in LANGUAGES:
        raise ValueError(f"no explanation text in {language!r}: choose one of {LANGUAGES}")
    sentences = (_RENDERERS.get(step.code, _unknown)(step.data, language) for step in steps)
    return " ".join(s for s in sentences if s)


# Numbers and words ---------------------------------------------------------------------


def _fraction(text: object) -> Fraction:
    return Fraction(str(text))


def _percent(text: object, language: Language) -> str:
    value = round(float(_fraction(text)) * 100, 2)
    number = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{number.replace('.', ',')} %" if language == "fr" else f"{number}%"


def _count(n: object, one: str, many: str, language: Language) -> str:
    """``1 ballot``, ``2 ballots``; French puts 0 in the singular, English in the plural."""
    single = isinstance(n, int) and (n <= 1 if language == "fr" else n == 1)
    return f"{n} {one if single else many}"


_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"),
}


def _when(text: object, language: Language) -> str:
    """An ISO 8601 UTC time as people write it: ``8 April 2025, 08:00 UTC``."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return str(text)
    month = _MONTHS[language][moment.month - 1]
    if language == "fr":
        return f"{moment.day} {month} {moment.year} à {moment:%H:%M} UTC"
    return f"{moment.day} {month} {moment.year}, {moment:%H:%M} UTC"


def _names(ids: object, language: Language) -> str:
    names = [str(i) for i in ids] if isinstance(ids, tuple | list) else []
    if not names:
        return "personne" if language == "fr" else "nobody"
    if len(names) == 1:
        return names[0]
    last = " et " if language == "fr" else " and "
    return ", ".join(names[:-1]) + last + names[-1]


_OUTCOME = {
    "en": {
        "pending": "Pending", "adopted": "Adopted", "rejected": "Rejected",
        "no_quorum": "No quorum", "blocked": "Blocked",
        "needs_integration": "Needs integration", "escalated": "Escalated",
        "invalid_config": "Invalid configuration", "invalid_convocation": "Invalid convocation",
    },
    "fr": {
        "pending": "En attente", "adopted": "Adopté", "rejected": "Rejeté",
        "no_quorum": "Quorum non atteint", "blocked": "Bloqué",
        "needs_integration": "À intégrer", "escalated": "Transmis",
        "invalid_config": "Configuration invalide", "invalid_convocation": "Convocation invalide",
    },
}

_BASE = {
    "en": {
        "YN": "votes expressed", "YNA": "votes expressed and abstentions",
        "valid": "valid ballots", "cast": "ballots cast",
        "present": "members present or represented", "entitled": "members entitled to vote",
    },
    "fr": {
        "YN": "voix exprimées", "YNA": "voix exprimées et abstentions",
        "valid": "bulletins valables", "cast": "bulletins déposés",
        "present": "membres présents ou représentés", "entitled": "membres ayant droit de vote",
    },
}

_WEIGHTED_BASE = {
    "en": {"YN": "weighted votes expressed"},
    "fr": {"YN": "voix pondérées exprimées"},
}

_REASON = {
    "en": {
        "not_eligible": "not eligible", "too_early": "too early", "late": "late",
        "position_not_allowed": "position not allowed",
        "abstain_not_allowed": "abstention not allowed", "missing_reason": "reason missing",
        "change_not_allowed": "change not allowed", "stale_version": "about another version",
        "not_authorized": "not authorised", "proxy_refused": "cast under a refused proxy",
        "not_proxy_holder": "cast by someone holding no proxy of the member",
        "represented": "member represented by proxy",
        "remote_not_allowed": "remote participation not counted",
        "resolution_amended": "postal vote on a text amended in the meeting",
    },
    "fr": {
        "not_eligible": "hors du corps électoral", "too_early": "trop tôt",
        "late": "hors délai", "position_not_allowed": "position non admise",
        "abstention_not_allowed": "abstention non admise",
        "abstain_not_allowed": "abstention non admise", "missing_reason": "motif manquant",
        "change_not_allowed": "changement non admis",
        "stale_version": "sur une autre version", "not_authorized": "non autorisé",
        "proxy_refused": "procuration refusée",
        "not_proxy_holder": "déposé sans procuration du membre",
        "represented": "membre représenté par procuration",
        "remote_not_allowed": "participation à distance non admise",
        "resolution_amended": "vote par correspondance sur un texte amendé en séance",
    },
}


def _threshold(data: Mapping[str, StepValue], language: Language) -> str:
    name = data.get("threshold")
    fr = language == "fr"
    if name == "simple":
        return "plus de pour que de contre" if fr else "more in favour than against"
    if name == "absolute":
        return "plus de la moitié" if fr else "more than half"
    if name == "two_thirds":
        return "au moins les deux tiers" if fr else "at least two thirds"
    if name == "three_quarters":
        return "au moins les trois quarts" if fr else "at least three quarters"
    required = str(data.get("required"))
    if data.get("inclusive"):
        return f"au moins {required}" if fr else f"at least {required}"
    return f"plus de {required}" if fr else f"more than {required}"


# Renderers, one per step code ------------------------------------------------------------

Renderer = Callable[[Mapping[str, StepValue], Language], str]


def _unknown(data: Mapping[str, StepValue], language: Language) -> str:
    return ""


def _decision(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    outcome = _OUTCOME[language][str(data["outcome"])]
    base = str(data["base"])
    words = (_WEIGHTED_BASE[language].get(base) or _BASE[language][base] + (
        " (pondérées)" if fr else " (weighted)")) if data.get("weighted") else _BASE[language][base]
    share = str(data["share"])
    threshold = _threshold(data, language)
    if data.get("threshold") == "simple" and not data.get("weighted"):
        yes, no = data["yes"], data["no"]
        if fr:
            return (f"{outcome} : {yes} pour, {no} contre ({share}, {_percent(share, language)}"
                    f" des {words}) ; seuil : {threshold}.")
        return (f"{outcome}: {yes} in favour, {no} against ({share}, "
                f"{_percent(share, language)} of the {words}); threshold: {threshold}.")
    if fr:
        return (f"{outcome} : {share} ({_percent(share, language)}) des {words} sont pour ;"
                f" seuil : {threshold}.")
    return (f"{outcome}: {share} ({_percent(share, language)}) of the {words} are in favour;"
            f" threshold: {threshold}.")


def _empty_base(data: Mapping[str, StepValue], language: Language) -> str:
    words = _BASE[language][str(data["base"])]
    if language == "fr":
        return f"Rejeté : aucune des {words} ; une base vide n'adopte jamais."
    return f"Rejected: there are no {words}; an empty base never adopts."


def _quorum(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    present, eligible, required = data["present"], data["eligible"], data["required"]
    scope = data.get("scope")
    if scope == "weighted":
        share = str(data.get("share"))
        if fr:
            head = "Quorum atteint" if data["met"] else "Quorum non atteint"
            return f"{head} : participation pondérée {share} (au moins {required})."
        head = "Quorum reached" if data["met"] else "Quorum not reached"
        return f"{head}: weighted attendance {share} (at least {required})."
    if scope == "per_college_min" and not data["met"]:
        short = _names(data.get("colleges"), language)
        if fr:
            return f"Quorum non atteint dans les collèges {short} (au moins {required} chacun)."
        return f"Quorum not reached in the colleges {short} (at least {required} each)."
    if fr:
        head = "Quorum atteint" if data["met"] else "Quorum non atteint"
        tail = "" if data["met"] else " Les voix ne sont pas décomptées."
        return f"{head} : {present} présents sur {eligible} (au moins {required}).{tail}"
    head = "Quorum reached" if data["met"] else "Quorum not reached"
    tail = "" if data["met"] else " The votes are not counted."
    return f"{head}: {present} present out of {eligible} (at least {required}).{tail}"


def _convocation(data: Mapping[str, StepValue], language: Language) -> str:
    days, minimum = data["days"], data["min_days"]
    if data["met"]:
        return ""
    if language == "fr":
        return (f"Convocation invalide : {days} jours de préavis, il en faut au moins {minimum}."
                " L'assemblée doit être convoquée de nouveau.")
    return (f"Invalid convocation: {days} days of notice, at least {minimum} are required."
            " The assembly must be convened again.")


def _config_error(data: Mapping[str, StepValue], language: Language) -> str:
    error, colleges = str(data["error"]), _names(data.get("colleges"), language)
    minimum = data.get("minimum", 3)
    text = {
        "en": {
            "too_few_colleges": f"at least {minimum} colleges are required ({colleges})",
            "weights_sum": f"the weights of {colleges} must all be given and sum to 100 %",
            "weight_out_of_bounds": f"the weight of {colleges} is outside 10 %–50 %",
        },
        "fr": {
            "too_few_colleges": f"il faut au moins {minimum} collèges ({colleges})",
            "weights_sum": f"les poids de {colleges} doivent tous être donnés et faire 100 %",
            "weight_out_of_bounds": f"le poids de {colleges} sort des bornes 10 %–50 %",
        },
    }[language][error]
    if language == "fr":
        return f"Configuration invalide : {text} ; rien n'est décompté."
    return f"Invalid configuration: {text}; nothing is counted."


def _ballots_refused(data: Mapping[str, StepValue], language: Language) -> str:
    reasons = data.get("reasons")
    parts = ", ".join(
        f"{n} {_REASON[language].get(r, r)}"
        for r, n in (reasons.items() if isinstance(reasons, Mapping) else ())
    )
    count = data["count"]
    if language == "fr":
        refused = _count(count, "bulletin non retenu", "bulletins non retenus", language)
        return f"{refused} : {parts}."
    return f"{_count(count, 'ballot', 'ballots', language)} not counted: {parts}."


def _superseded(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        replaced = _count(data["count"], "bulletin remplacé", "bulletins remplacés", language)
        return f"{replaced} par un vote ultérieur du même membre."
    replaced = _count(data["count"], "ballot", "ballots", language)
    return f"{replaced} replaced by a later vote of the same member."


def _closed_early(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return (f"Tout le monde a répondu le {_when(data['at'], language)} : le vote est clos"
                " avant l'échéance.")
    return (f"Everyone had answered on {_when(data['at'], language)}: the vote closed before"
            " its deadline.")


def _pending(data: Mapping[str, StepValue], language: Language) -> str:
    responded, eligible, closes = data["participants"], data["eligible"], data.get("closes_at")
    if language == "fr":
        until = f" jusqu'au {_when(closes, language)}" if closes else ""
        return f"En attente : le vote est ouvert{until} ; {responded} sur {eligible} ont répondu."
    until = f" until {_when(closes, language)}" if closes else ""
    return f"Pending: the vote is open{until}; {responded} of {eligible} have answered."


def _college(data: Mapping[str, StepValue], language: Language) -> str:
    name, weight = data["college"], data["weight_effective"]
    yes, no, base = data["yes"], data["no"], data["base_count"]
    bloc = data.get("bloc")
    fr = language == "fr"
    if not data.get("expressing"):
        if fr:
            return f"Collège {name} : ne s'exprime pas (poids effectif {weight})."
        return f"College {name}: expresses nothing (effective weight {weight})."
    share = str(data["share"])
    detail = (f"{yes} pour, {no} contre sur {base}" if fr
              else f"{yes} in favour, {no} against out of {base}")
    bloc_text = ""
    if bloc is not None:
        bloc_text = (f", vote en bloc : {'pour' if bloc == 'yes' else 'contre'}" if fr
                     else f", bloc vote: {'yes' if bloc == 'yes' else 'no'}")
    if fr:
        return (f"Collège {name} (poids effectif {weight}) : {detail}"
                f" ({_percent(share, language)}){bloc_text}.")
    return (f"College {name} (effective weight {weight}): {detail}"
            f" ({_percent(share, language)}){bloc_text}.")


def _consent_pending(data: Mapping[str, StepValue], language: Language) -> str:
    objections = data.get("objections") or ()
    fr = language == "fr"
    text = _pending(data, language)
    if objections:
        who = _names(objections, language)
        text += (f" Objection en cours : {who}." if fr else f" Standing objection: {who}.")
    return text


def _participation(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    responders, eligible = data["responders"], data["eligible"]
    if data.get("policy") == "require_all":
        missing = _names(data.get("missing"), language)
        if fr:
            return (f"Quorum non atteint : chacun doit répondre, {responders} sur {eligible}"
                    f" l'ont fait ; sans réponse : {missing}.")
        return (f"No quorum: everyone must answer, {responders} of {eligible} did;"
                f" no answer from {missing}.")
    required = data.get("required")
    head = ("Participation suffisante" if data["met"] else "Quorum non atteint") if fr else (
        "Participation reached" if data["met"] else "No quorum")
    if fr:
        return f"{head} : {responders} réponses sur {eligible} (au moins {required})."
    return f"{head}: {responders} answers out of {eligible} (at least {required})."


def _objections_standing(data: Mapping[str, StepValue], language: Language) -> str:
    who = _names(data.get("voters"), language)
    if language == "fr":
        return f"Bloqué : objection valable maintenue par {who} à l'échéance."
    return f"Blocked: a valid objection stands at the deadline ({who})."


def _consents_too_few(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        given = _count(data["consents"], "consentement exprimé", "consentements exprimés", language)
        return f"Rejeté : {given}, il en faut au moins {data['required']}."
    given = _count(data["consents"], "explicit consent", "explicit consents", language)
    return f"Rejected: {given}, at least {data['required']} required."


def _consent_adopted(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    if fr:
        text = (f"Adopté : {_count(data['consents'], 'consentement', 'consentements', language)},"
                f" {_count(data['abstain'], 'abstention', 'abstentions', language)},"
                " aucune objection valable.")
    else:
        text = (f"Adopted: {_count(data['consents'], 'consent', 'consents', language)},"
                f" {_count(data['abstain'], 'abstention', 'abstentions', language)},"
                " no valid objection.")
    if data.get("concerns"):
        who = _names(data["concerns"], language)
        text += f" Préoccupations notées : {who}." if fr else f" Concerns recorded: {who}."
    if data.get("dismissed"):
        who = _names(data["dismissed"], language)
        text += (f" Objections écartées par décision motivée : {who}." if fr
                 else f" Objections dismissed by a recorded decision: {who}.")
    return text


def _round(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    outcome = _OUTCOME[language][str(data["outcome"])]
    number, version = data["round"], data["version"]
    candidate = data.get("candidate")
    about = ""
    if candidate:
        about = f", candidat·e {candidate}" if fr else f", candidate {candidate}"
    head = (f"Tour {number} (version {version}{about}) : {outcome.lower()}" if fr
            else f"Round {number} (version {version}{about}): {outcome.lower()}")
    parts = [_count(data["consents"], "consentement", "consentements", language) if fr
             else _count(data["consents"], "consent", "consents", language)]
    if data.get("objections"):
        who = _names(data["objections"], language)
        parts.append(f"objection de {who}" if fr else f"objection from {who}")
    if data.get("missing"):
        who = _names(data["missing"], language)
        parts.append(f"en attente de {who}" if fr else f"waiting for {who}")
    return f"{head} ; {', '.join(parts)}." if fr else f"{head}; {', '.join(parts)}."


def _escalated(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return (f"Limite de {data['max_rounds']} tours atteinte : la décision est transmise au"
                f" cercle {data['target']}.")
    return (f"Limit of {data['max_rounds']} rounds reached: the decision goes to the"
            f" {data['target']} circle.")


def _rounds_limit(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return f"Limite de {data['max_rounds']} tours atteinte sans cercle de recours : bloqué."
    return f"Limit of {data['max_rounds']} rounds reached with no broader circle: blocked."


def _amend_pending(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return f"Version {data['version']} publiée : en attente d'un nouveau tour de consentement."
    return f"Version {data['version']} published: waiting for a new consent round."


def _no_round(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return "En attente : aucun tour de consentement n'est encore ouvert."
    return "Pending: no consent round has opened yet."


def _review_date_missing(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return "Attention : aucune date de révision n'est fixée."
    return "Note: no review date is set."


def _counts_text(counts: StepValue, language: Language) -> str:
    if not isinstance(counts, Mapping) or not counts:
        return "aucune" if language == "fr" else "none"
    return ", ".join(f"{k} {v}" for k, v in counts.items())


def _nominations(data: Mapping[str, StepValue], language: Language) -> str:
    first = _counts_text(data.get("counts"), language)
    if "after_change" not in data:  # no change round was held
        return f"Nominations : {first}." if language == "fr" else f"Nominations: {first}."
    after = _counts_text(data["after_change"], language)
    if language == "fr":
        return f"Nominations : {first} ; après le tour de changement : {after}."
    return f"Nominations: {first}; after the change round: {after}."


def _tie(data: Mapping[str, StepValue], language: Language) -> str:
    who = _names(data.get("tied"), language)
    if language == "fr":
        return (f"En attente : égalité entre {who} ; l'animateur·rice doit proposer un·e"
                " candidat·e (ni tirage au sort, ni ancienneté).")
    return (f"Pending: {who} are tied; the facilitator must propose a candidate (no lot,"
            " no seniority).")


def _proposed(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return f"Candidat·e proposé·e : {data['candidate']}."
    return f"Proposed candidate: {data['candidate']}."


def _elected(data: Mapping[str, StepValue], language: Language) -> str:
    role, term = data.get("role"), data.get("term_months")
    fr = language == "fr"
    text = f"Élu·e : {data['candidate']}" if fr else f"Elected: {data['candidate']}"
    if role:
        text += f" au rôle {role}" if fr else f" as {role}"
    if term:
        text += f" pour {term} mois" if fr else f" for {term} months"
    return text + "."


def _no_nominations(data: Mapping[str, StepValue], language: Language) -> str:
    if language == "fr":
        return "En attente : aucune nomination."
    return "Pending: no nomination yet."


def _attendance(data: Mapping[str, StepValue], language: Language) -> str:
    fr = language == "fr"
    present = data["present"]
    parts = []
    for key, one_en, many_en, one_fr, many_fr in (
        ("in_room", "in the room", "in the room", "en salle", "en salle"),
        ("remote", "remote", "remote", "à distance", "à distance"),
        ("represented", "represented by proxy", "represented by proxy",
         "représenté·e par procuration", "représenté·es par procuration"),
        ("postal", "by postal vote", "by postal vote", "par correspondance",
         "par correspondance"),
    ):
        n = data.get(key)
        if n:
            parts.append(_count(n, one_fr, many_fr, language) if fr
                         else _count(n, one_en, many_en, language))
    listed = ", ".join(parts) or ("personne" if fr else "nobody")
    if fr:
        text = f"Présence : {listed} ; soit {present} voix présentes ou représentées."
    else:
        text = f"Attendance: {listed}; {present} votes present or represented."
    remote = data.get("remote_not_counted")
    if remote:
        if fr:
            who = _count(remote, "membre à distance n'est pas compté·e présent·e",
                         "membres à distance ne sont pas comptés présents", language)
            text += (f" {who} : les statuts ne le prévoient pas (C. com. L225-107 II) ;"
                     " leurs votes ne sont pas retenus.")
        else:
            who = _count(remote, "member taking part remotely is", "members taking part"
                         " remotely are", language)
            text += (f" {who} not counted present: the statuts do not provide for it"
                     " (C. com. L225-107 II); their ballots are not counted.")
    return text


def _proxy_refused(data: Mapping[str, StepValue], language: Language) -> str:
    member, holder, reason = data["member"], data["holder"], data["reason"]
    held, cap = data.get("held"), data.get("max_proxies")
    why = {
        "en": {
            "holder_not_member": f"{holder} is not a member",
            "chain": f"{holder} has given a proxy too, and a proxy cannot be passed on"
                     " (A→B→C)",
            "represented_present": f"{member} takes part in person (in the room, remotely"
                                   " or by post)",
            "holder_absent": f"{holder} is not present at the meeting",
            "holder_other_college": f"the statuts require a holder of the member's college,"
                                    f" and {holder} is of another",
            "holder_over_cap": f"{holder} holds {held} proxies and the statuts allow at most"
                               f" {cap}; none can be preferred to the others, so all are"
                               " refused",
        },
        "fr": {
            "holder_not_member": f"{holder} n'est pas membre",
            "chain": f"{holder} a aussi donné procuration, et une procuration ne se"
                     " transmet pas (A→B→C)",
            "represented_present": f"{member} participe en personne (en salle, à distance"
                                   " ou par correspondance)",
            "holder_absent": f"{holder} n'est pas présent·e à l'assemblée",
            "holder_other_college": f"les statuts exigent un·e mandataire du collège du"
                                    f" membre, et {holder} est d'un autre collège",
            "holder_over_cap": f"{holder} détient {held} procurations et les statuts en"
                               f" permettent au plus {cap} ; aucune ne peut être préférée"
                               " aux autres, toutes sont refusées",
        },
    }[language].get(str(reason), str(reason))
    if language == "fr":
        then = (" Son propre vote compte." if reason == "represented_present"
                else f" {member} est compté·e absent·e ; aucun vote n'est retenu en son nom.")
        return f"Procuration de {member} à {holder} refusée : {why}.{then}"
    then = (" Their own vote counts." if reason == "represented_present"
            else f" {member} is counted absent, and no ballot counts in their name.")
    return f"Proxy of {member} to {holder} refused: {why}.{then}"


def _postal_refused(data: Mapping[str, StepValue], language: Language) -> str:
    member, received, deadline = data["member"], data["received_at"], data.get("deadline")
    if language == "fr":
        limit = f" (limite : {_when(deadline, language)})" if deadline else ""
        return (f"Vote par correspondance de {member} refusé : formulaire reçu le"
                f" {_when(received, language)}, pas avant l'assemblée{limit}"
                f" (C. com. L225-107 I) ; {member} est compté·e absent·e.")
    limit = f" (deadline: {_when(deadline, language)})" if deadline else ""
    return (f"Postal vote of {member} refused: the form was received on"
            f" {_when(received, language)}, not before the meeting{limit}"
            f" (C. com. L225-107 I); {member} is counted absent.")


def _postal_amended(data: Mapping[str, StepValue], language: Language) -> str:
    forms, policy = data["forms"], data["policy"]
    if language == "fr":
        one = isinstance(forms, int) and forms <= 1
        votes = _count(forms, "formulaire de vote par correspondance",
                       "formulaires de vote par correspondance", language)
        if policy == "no":
            counts = "compte comme un vote contre" if one else "comptent comme votes contre"
            return (f"Résolution amendée en séance : comme le prévoient les statuts, {votes}"
                    f" {counts}.")
        bears = "ne porte" if one else "ne portent"
        return (f"Résolution amendée en séance : {votes} {bears} pas sur ce texte ; leurs"
                " auteurs restent présents mais ne votent pas (voix non exprimées).")
    one = forms == 1
    votes = _count(forms, "postal form", "postal forms", language)
    if policy == "no":
        counts = "counts as a vote" if one else "count as votes"
        return (f"Resolution amended in the meeting: as the statuts provide, {votes}"
                f" {counts} against.")
    bears = "does not bear" if one else "do not bear"
    return (f"Resolution amended in the meeting: {votes} {bears} on this text; their"
            " authors remain present but do not vote (no vote expressed).")


#: Where votes counted without names come from, in the words the case format suggests.
_SOURCES = {
    "en": {"room": "in the room", "secret": "secret ballot", "postal": "by post"},
    "fr": {"room": "en salle", "secret": "scrutin secret", "postal": "par correspondance"},
}


def _tally_added(data: Mapping[str, StepValue], language: Language) -> str:
    college, source = data.get("college"), data.get("source")
    fr = language == "fr"
    names = (("yes", "oui"), ("no", "non"), ("abstain", "abstention"), ("blank", "blanc"),
             ("invalid", "nul")) if fr else (
        ("yes", "yes"), ("no", "no"), ("abstain", "abstain"), ("blank", "blank"),
        ("invalid", "invalid"))
    counts = ", ".join(f"{word} {data.get(key, 0)}" for key, word in names
                       if data.get(key) or key in ("yes", "no", "abstain"))
    words = _SOURCES[language].get(str(source), str(source)) if source else ""
    origin = f" ({words})" if words else ""
    if fr:
        where = f" dans le collège {college}" if college else ""
        return f"Voix comptées sans nom{origin}{where} : {counts}."
    where = f" in college {college}" if college else ""
    return f"Votes counted without names{origin}{where}: {counts}."


_RENDERERS: Mapping[str, Renderer] = MappingProxyType(
    {
        "decision": _decision,
        "empty_base": _empty_base,
        "quorum": _quorum,
        "convocation": _convocation,
        "config_error": _config_error,
        "ballots_refused": _ballots_refused,
        "superseded": _superseded,
        "closed_early": _closed_early,
        "pending": _pending,
        "college": _college,
        "consent_pending": _consent_pending,
        "participation": _participation,
        "objections_standing": _objections_standing,
        "consents_too_few": _consents_too_few,
        "consent_adopted": _consent_adopted,
        "round": _round,
        "escalated": _escalated,
        "rounds_limit": _rounds_limit,
        "amend_pending": _amend_pending,
        "no_round": _no_round,
        "review_date_missing": _review_date_missing,
        "nominations": _nominations,
        "tie": _tie,
        "proposed": _proposed,
        "elected": _elected,
        "no_nominations": _no_nominations,
        "attendance": _attendance,
        "proxy_refused": _proxy_refused,
        "postal_refused": _postal_refused,
        "postal_amended": _postal_amended,
        "tally_added": _tally_added,
    }
)
