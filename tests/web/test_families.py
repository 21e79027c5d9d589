"""Each family of the engine has one descriptor, and what it names exists: positions of the
engine, groups of fields of the form, words to show."""

from __future__ import annotations

from dataclasses import fields

import pytest

from decisions.engine import Family, Position
from decisions.web.families import (
    DESCRIPTORS,
    NOMINATE,
    TALLY_POSITIONS,
    FamilyDescriptor,
    descriptor,
)
from decisions.web.models import RoundKind
from decisions.web.proposals.forms import GROUP_FIELDS
from decisions.web.proposals.rule_words import FAMILY_HELP, FAMILY_LABELS
from decisions.web.services.tallies import RoomCount


def test_every_family_of_the_engine_has_a_descriptor_with_its_words() -> None:
    assert set(DESCRIPTORS) == set(Family)
    assert set(FAMILY_LABELS) == set(FAMILY_HELP) == set(Family)
    assert all(family is rules.family for family, rules in DESCRIPTORS.items())


@pytest.mark.parametrize("rules", DESCRIPTORS.values(), ids=lambda rules: rules.family.value)
def test_a_descriptor_names_only_positions_of_the_engine_and_groups_of_the_form(
        rules: FamilyDescriptor) -> None:
    for positions in rules.positions.values():
        assert all(p in set(Position) | {NOMINATE} for p in positions)
    assert rules.form_groups
    assert set(rules.form_groups) <= set(GROUP_FIELDS)
    assert rules.first_rounds
    reachable = rules.first_rounds.union(*rules.next_rounds.values())
    counted = {RoundKind.VOTE, RoundKind.CONSENT, RoundKind.NOMINATION, RoundKind.CHANGE}
    assert reachable & counted <= set(rules.positions)


def test_the_positions_of_a_tally_are_the_counts_of_the_room() -> None:
    room = tuple(f.name for f in fields(RoomCount) if f.name != "present")
    assert room == TALLY_POSITIONS


def test_a_word_that_names_no_family_has_no_descriptor() -> None:
    with pytest.raises(ValueError, match="not a valid Family"):
        descriptor("lottery")
