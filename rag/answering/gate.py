"""The refusal gate: is a retrieved unit evidence that the corpus answers the question?

Three signals, read per hit: the lexical coverage of the question's terms by the unit
(rag/answering/quote.py Evidence), the dense cosine of the question with the unit's best
passage (the hit's ``scores["dense"]``, multilingual e5), and the cosine of the question
with the unit's own Vraag (the index's question vectors, both in the query role). Their
weighted sum is the hit's strength; a hit passes when its strength and its coverage reach
their thresholds, and the passing hits are quoted in the retriever's order (but see
choose.quote_order). A question in another
language than the corpus's Dutch needs a little less: its cosines with Dutch text run lower
(on fold A the median strength of English questions is 0.03-0.04 below that of Dutch ones,
answerable or not). Without a dense side (BM25 mode, a pipeline without an embedder)
coverage alone decides. A further passing unit is cited beside the first only when it
answers on its own evidence (also_cite). The thresholds were chosen on fold A of
eval/dev.jsonl (eval/calibration_quote.py; figures in eval/RESULTS.md).

The threshold is absolute: a hit is judged on its own evidence, not against the question's
other evidence. A relative gate (strength less a share of the other top-5 hits' mean or of
the strongest of them, or of the question's mean cosine with the whole corpus) refused no
more unanswerable questions on fold A (`calibration_quote.py --relative`): a near miss,
whose best unit has the topic but not the fact, does not have flatter evidence than an
answerable question, where the neighbouring Vragen of the answer often score nearly as high.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rag.types import Hit, Query, Unit

CORPUS_LANGUAGE = "nl"


@dataclass(frozen=True)
class GateSettings:
    """Thresholds and weights of the gate (fold A of eval/dev.jsonl)."""

    threshold: float = 1.3275  # strength a hit needs
    coverage: float = 0.0  # and the coverage it needs besides
    coverage_weight: float = 0.1  # strength = dense + w_c * coverage + w_q * question
    question_weight: float = 0.5
    lexical_only: float = 0.3  # coverage needed when the hit has no dense score
    other_language: float = 0.03  # less strength needed by a question not in Dutch
    second: float = 0.99  # a further unit's strength, of the first's, to be cited beside it
    # and how much closer its best sentence is than the first's (0 on fold A: 1 answer more
    # cites a gold unit, for 3 citations more, 1 of them wrong; eval/RESULTS.md)
    sentence_margin: float = 0.02


def strength(
    coverage: float, dense: float | None, question: float | None, s: GateSettings
) -> float:
    """The hit's evidence as one number: its dense cosine, its coverage and the similarity of
    the question to the unit's own question (the dense cosine where it has none)."""
    if dense is None:
        return coverage
    asked = question if question is not None else dense
    return dense + s.coverage_weight * coverage + s.question_weight * asked


def passes(
    coverage: float,
    dense: float | None,
    question: float | None,
    s: GateSettings,
    lang: str = CORPUS_LANGUAGE,
) -> bool:
    """True when the hit's evidence passes the gate (lang: the question's language)."""
    if dense is None:
        return coverage >= s.lexical_only
    needed = s.threshold - (s.other_language if lang != CORPUS_LANGUAGE else 0.0)
    return coverage >= s.coverage and strength(coverage, dense, question, s) >= needed


def also_cite(
    first: Unit,
    other: Unit,
    strengths: tuple[float, float],
    best_sentence: Callable[[Unit], float],
    s: GateSettings,
) -> bool:
    """True when a further unit that passed the gate is cited beside the first one.

    A letter answers in paragraphs, so another passing paragraph of the same letter is
    cited. Any other unit must answer on its own evidence: its strength nearly the first's
    (s.second of it) and its best sentence (best_sentence: the highest cosine of one of its
    sentences with the question) closer to the question than the first's best, by
    s.sentence_margin: the first unit won on the whole, this one has the sentence that answers.
    """
    if first.kind == other.kind == "paragraph" and first.doc == other.doc:
        return True
    if strengths[1] < s.second * strengths[0]:
        return False
    return best_sentence(other) >= best_sentence(first) + s.sentence_margin


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
