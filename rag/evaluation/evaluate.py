"""Run gold items through a retriever (and an answerer) into per-question records and metrics.

The retriever and answerer are passed in (the protocols in rag/types.py), so tests hand in
small deterministic ones and the CLI the real ones.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import TextIO

from rag.evaluation import metrics as m
from rag.evaluation.gold import GoldItem
from rag.types import ANSWER_MODES, Answer, Answerer, Retriever

DEPTH = 10  # retrieval metrics come from one top-10 search
METRIC_KEYS = (
    "recall@1",
    "recall@5",
    "recall@10",
    "mrr@10",
    "ndcg@10",
    "citation_precision",
    "citation_recall",
    "must_mention_recall",
    "refusal_recall",
    "false_refusal_rate",
    "answer_latency_p50_s",
    "answer_latency_p95_s",
)


@dataclass(frozen=True)
class QuestionRecord:
    """What happened to one gold item: the ranking, and the answer when one was asked."""

    id: str
    answerable: bool
    first_match: int | None  # rank of the first retrieved unit matching gold
    retrieved: tuple[str, ...]  # unit ids, rank 1 first
    retrieved_match: tuple[bool, ...]
    refused: bool | None = None  # None: no answer asked (retrieval mode)
    mode_used: str | None = None
    citations: tuple[str, ...] = ()  # cited unit ids
    citation_match: tuple[bool, ...] = ()
    satisfied: tuple[bool, ...] = ()  # per must_mention group
    latency_s: float | None = None
    answer: str = ""

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (tuples become lists)."""
        return asdict(self)


class Progress:
    """A one-line progress bar on stderr, redrawn with \\r; no dependency."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total, self.label, self.done = total, label, 0
        self.stream = stream if stream is not None else sys.stderr
        self.start = self.drawn = time.perf_counter()

    def step(self, note: str = "") -> None:
        """Count one item done; redraw first, last, and at most 10 times a second between."""
        self.done += 1
        now = time.perf_counter()
        if now - self.drawn < 0.1 and 1 < self.done < self.total:
            return
        self.drawn = now
        width = 24
        filled = width * self.done // max(self.total, 1)
        elapsed = now - self.start
        bar = "#" * filled + "." * (width - filled)
        line = f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {note[:30]:<30}"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        """End the line so later output starts on a fresh one."""
        self.stream.write("\n")
        self.stream.flush()


def rank_item(item: GoldItem, retriever: Retriever, retrieval: str) -> QuestionRecord:
    """Search the top 10 for one item and find the rank of its first gold unit."""
    hits = retriever.search(item.question, k=DEPTH, mode=retrieval)
    flags = tuple(item.matches(h.unit.doc, h.unit.vraag) for h in hits[:DEPTH])
    return QuestionRecord(
        id=item.id,
        answerable=item.answerable,
        first_match=m.first_match_rank(flags) if item.answerable else None,
        retrieved=tuple(h.unit.unit_id for h in hits[:DEPTH]),
        retrieved_match=flags,
    )


def answer_item(
    item: GoldItem, record: QuestionRecord, answerer: Answerer, mode: str, k: int
) -> QuestionRecord:
    """Ask the answerer; add refusal, citations, must_mention groups and latency."""
    start = time.perf_counter()
    answer: Answer = answerer.ask(item.question, k=k, mode=mode)
    latency = time.perf_counter() - start
    cited = tuple(item.matches(c.doc, c.vraag) for c in answer.citations)
    text = "" if answer.refused else answer.answer
    return replace(
        record,
        refused=answer.refused,
        mode_used=answer.mode_used,
        citations=tuple(c.unit_id for c in answer.citations),
        citation_match=cited,
        satisfied=m.groups_satisfied(text, item.must_mention),
        latency_s=latency,
        answer=answer.answer,
    )


def evaluate(
    items: Sequence[GoldItem],
    retriever: Retriever,
    answerer: Answerer | None = None,
    *,
    mode: str = "retrieval",
    retrieval: str = "hybrid",
    k: int = 5,
    progress: Progress | None = None,
) -> list[QuestionRecord]:
    """One record per item; answers are asked only when mode is generate or quote."""
    if mode in ANSWER_MODES and answerer is None:
        raise ValueError(f"mode {mode!r} needs an answerer")
    records = []
    for item in items:
        record = rank_item(item, retriever, retrieval)
        if mode in ANSWER_MODES:
            record = answer_item(item, record, answerer, mode, k)  # type: ignore[arg-type]
        records.append(record)
        if progress:
            progress.step(item.id)
    if progress:
        progress.close()
    return records


def summarize(records: Sequence[QuestionRecord]) -> dict[str, float | None]:
    """The metrics, exactly METRIC_KEYS; None where not measured (e.g. no answers asked)."""
    answerable = [r for r in records if r.answerable]
    ranks = [r.first_match for r in answerable]
    asked = [r for r in records if r.refused is not None]
    asked_ok = [r for r in asked if r.answerable]
    answered = [r for r in asked_ok if not r.refused]
    cited = [r.citation_match for r in answered]
    latencies = [r.latency_s for r in asked if r.latency_s is not None]
    # Items without must_mention groups have no share to measure; refused items score 0.
    mention = [0.0 if r.refused else m.mention_share(r.satisfied) for r in asked_ok if r.satisfied]
    out = {
        "recall@1": m.recall_at(ranks, 1),
        "recall@5": m.recall_at(ranks, 5),
        "recall@10": m.recall_at(ranks, 10),
        "mrr@10": m.mrr_at(ranks, 10),
        "ndcg@10": m.ndcg_at(ranks, 10),
        "citation_precision": m.citation_precision(cited),
        "citation_recall": m.citation_recall(cited),
        "must_mention_recall": m.mean(mention),
        "refusal_recall": m.rate([bool(r.refused) for r in asked if not r.answerable]),
        "false_refusal_rate": m.rate([bool(r.refused) for r in asked_ok]),
        "answer_latency_p50_s": m.percentile(latencies, 50),
        "answer_latency_p95_s": m.percentile(latencies, 95),
    }
    assert tuple(out) == METRIC_KEYS
    return out


def curve(records: Sequence[QuestionRecord], k_max: int = DEPTH) -> list[float | None]:
    """recall@k for k = 1..k_max over the answerable items."""
    return m.recall_curve([r.first_match for r in records if r.answerable], k_max)
