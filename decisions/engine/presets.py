"""Presets: dated bundles of parameters from the law and practice (docs/rules.md section 7).

A preset gives defaults in the case format's own JSON words; any parameter given explicitly
in a case overrides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .model import ByConvocation, Family

__all__ = ["PRESETS", "Preset"]

_VOTES = frozenset({Family.MAJORITY, Family.SCIC_COLLEGE})


@dataclass(frozen=True, slots=True)
class Preset:
    """A named parameter bundle, the families it applies to, and its legal source.

    ``notice_days`` is the minimum notice of the first and second convocation, used when a
    ``convocation_check`` gives no ``min_days``.
    """

    name: str
    families: frozenset[Family]
    params: Mapping[str, Any]
    source: str
    notice_days: ByConvocation[int] | None = None


def _preset(
    name: str,
    families: frozenset[Family],
    source: str,
    notice: tuple[int, int] | None = None,
    **params: Any,
) -> Preset:
    days = None if notice is None else ByConvocation(*notice)
    return Preset(name, families, MappingProxyType(params), source, days)


_Q15 = {"num": 1, "den": 5}
_Q14 = {"num": 1, "den": 4}
_SA_AGO = {"threshold": "absolute", "base": "YN", "quorum": {"first": _Q15, "second": None}}
_SA_AGE = {"threshold": "two_thirds", "base": "YN", "quorum": {"first": _Q14, "second": _Q15}}

PRESETS: Mapping[str, Preset] = MappingProxyType(
    {
        p.name: p
        for p in (
            _preset("scic_sa_ago", _VOTES, "C. com. L225-98 (2019)", (15, 10), **_SA_AGO),
            _preset("scic_sa_age", _VOTES, "C. com. L225-96 (2019)", (15, 10), **_SA_AGE),
            _preset(
                "sa_age_pre_2019",
                _VOTES,
                "C. com. L225-96 before loi 2019-744 (abstention counted as no; so were"
                " postal forms without a vote on the text, L225-107 I then)",
                (15, 10),
                threshold="two_thirds",
                base="present",
                quorum={"first": _Q14, "second": _Q15},
                postal_on_amended="no",
            ),
            _preset("scic_sas_ago", _VOTES, "C. com. L227-9: as SA unless statuts", (15, 10),
                    **_SA_AGO),
            _preset("scic_sas_age", _VOTES, "C. com. L227-9: as SA unless statuts", (15, 10),
                    **_SA_AGE),
            _preset(
                "scic_sarl_ordinary",
                _VOTES,
                "C. com. L223-29: all parts, then votes cast on a second consultation",
                (15, 15),
                threshold="absolute",
                base={"first": "entitled", "second": "YN"},
                quorum=None,
            ),
            _preset(
                "scic_sarl_statutes",
                _VOTES,
                "C. com. L223-30 (SARL created after 3 August 2005)",
                (15, 15),
                threshold="two_thirds",
                base="present",
                quorum={"first": _Q14, "second": _Q15},
            ),
            _preset(
                "association_default",
                _VOTES,
                "loi 1901 is silent: the statuts decide",
                threshold="simple",
                base="YN",
                quorum=None,
            ),
            _preset("consent_async", frozenset({Family.CONSENT}), "Loomio consent process"),
            _preset(
                "sociocratic_consent",
                frozenset({Family.SOCIOCRATIC_CONSENT}),
                "Sociocracy For All, S3, SCM",
            ),
            _preset(
                "sociocratic_election",
                frozenset({Family.SOCIOCRATIC_ELECTION}),
                "sociocracy.info, Sociocracy For All selection process",
            ),
        )
    }
)
