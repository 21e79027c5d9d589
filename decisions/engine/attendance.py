"""The attendance sheet of a meeting: who is present, and how (docs/rules.md 0.4).

A member takes part in the room, remotely (counted present only when the statuts say so,
C. com. L225-107 II), through a proxy holder, or by a postal form received before the
meeting (C. com. L225-107 I). Present, for the quorum and for the ``present`` base, is all
of them. This module decides which proxies and postal forms stand, and which ballots each
member may then cast; what it refuses is listed with a reason, never dropped silently.

The choices, and why (docs/rules.md 8b, "Meetings"):

- A proxy is refused, with the first reason that applies: its holder is not a member
  (``holder_not_member``); its holder has themself given a proxy, a chain A→B→C or a
  circle (``chain``: B must attend to vote for A); the represented member takes part
  themself, in the room, remotely (when counted) or by post (``represented_present``);
  the holder is neither in the room nor remote and counted (``holder_absent``); the statuts
  ask for a holder of the member's college and they differ (``holder_other_college``);
  the holder holds more proxies than ``max_proxies_per_holder`` allows
  (``holder_over_cap``: all the proxies they hold, since nothing tells which they accepted
  first and choosing some would choose who votes).
- A refused proxy leaves the member absent (unless they take part themself) and the
  ballots cast for them by the holder are refused ``proxy_refused``: without a valid
  mandate nobody may vote in their name, and counting them present would make a quorum
  out of a proxy that does not exist.
- A postal form counts only if received before ``postal_deadline`` (default: the meeting's
  opening, ``opens_at``): a late one leaves the member absent, its ballots refused ``late``.
  A form received stands: the member's other ballots are refused ``change_not_allowed``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from .errors import CaseError
from .model import Ballots, PostalOnAmended, ProxyRefusal, RejectionReason, Roll
from .params import MajorityParams
from .results import AttendanceCounts, RefusedPostal, RefusedProxy

__all__ = ["Attendance", "BallotChannels", "sort_ballots", "take_attendance"]


@dataclass(frozen=True, slots=True)
class Attendance:
    """Who takes part in a meeting before any ballot is read, and what was refused.

    ``remote`` holds the members taking part remotely who count as present; the others
    are in ``remote_not_counted``. ``represented`` maps each member with an accepted
    proxy to its holder; ``postal`` holds the members whose postal form counts. The rest
    is recorded for the explanation: the cap on proxies, the deadline of postal forms,
    and ``postal_on_amended`` when the resolution was amended in the meeting.
    """

    in_room: frozenset[str]
    remote: frozenset[str]
    remote_not_counted: frozenset[str]
    represented: Mapping[str, str]
    postal: frozenset[str]
    refused_proxies: tuple[RefusedProxy, ...] = ()
    refused_postal: tuple[RefusedPostal, ...] = ()
    max_proxies_per_holder: int | str | None = None
    postal_deadline: datetime | None = None
    postal_on_amended: PostalOnAmended | None = None

    @property
    def attending(self) -> frozenset[str]:
        """The members present or represented, before any ballot: in the room, remote
        (counted), represented and postal."""
        return self.in_room | self.remote | frozenset(self.represented) | self.postal

    def counts(self, members: frozenset[str] | None = None) -> AttendanceCounts:
        """Heads by way of taking part, among ``members`` (all when ``None``); a member
        counts once: by post, else represented, else in the room, else remote."""
        def among(ids: frozenset[str]) -> int:
            return len(ids if members is None else ids & members)
        postal = self.postal
        represented = frozenset(self.represented)
        in_room = self.in_room - postal
        return AttendanceCounts(
            in_room=among(in_room),
            remote=among(self.remote - postal - in_room),
            remote_not_counted=among(self.remote_not_counted - postal - in_room - represented),
            represented=among(represented),
            postal=among(postal),
        )


def _postal_deadline(params: MajorityParams) -> datetime | None:
    return params.postal_deadline or params.window.opens_at


def take_attendance(params: MajorityParams, roll: Roll) -> Attendance:
    """The attendance of a meeting from its roll and the statutory parameters.

    Raises :class:`CaseError` when the roll has proxies and the statutory cap
    ``max_proxies_per_holder`` is not given: no legal default is assumed.
    """
    members = frozenset(roll.ids)
    in_room = frozenset(roll.present or ())
    remote_all = frozenset(roll.remote) - in_room
    counted_remote = params.remote_counts_as_present
    remote = remote_all if counted_remote else frozenset()

    deadline = _postal_deadline(params)
    on_time: set[str] = set()
    refused_postal: list[RefusedPostal] = []
    for member, received in sorted(roll.postal):
        if deadline is not None and received >= deadline:
            refused_postal.append(RefusedPostal(member, received))
        else:
            on_time.add(member)
    postal = frozenset(on_time)

    cap = params.max_proxies_per_holder
    if roll.represented_by and cap is None:
        raise CaseError("$.params.max_proxies_per_holder",
                        "missing: the statuts' cap on proxies per holder is needed when"
                        ' proxies are given (a number, or "unlimited"; no legal default)')
    colleges = dict(zip(roll.ids, roll.colleges, strict=True)) if roll.colleges else {}
    givers = {member for member, _ in roll.represented_by}
    attending_self = in_room | remote | postal
    holding_room = in_room | remote
    refused: list[RefusedProxy] = []
    standing: list[tuple[str, str]] = []
    for member, holder in sorted(roll.represented_by):
        if holder not in members:
            reason = ProxyRefusal.HOLDER_NOT_MEMBER
        elif holder in givers:
            reason = ProxyRefusal.CHAIN
        elif member in attending_self:
            reason = ProxyRefusal.REPRESENTED_PRESENT
        elif holder not in holding_room:
            reason = ProxyRefusal.HOLDER_ABSENT
        elif params.proxy_same_college and colleges.get(holder) != colleges.get(member):
            reason = ProxyRefusal.HOLDER_OTHER_COLLEGE
        else:
            standing.append((member, holder))
            continue
        refused.append(RefusedProxy(member, holder, reason))
    held = Counter(holder for _, holder in standing)
    represented: dict[str, str] = {}
    for member, holder in standing:
        if isinstance(cap, int) and held[holder] > cap:
            refused.append(RefusedProxy(member, holder, ProxyRefusal.HOLDER_OVER_CAP))
        else:
            represented[member] = holder
    refused.sort(key=lambda r: r.member)
    return Attendance(
        in_room=in_room,
        remote=remote,
        remote_not_counted=frozenset() if counted_remote else remote_all,
        represented=represented,
        postal=postal,
        refused_proxies=tuple(refused),
        refused_postal=tuple(refused_postal),
        max_proxies_per_holder=cap,
        postal_deadline=deadline,
        postal_on_amended=params.postal_on_amended if params.amended_in_meeting else None,
    )


@dataclass(frozen=True, slots=True)
class BallotChannels:
    """The ballots of a meeting sorted by how they may count (indices into the ballots):
    ``direct`` ballots cast in the meeting, by a member or their accepted proxy holder;
    ``postal`` ballots of forms that count; ``refused`` ones with their reason."""

    direct: tuple[int, ...]
    postal: tuple[int, ...]
    refused: tuple[tuple[int, RejectionReason], ...]


def sort_ballots(
    attendance: Attendance, members: Mapping[str, object], ballots: Ballots,
    params: MajorityParams,
) -> BallotChannels:
    """Which ballot each member may cast, given the attendance.

    A ballot of a non-member is left to the ordinary checks (``not_eligible`` comes first,
    docs/rules.md 8b); then, for a member: a postal ballot counts when the form counts and
    the resolution was not amended in the meeting (else ``late`` or
    ``resolution_amended``); a ballot cast by a holder counts as the represented member's
    when the proxy stands (else ``proxy_refused``, or ``not_proxy_holder`` when the holder
    holds no proxy of that member); a member's own ballot is refused when their postal
    form stands (``change_not_allowed``), when an accepted proxy represents them
    (``represented``), or when they take part remotely without counting as present
    (``remote_not_allowed``).
    """
    n = len(ballots)
    holders = ballots.cast_by or (None,) * n
    by_post = ballots.postal or (False,) * n
    refused_holder = {r.member: r.holder for r in attendance.refused_proxies}
    late_forms = {r.member for r in attendance.refused_postal}
    direct: list[int] = []
    postal: list[int] = []
    refused: list[tuple[int, RejectionReason]] = []
    for i, voter in enumerate(ballots.voters):
        holder = holders[i]
        if voter not in members:
            direct.append(i)
            continue
        if by_post[i]:
            if voter in late_forms:
                reason = RejectionReason.LATE
            elif voter not in attendance.postal:
                raise CaseError(f"$.ballots[{i}]", f"a postal ballot of {voter} without a"
                                " postal form (electorate.postal)")
            elif params.amended_in_meeting:
                reason = RejectionReason.RESOLUTION_AMENDED
            else:
                postal.append(i)
                continue
        elif holder is not None and holder != voter:
            if attendance.represented.get(voter) == holder:
                direct.append(i)
                continue
            reason = (RejectionReason.PROXY_REFUSED if refused_holder.get(voter) == holder
                      else RejectionReason.NOT_PROXY_HOLDER)
        elif voter in attendance.postal:
            reason = RejectionReason.CHANGE_NOT_ALLOWED
        elif voter in attendance.represented:
            reason = RejectionReason.REPRESENTED
        elif voter in attendance.remote_not_counted:
            reason = RejectionReason.REMOTE_NOT_ALLOWED
        else:
            direct.append(i)
            continue
        refused.append((i, reason))
    return BallotChannels(tuple(direct), tuple(postal), tuple(refused))
