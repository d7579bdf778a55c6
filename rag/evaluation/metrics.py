"""Pure metric functions. Ranks start at 1; None means "no match in what was retrieved".

Every aggregate returns None when there is nothing to measure (an empty denominator), so
a report never shows 0.0 for a figure that was not measured.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

Rank = int | None


def first_match_rank(matches: Sequence[bool]) -> Rank:
    """The 1-based rank of the first True in a ranked list of match flags, or None."""
    return next((i for i, hit in enumerate(matches, start=1) if hit), None)


def recall_at(ranks: Sequence[Rank], k: int) -> float | None:
    """Share of items whose first match is within the top k."""
    return mean(1.0 if r is not None and r <= k else 0.0 for r in ranks)


def mrr_at(ranks: Sequence[Rank], k: int) -> float | None:
    """Mean reciprocal rank of the first match, counting only matches within the top k."""
    return mean(1.0 / r if r is not None and r <= k else 0.0 for r in ranks)


def ndcg_at(ranks: Sequence[Rank], k: int) -> float | None:
    """nDCG@k with binary relevance from the first match: 1/log2(rank+1); the ideal is 1."""
    return mean(1.0 / math.log2(r + 1) if r is not None and r <= k else 0.0 for r in ranks)


def recall_curve(ranks: Sequence[Rank], k_max: int = 10) -> list[float | None]:
    """recall@k for k = 1..k_max."""
    return [recall_at(ranks, k) for k in range(1, k_max + 1)]


def groups_satisfied(text: str, groups: Sequence[Sequence[str]]) -> tuple[bool, ...]:
    """Per must_mention group: does the text contain any of its strings (case-insensitive)?"""
    haystack = _fold(text)
    return tuple(any(_fold(s) in haystack for s in group) for group in groups)


def mention_share(satisfied: Sequence[bool]) -> float | None:
    """Share of must_mention groups satisfied, or None when there are no groups."""
    return sum(satisfied) / len(satisfied) if satisfied else None


def citation_precision(cited: Sequence[Sequence[bool]]) -> float | None:
    """Share of all citations (pooled over items) that match a gold entry."""
    flat = [flag for item in cited for flag in item]
    return mean(1.0 if flag else 0.0 for flag in flat)


def citation_recall(cited: Sequence[Sequence[bool]]) -> float | None:
    """Share of items with at least one citation that matches a gold entry."""
    return mean(1.0 if any(item) else 0.0 for item in cited)


def rate(flags: Sequence[bool]) -> float | None:
    """Share of True flags."""
    return mean(1.0 if flag else 0.0 for flag in flags)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100) with linear interpolation, as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def mean(values: Iterable[float]) -> float | None:
    """Arithmetic mean, or None for no values."""
    seq = list(values)
    return sum(seq) / len(seq) if seq else None


def _fold(text: str) -> str:
    # Answers are wrapped text: compare case- and whitespace-insensitively.
    return re.sub(r"\s+", " ", text.replace("\u00ad", "")).casefold().strip()
