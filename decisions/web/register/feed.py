"""The register of decisions as an Atom feed (RFC 4287), written with the standard library's
ElementTree: one entry per decision, latest first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from ..models import Organisation
from ..services.register import Entry

ATOM = "http://www.w3.org/2005/Atom"


def _instant(moment: datetime) -> str:
    """An RFC 3339 instant, in UTC, to the second."""
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    element.text = text
    return element


def atom_feed(organisation: Organisation, entries: Sequence[Entry], *, title: str,
              self_url: str, page_url: str, entry_url: Callable[[Entry], str],
              summary: Callable[[Entry], str], category: Callable[[Entry], str],
              now: datetime) -> bytes:
    """The feed of ``entries`` (UTF-8 XML): ``self_url`` is the feed's own address,
    ``page_url`` the register's page, ``entry_url`` a decision's page; ``summary`` and
    ``category`` put a decision in words; without entries the feed is updated ``now``."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    host = urlsplit(page_url).hostname or "localhost"
    _text(feed, "id", f"tag:{host},2026:{organisation.slug}:register")
    _text(feed, "title", title)
    _text(feed, "updated", _instant(max((e.decided_at for e in entries), default=now)))
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    _text(author, "name", organisation.name)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url,
                                             "type": "application/atom+xml"})
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "alternate", "href": page_url,
                                             "type": "text/html"})
    for entry in entries:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(item, "id", f"tag:{host},{entry.decided_at.year}:{organisation.slug}:"
                          f"decision:{entry.proposal_id}")
        _text(item, "title", entry.title)
        _text(item, "updated", _instant(entry.decided_at))
        _text(item, "published", _instant(entry.decided_at))
        ET.SubElement(item, f"{{{ATOM}}}link", {"rel": "alternate", "href": entry_url(entry),
                                                 "type": "text/html"})
        ET.SubElement(item, f"{{{ATOM}}}category", {"term": entry.outcome,
                                                     "label": category(entry)})
        if entry.proposer:
            _text(ET.SubElement(item, f"{{{ATOM}}}author"), "name", entry.proposer)
        _text(item, "summary", summary(entry), type="text")
    written: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return written
