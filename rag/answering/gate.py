"""The refusal gate: is a retrieved unit evidence that the corpus answers the question?

Three signals, read per hit: the lexical coverage of the question's terms by the unit
(rag/answering/quote.py Evidence), the dense cosine of the question with the unit's best
passage (the hit's ``scores["dense"]``, multilingual e5), and the cosine of the question
with the unit's own Vraag (the index's question vectors, both in the query role). Their
weighted sum is the hit's strength; a hit passes when its strength and its coverage reach
their thresholds, and the passing hits are quoted strongest first. Without a dense side
(BM25 mode, a pipeline without an embedder) coverage alone decides. The thresholds were
chosen on fold A of eval/dev.jsonl (eval/calibration_quote.py; figures in eval/RESULTS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.types import Hit, Query


@dataclass(frozen=True)
class GateSettings:
    """Thresholds and weights of the gate (fold A of eval/dev.jsonl)."""

    threshold: float = 1.3275  # strength a hit needs
    coverage: float = 0.0  # and the coverage it needs besides
    coverage_weight: float = 0.1  # strength = dense + w_c * coverage + w_q * question
    question_weight: float = 0.5
    lexical_only: float = 0.3  # coverage needed when the hit has no dense score


def strength(
    coverage: float, dense: float | None, question: float | None, s: GateSettings
) -> float:
    """The hit's evidence as one number: its dense cosine, its coverage and the similarity of
    the question to the unit's own question (the dense cosine where it has none)."""
    if dense is None:
        return coverage
    asked = question if question is not None else dense
    return dense + s.coverage_weight * coverage + s.question_weight * asked


def passes(coverage: float, dense: float | None, question: float | None, s: GateSettings) -> bool:
    """True when the hit's evidence passes the gate."""
    if dense is None:
        return coverage >= s.lexical_only
    return coverage >= s.coverage and strength(coverage, dense, question, s) >= s.threshold


def dense_of(hit: Hit) -> float | None:
    """The hit's dense cosine, or None when the dense side did not score it."""
    value = hit.scores.get("dense")
    return None if value is None or value <= -1.0 else float(value)


def follow_up(
    own: Query,
    previous: Query,
    joint: Query,
    search: Callable[[Query], list[Hit]],
    relevance: Callable[[Query, Hit], float],
    threshold: float,
) -> bool:
    """True when a question reads as a follow-up of the previous one, on the evidence.

    Read together (joint), some unit covers both questions, while on its own the question's
    evidence is weak: no unit covers it, or its best unit covers it no better than the
    joint one does and says nothing about the previous question. Length plays no part.
    """
    both = max((min(relevance(own, h), relevance(previous, h)) for h in search(joint)), default=0.0)
    if both < threshold:
        return False  # read together nothing answers: a new question
    alone = search(own)
    if not alone or max(relevance(own, h) for h in alone) < threshold:
        return True
    top = alone[0]
    return relevance(previous, top) < threshold and relevance(own, top) <= both
