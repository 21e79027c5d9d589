"""The convocation's e-mail: the date, place and video link of the sitting, its agenda with
each resolution's text and rule, and how to give a proxy or vote by post (a legal notice,
always sent: ``NoticeKind.CONVOCATION`` is in ``ALWAYS_SENT``)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from flask import url_for
from flask_babel import gettext as _

from ..assembly_cases import meeting_day_start
from ..i18n import local_time
from ..models import Assembly, Organisation

if TYPE_CHECKING:
    from ..notice_mail import Letter, Writing


def convocation_letter(writing: Writing) -> Letter:
    """The letter of a convocation notice (payload ``{"assembly": id}``), read at sending
    time: the sitting and its agenda as convened."""
    from ..notice_mail import Letter, Unsendable  # the sender imports this module

    assembly = writing.db.get(Assembly, int(writing.payload.get("assembly") or 0))
    if assembly is None or writing.organisation is None:
        raise Unsendable("the convened assembly is gone")
    values = convocation_values(assembly, writing.organisation)
    subject = (_("Second convocation: %(title)s, %(when)s", title=assembly.title,
                 when=values["meets_at"]) if values["second"] else
               _("Convocation: %(title)s, %(when)s", title=assembly.title,
                 when=values["meets_at"]))
    return Letter(subject, "convocation", values)


def convocation_values(assembly: Assembly, organisation: Organisation) -> dict[str, Any]:
    """What a convocation says, by e-mail or in a letter sent by post: the sitting, its
    agenda with each resolution's text as convened (``text``, and ``html`` for a page), the
    last day of postal votes, and the address of the assembly's page."""
    agenda: list[dict[str, Any]] = []
    for item in assembly.items:
        version = next((v for v in item.proposal.versions
                        if v.number == item.version_number), None)
        params = json.loads(item.proposal.params or "{}")
        agenda.append({
            "number": item.number,
            "title": version.title if version else item.proposal.title,
            "text": version.body if version else "",
            "html": version.body_html if version else "",
            "extraordinary": params.get("preset") == "scic_sa_age",
            "secret": item.proposal.secret})
    deadline = meeting_day_start(assembly)
    return {
        "assembly": assembly, "agenda": agenda,
        "meets_at": local_time(assembly.meets_at, organisation),
        "second_meets_at": (local_time(assembly.second_meets_at, organisation)
                            if assembly.second_meets_at else None),
        "postal_until": local_time(deadline, organisation),
        "url": url_for("assemblies.show", slug=organisation.slug, assembly_id=assembly.id,
                       _external=True),
        "second": assembly.convocation == "second"}
