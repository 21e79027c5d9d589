"""Bases and thresholds of majority votes, in exact arithmetic (docs/rules.md 0.1 and 2.2)."""

from __future__ import annotations

from fractions import Fraction

from .model import Base, Tally, Threshold, ThresholdName, Votes

__all__ = ["base_count", "passes"]


def base_count(counts: Tally, base: Base, *, present: Votes, eligible: Votes) -> Votes:
    """How many votes form the base of the majority (the denominator)."""
    if base is Base.PRESENT:
        return present
    if base is Base.ENTITLED:
        return eligible
    total = counts.yes + counts.no
    if base is Base.YN:
        return total
    total += counts.abstain
    if base is Base.YNA:
        return total
    total += counts.blank
    if base is Base.VALID:
        return total
    return total + counts.invalid


def passes(threshold: Threshold, yes: Fraction, no: Fraction, base: Fraction) -> bool:
    """Whether ``yes`` (out of a non-empty ``base``) reaches the threshold.

    ``simple`` is more yes than no and ignores the base; the others compare the yes share
    with their fraction. A tie never passes a strict threshold.
    """
    if threshold.name is ThresholdName.SIMPLE:
        return yes > no
    return threshold.reached(yes / base)
