"""A demo: a network of cooperative platforms, its colleges, circles and members, and one
proposal of every decision family at work, told through the services at explicit instants
before now (a round that closed three days ago was opened, voted and closed at those
instants), so that the pages show them as if they had lived.

- a consent proposal open for consent until five days from now, some members have answered;
- a sociocratic proposal: an objection, a new version integrating it, then consent, with
  the facilitator's outcome statement and review date;
- a general assembly vote of the SCIC, by colleges (preset ``scic_sa_ago``);
- a majority vote without quorum on first convocation, adopted on second convocation;
- a sociocratic election: nominations, then a consent round on a candidate, elected;
- the network's annual general assembly: convened with its agenda (by e-mail to the members
  who agreed to it, by post to two who did not), proxies and a postal vote, a first
  convocation without quorum, a second that decides (a resolution carried overall though
  not in one college, a secret election), and its minutes.

Its events write their notices through the same services as any other, into the outbox;
what the outbox then holds is what a real organisation's would: see
:func:`_mail_of_the_past_went_out_then`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import db
from .db import utcnow
from .models import (
    AssemblyKind,
    AttendanceMode,
    Circle,
    CircleMember,
    College,
    ElectorateScope,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    Role,
    Round,
    RoundKind,
)
from .services import accounts, assemblies, email_convocation, outbox, proposals, rounds
from .services import notices as notice_service

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed for the demo, never a real secret

PEOPLE = [
    ("camille@demo.coop", "Camille Martin", Role.ADMIN, "Salariés"),
    ("samir@demo.coop", "Samir Haddad", Role.FACILITATOR, "Salariés"),
    ("lea@demo.coop", "Léa Dubois", Role.FACILITATOR, "Usagers"),
    ("hugo@demo.coop", "Hugo Bernard", Role.MEMBER, "Salariés"),
    ("ines@demo.coop", "Inès Moreau", Role.MEMBER, "Usagers"),
    ("tom@demo.coop", "Tom Lefèvre", Role.MEMBER, "Usagers"),
    ("nora@demo.coop", "Nora Petit", Role.MEMBER, "Usagers"),
    ("yann@demo.coop", "Yann Le Gall", Role.MEMBER, "Partenaires"),
    ("awa@demo.coop", "Awa Diallo", Role.MEMBER, "Partenaires"),
    ("jules@demo.coop", "Jules Roux", Role.MEMBER, "Salariés"),
    ("chloe@demo.coop", "Chloé Fontaine", Role.MEMBER, "Usagers"),
    ("malik@demo.coop", "Malik Benali", Role.MEMBER, "Partenaires"),
]
#: The colleges of the French network, named in French as its members read it.
COLLEGES = [("Salariés", Fraction(40)), ("Usagers", Fraction(40)), ("Partenaires", Fraction(20))]
#: The one member who reads English, to show that each member reads in their own language.
READS_ENGLISH = "tom@demo.coop"


def seed(*, only_if_empty: bool = False) -> list[tuple[str, str, str]] | None:
    """Create the demo; ``None`` when ``only_if_empty`` and organisations exist."""
    with db.transaction() as session:
        if only_if_empty and session.scalar(select(Organisation.id).limit(1)) is not None:
            return None
        now = utcnow()
        network = Organisation(name="Réseau des plateformes en communs", slug="reseau-demo",
                               timezone="Europe/Paris", is_scic=True, created_at=now)
        session.add(network)
        colleges = {name: College(organisation=network, name=name, weight=weight)
                    for name, weight in COLLEGES}
        steering = Circle(organisation=network, name="Comité de pilotage",
                          description="Le comité de pilotage du réseau", is_steering=True)
        delivery = Circle(organisation=network, name="Cercle livraison à vélo", parent=steering,
                          description="Les coopératives de livraison à vélo")
        session.add_all([*colleges.values(), steering, delivery])
        logins = []
        members: dict[str, Membership] = {}
        for email, name, role, college in PEOPLE:
            user = accounts.find_by_email(session, email) or accounts.create_user(
                session, email=email, name=name, password=DEMO_PASSWORD, now=now,
                language="en" if email == READS_ENGLISH else "fr")
            membership = Membership(organisation=network, user=user, role=role,
                                    college=colleges[college], joined_at=now)
            session.add(membership)
            session.flush()
            if role is not Role.MEMBER:
                session.add(CircleMember(circle=steering, membership=membership))
            if college == "Salariés":
                session.add(CircleMember(circle=delivery, membership=membership))
            members[email.split("@")[0]] = membership
            logins.append((email, DEMO_PASSWORD, str(role)))
        session.flush()
        story = _Story(session, network, members, now)
        _consent_open_for_answers(story)
        _annual_general_assembly(story)
        _sociocratic_objection_integrated(story, delivery)
        _general_assembly_by_colleges(story)
        _second_convocation(story)
        _election(story, steering)
        _mail_of_the_past_went_out_then(story)
        current_app.logger.info("demo seeded")
        return logins


@dataclass
class _Story:
    """Tells the demo through the services, each step at its own instant."""

    session: Session
    network: Organisation
    members: dict[str, Membership]
    now: datetime

    def ago(self, days: float, hours: float = 0) -> datetime:
        """An instant before now."""
        return self.now - timedelta(days=days, hours=hours)

    def propose(self, author: str, at: datetime, *, title: str, body: str, family: str,
                params: dict[str, Any], **options: Any) -> Proposal:
        return proposals.create_proposal(
            self.session, self.network, self.members[author], title=title, body=body,
            family=family, params=params, now=at, **options)

    def open(self, proposal: Proposal, kind: RoundKind, opens: datetime, closes: datetime,
             candidate: str | None = None) -> Round:
        return rounds.open_round(
            self.session, proposal, kind, closes_at=closes, now=opens,
            candidate_id=None if candidate is None else self.members[candidate].id)

    def answer(self, round_: Round, answers: list[tuple[str, str, str]],
               nominees: dict[str, str] | None = None) -> None:
        """Ballots ``(member, position, reason)``, one every three hours from the opening."""
        for step, (who, position, reason) in enumerate(answers, start=1):
            nominee = (nominees or {}).get(who)
            rounds.cast_ballot(self.session, round_.id, self.members[who].id, position,
                               now=round_.opens_at + timedelta(hours=3 * step), reason=reason,
                               nominee_id=None if nominee is None else self.members[nominee].id)

    def close(self, round_: Round) -> None:
        """Close a round at its deadline, as the scheduler would have."""
        rounds.close_round(self.session, round_.id, now=round_.closes_at)


#: The notices that ask an elector to answer a round: sent while it takes answers.
ASKING = (NoticeKind.ROUND_OPENED.value, NoticeKind.REMINDER.value, NoticeKind.NUDGE.value)


def _mail_of_the_past_went_out_then(story: _Story) -> None:
    """Make the demo's outbox what a real organisation's would hold, once its story is told.

    The story's events happened at instants before now (a round opened 38 days ago, an
    objection, an outcome, convocations to an assembly...), and each wrote its notices then,
    through the services. In a real organisation the sender mailed each of them within
    seconds of its event; left pending, the demo's would all go out at once now, weeks late:
    openings and reminders of closed rounds given up as no longer true (``failed``, an
    outbox that looks broken), outcomes and convocations of long ago mailed as news. So
    those are recorded as what happened then: accepted by the server at the instant they
    were written (``outbox.mark_sent_when_written``).

    Except what still asks a member to act now: the openings of the rounds that still take
    answers (the consent round open until five days from now). Those stay pending, and the
    sender sends them now like any other message: ``make run``'s console backend prints
    them, an SMTP server receives them (the addresses are at demo.coop). That is also why
    they are not recorded as sent: the round counts silence as consent, and its results say
    how many electors were told by e-mail; a demo must not claim they were when no server
    accepted anything."""
    now = story.now
    for announcement in notice_service.announcements_due(story.session):
        notice_service.expand(story.session, announcement, now)  # as the sender did then
    notices = story.session.scalars(select(Notice).where(
        Notice.organisation_id == story.network.id, Notice.created_at < now)
        .order_by(Notice.id)).all()
    still_asking = {round_.id for round_ in story.session.scalars(select(Round).where(
        Round.id.in_({n.round_id for n in notices if n.round_id is not None})))
        if round_.accepting(now)}
    outbox.mark_sent_when_written(story.session, [
        notice for notice in notices
        if not (notice.kind in ASKING and notice.round_id in still_asking)])


CHARTER = """\
## Pourquoi

Nos plateformes de livraison à vélo ont chacune leurs règles. Les livreuses et livreurs qui
travaillent pour plusieurs d'entre elles demandent **un socle commun**.

## Ce que nous proposons

Chaque plateforme du réseau s'engage à :

1. payer les courses **à l'heure**, jamais à la tâche ;
2. fournir un vélo cargo entretenu, ou une indemnité de 30 € par mois pour un vélo personnel ;
3. suspendre les livraisons en cas d'alerte météo orange ;
4. réunir ses livreuses et livreurs au moins une fois par trimestre.

La charte entre en vigueur le premier jour du mois qui suit son adoption.
"""


def _consent_open_for_answers(story: _Story) -> None:
    proposal = story.propose(
        "samir", story.ago(3), title="Adopter la charte commune des livreuses et livreurs",
        body=CHARTER, family="consent", params={"preset": "consent_async"})
    round_ = story.open(proposal, RoundKind.CONSENT, story.ago(2),
                        story.now + timedelta(days=5))
    story.answer(round_, [
        ("samir", "consent", ""),
        ("hugo", "consent", "Enfin un socle commun."),
        ("ines", "consent", ""),
        ("yann", "abstain", "Ma structure ne fait pas de livraison."),
        ("nora", "consent", ""),
    ])


WORKSHOP_V1 = """\
## Proposition

Le cercle **achète** un local de 80 m² à Montreuil pour y installer un atelier de
réparation partagé entre les coopératives de livraison.

- Budget : **18 000 €** prélevés sur les réserves du cercle.
- Un mécanicien salarié à mi-temps, embauché par la coopérative d'Hugo.
- Ouverture prévue dans trois mois.
"""

WORKSHOP_V2 = """\
## Proposition (version 2)

Le cercle **loue** un local de 80 m² à Montreuil pour y installer un atelier de réparation
partagé entre les coopératives de livraison, **à l'essai pendant six mois**.

- Budget : **9 000 €** la première année (loyer, outillage), financés à parts égales par
  les coopératives qui utilisent l'atelier.
- Un mécanicien salarié à mi-temps, embauché par la coopérative d'Hugo.
- Bilan au bout de six mois : si l'atelier répare moins de 40 vélos par mois, nous arrêtons.
"""


def _sociocratic_objection_integrated(story: _Story, delivery: Circle) -> None:
    proposal = story.propose(
        "samir", story.ago(40), title="Ouvrir un atelier de réparation des vélos cargos",
        body=WORKSHOP_V1, family="sociocratic_consent",
        params={"preset": "sociocratic_consent"}, scope=ElectorateScope.CIRCLE,
        circle_id=delivery.id)
    first = story.open(proposal, RoundKind.CONSENT, story.ago(38), story.ago(31))
    story.answer(first, [
        ("camille", "consent", ""),
        ("hugo", "object", "Acheter engloutit toutes nos réserves : si l'atelier ne "
                           "fonctionne pas, le cercle n'a plus de quoi faire face à un coup dur."),
        ("jules", "consent", ""),
        ("samir", "consent", ""),
    ])
    story.close(first)  # needs_integration
    proposals.amend(
        story.session, proposal, story.members["samir"],
        title="Ouvrir un atelier de réparation des vélos cargos, en location et à l'essai",
        body=WORKSHOP_V2, now=story.ago(30),
        summary="L'objection d'Hugo est intégrée : location au lieu d'achat, budget ramené "
                "à 9 000 € partagés entre les coopératives, essai de six mois avec un bilan.")
    second = story.open(proposal, RoundKind.CONSENT, story.ago(29), story.ago(22))
    story.answer(second, [
        ("hugo", "consent", "Mon objection est levée."),
        ("camille", "consent", ""),
        ("jules", "consent", ""),
        ("samir", "consent", ""),
    ])
    story.close(second)  # adopted
    proposals.record_outcome(
        story.session, proposal, now=story.now,
        review_date=(story.ago(22) + timedelta(days=182)).date(),
        statement="Le cercle livraison à vélo loue un local à Montreuil pour un atelier de "
                  "réparation partagé, à l'essai pendant six mois, avec un budget de 9 000 € "
                  "la première année. Samir prépare le bail ; Hugo recrute le mécanicien. "
                  "Bilan à la date de révision.")


ACCOUNTS_2025 = """\
## Résolution

L'assemblée générale ordinaire, après avoir entendu le rapport de gestion du conseil
coopératif, **approuve les comptes de l'exercice 2025** tels qu'ils lui ont été présentés.

Elle décide d'affecter l'excédent de **12 480 €** comme suit :

| affectation | montant |
|---|---|
| réserve légale (15 %) | 1 872 € |
| réserves impartageables | 10 608 € |

Conformément aux statuts de la SCIC, aucun dividende n'est versé.
"""


def _general_assembly_by_colleges(story: _Story) -> None:
    proposal = story.propose(
        "camille", story.ago(50), title="AGO 2026 : approbation des comptes 2025",
        body=ACCOUNTS_2025, family="scic_college", params={"preset": "scic_sa_ago"})
    vote = story.open(proposal, RoundKind.VOTE, story.ago(45), story.ago(35))
    story.answer(vote, [
        ("camille", "yes", ""), ("samir", "yes", ""), ("hugo", "yes", ""),
        ("jules", "abstain", ""),
        ("lea", "yes", ""), ("ines", "yes", ""), ("tom", "no", ""), ("nora", "yes", ""),
        ("yann", "yes", ""), ("awa", "no", "Les réserves devraient financer l'atelier."),
    ])
    story.close(vote)  # adopted, college by college
    proposals.record_outcome(
        story.session, proposal, now=story.now, review_date=None,
        statement="Les comptes 2025 sont approuvés par les trois collèges ; l'excédent est "
                  "mis en réserve.")


FEDERATION = """\
## Proposition

Le réseau adhère à la **fédération européenne des coopératives de livraison** pour :

- partager nos outils libres avec les coopératives des autres pays ;
- peser dans les discussions sur la directive européenne des travailleurs de plateformes.

Cotisation annuelle : **600 €**, imputée sur le budget du comité de pilotage.

*Règlement intérieur, article 12 : le quorum est d'un tiers des membres en première
convocation ; aucun quorum n'est requis en seconde convocation.*
"""


def _second_convocation(story: _Story) -> None:
    quorum = {"first": {"num": 1, "den": 3}, "second": None}
    proposal = story.propose(
        "lea", story.ago(80), title="Adhérer à la fédération européenne des coopératives de "
                                    "livraison",
        body=FEDERATION, family="majority",
        params={"preset": "association_default", "quorum": quorum})
    first = story.open(proposal, RoundKind.VOTE, story.ago(75), story.ago(68))
    story.answer(first, [("lea", "yes", ""), ("yann", "yes", ""), ("tom", "no", "")])
    story.close(first)  # no quorum: 3 of 12
    second = story.open(proposal, RoundKind.VOTE, story.ago(66), story.ago(59))
    story.answer(second, [("lea", "yes", ""), ("yann", "yes", ""), ("tom", "no", ""),
                          ("camille", "yes", ""), ("malik", "yes", "")])
    story.close(second)  # adopted on second convocation


def _election(story: _Story, steering: Circle) -> None:
    proposal = story.propose(
        "camille", story.ago(20), title="Élire la ou le secrétaire du comité de pilotage",
        body="## Le rôle\n\nLa ou le secrétaire prépare l'ordre du jour du comité de pilotage, "
             "rédige les relevés de décision et tient le registre des mandats.\n\n"
             "Mandat d'**un an**, renouvelable.",
        family="sociocratic_election",
        params={"preset": "sociocratic_election", "role": "secrétaire du comité de pilotage"},
        scope=ElectorateScope.CIRCLE, circle_id=steering.id)
    nominations = story.open(proposal, RoundKind.NOMINATION, story.ago(18), story.ago(15))
    story.answer(nominations, [
        ("camille", "nominate", "Léa écrit des relevés clairs et les envoie le jour même."),
        ("samir", "nominate", "Léa connaît tous les cercles."),
        ("lea", "nominate", "Samir a déjà tenu ce rôle dans sa coopérative."),
    ], nominees={"camille": "lea", "samir": "lea", "lea": "samir"})
    story.close(nominations)
    consent = story.open(proposal, RoundKind.CONSENT, story.ago(14), story.ago(11),
                         candidate="lea")
    story.answer(consent, [("camille", "consent", ""), ("samir", "consent", ""),
                           ("lea", "consent", "")])
    story.close(consent)  # elected
    proposals.record_outcome(
        story.session, proposal, now=story.now,
        review_date=(story.ago(11) + timedelta(days=365)).date(),
        statement="Léa Dubois est élue secrétaire du comité de pilotage pour un an.")


ACTIVITY_2025 = """\
## Résolution

L'assemblée générale, après avoir entendu le rapport d'activité du comité de pilotage,
**approuve le rapport d'activité 2025** : sept plateformes membres, 41 000 livraisons à vélo,
la charte commune des livreuses et livreurs en discussion.
"""

DUES_2026 = """\
## Résolution

L'assemblée générale fixe la **cotisation annuelle 2026** des plateformes membres à
**1 % de leur chiffre d'affaires**, plafonnée à 2 000 €, pour financer l'atelier de
réparation partagé et l'outil commun de tournées.
"""

STEERING_2026 = """\
## Résolution

L'assemblée générale élit au comité de pilotage, pour deux ans : **Samir Haddad**
(collège des salariés), **Léa Dubois** (collège des usagers), **Yann Le Gall** (collège des
partenaires). *Vote à bulletin secret.*
"""


def _annual_general_assembly(story: _Story) -> None:
    """The network's annual general assembly: convened 60 days ago for 40 days ago, without
    quorum then (only the chair came; Malik's proxy to Yann fell with Yann's absence, Awa
    voted by post); convened again for 20 days ago, where it decides, Malik's proxy and
    Awa's postal vote carried over (R225-77, R225-79)."""
    session, members = story.session, story.members
    chair = members["camille"]
    # Convened by e-mail, having agreed to it on their profile page long before (C. com.
    # R225-63); Awa and Malik did not agree: convened by post, with a printed letter.
    for name, membership in members.items():
        if name not in ("awa", "malik"):
            email_convocation.set_own(session, membership.user_id, membership.id, agree=True,
                                      now=story.ago(100))
    first = assemblies.create_assembly(session, story.network, chair, assemblies.Settings(
        title="Assemblée générale annuelle 2026", kind=AssemblyKind.ORDINARY,
        meets_at=story.ago(40, hours=-9), second_meets_at=story.ago(20, hours=-9),
        place="Maison des coopératives, 12 rue des Tanneurs, Lyon",
        video_link="https://visio.example.org/ag-2026", max_proxies_per_holder=2,
        chair_id=chair.id, secretary_id=members["lea"].id), now=story.ago(62))
    for title, body, secret in (
            ("Rapport d'activité 2025", ACTIVITY_2025, False),
            ("Cotisations 2026", DUES_2026, False),
            ("Élection du comité de pilotage", STEERING_2026, True)):
        assemblies.add_resolution(session, first, chair, title=title, body=body,
                                  secret=secret, now=story.ago(61))
    assemblies.convene(session, first, chair, now=story.ago(60))
    assemblies.give_proxy(session, first, members["malik"].id, members["yann"].id,
                          by=members["malik"], now=story.ago(50))
    positions = {first.items[0].id: "yes", first.items[1].id: "no", first.items[2].id: "yes"}
    assemblies.vote_by_post(session, first, members["awa"].id, positions,
                            by=members["awa"], now=story.ago(45))
    opening = story.ago(40, hours=-9)
    assemblies.open_sitting(session, first, chair, now=opening)
    assemblies.check_in(session, first, chair.id, AttendanceMode.ROOM, by=chair,
                        now=opening + timedelta(minutes=5))
    assemblies.record_no_quorum(session, first, chair, now=opening + timedelta(minutes=30))

    second = assemblies.prepare_second_convocation(session, first, chair, meets_at=None,
                                                   now=story.ago(39))
    assemblies.convene(session, second, chair, now=story.ago(38))
    assemblies.give_proxy(session, second, members["jules"].id, members["samir"].id,
                          by=members["jules"], now=story.ago(30))
    opening = story.ago(20, hours=-9)
    assemblies.open_sitting(session, second, chair, now=opening)
    for step, name in enumerate(("camille", "samir", "lea", "hugo", "ines", "yann", "chloe",
                                 "nora"), start=1):
        assemblies.check_in(session, second, members[name].id, AttendanceMode.ROOM, by=chair,
                            now=opening + timedelta(minutes=step))
    assemblies.check_in(session, second, members["tom"].id, AttendanceMode.REMOTE,
                        by=members["tom"], now=opening + timedelta(minutes=9))
    votes = (
        # Activity report: carried everywhere; Chloé and Nora vote by show of hands.
        {"camille": "yes", "samir": "yes", "jules": "yes", "lea": "yes", "hugo": "abstain",
         "ines": "yes", "yann": "yes", "malik": "yes"},
        # Dues: the partners' college is against, carried overall by the weighted share.
        {"camille": "yes", "samir": "yes", "jules": "yes", "lea": "yes", "hugo": "yes",
         "ines": "no", "yann": "no", "malik": "no"},
        # The steering committee, by secret ballot.
        {"camille": "yes", "samir": "yes", "jules": "yes", "lea": "yes", "hugo": "no",
         "ines": "yes", "yann": "yes", "malik": "yes"},
    )
    holders = {"jules": "samir", "malik": "yann"}
    room = ({"Usagers": assemblies.RoomCounts(yes=1, abstain=1)},
            {"Usagers": assemblies.RoomCounts(yes=2)},
            {"Usagers": assemblies.RoomCounts(yes=1, no=1)})
    for number, (item, chosen) in enumerate(zip(second.items, votes, strict=True)):
        start = opening + timedelta(minutes=20 + 15 * number)
        assemblies.open_resolution(session, second, item.id, chair, minutes=None, now=start)
        for step, (name, position) in enumerate(chosen.items(), start=1):
            voter = members[holders.get(name, name)]
            assemblies.cast(session, second, item.id, voter, position,
                            for_ids=[members[name].id], now=start + timedelta(seconds=20 * step))
        assemblies.enter_room_counts(session, second, item.id, room[number], chair,
                                     now=start + timedelta(minutes=4))
        assemblies.close_resolution(session, second, item.id, chair,
                                    now=start + timedelta(minutes=5))
    assemblies.close_sitting(session, second, chair, now=opening + timedelta(hours=2))
