"""Metric functions and the evaluation loop, on units cut by hand from the seed documents.

The retriever and answerer here are small deterministic stand-ins (word overlap) that
satisfy the protocols in rag/types.py; the real ones are exercised in test_eval_cli.py.
"""

from __future__ import annotations

import io
import math
import random
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag.evaluation import metrics as m
from rag.evaluation.evaluate import METRIC_KEYS, Progress, curve, evaluate, summarize
from rag.evaluation.gold import GoldItem, GoldRef
from rag.types import Answer, Citation, Filters, Hit, Unit

DOC_QA = "001_f07640d600ade888"
DOC_LETTER = "003_54dab813ef9c6552"


def qa_units(path: Path, numbers: range) -> list[Unit]:
    """Vraag/Antwoord units sliced from a seed by its 'Vraag N' lines (a stand-in parser)."""
    text = path.read_text(encoding="utf-8")
    starts = {
        int(n): s.start() for s in re.finditer(r"^ ?Vraag (\d+) ?$", text, re.M) for n in s.groups()
    }
    units = []
    for n in numbers:
        block = text[starts[n] : starts[n + 1]]
        question, _, answer = block.partition("\nAntwoord\n")
        units.append(
            Unit(
                doc=path.stem,
                unit_id=f"{path.stem}#v{n}",
                kind="qa",
                vraag=(n,),
                label=f"Vraag {n} / Antwoord {n}",
                question=question.split("\n", 1)[1].strip(),
                answer=answer.strip(),
                text=block.strip(),
                order=n,
            )
        )
    return units


def paragraph_units(path: Path, count: int) -> list[Unit]:
    """The first `count` paragraphs of a letter as paragraph units."""
    paras = [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if len(p) > 200]
    return [
        Unit(path.stem, f"{path.stem}#p{i}", "paragraph", None, f"alinea {i}", text=p, order=i)
        for i, p in enumerate(paras[:count], start=1)
    ]


def words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) > 3}


class OverlapRetriever:
    """Ranks units by the number of shared words (ties: document order). Deterministic."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.calls: list[tuple[str, int, str]] = []

    def search(
        self, query: str, k: int = 5, mode: str = "hybrid", filters: Filters | None = None
    ) -> list[Hit]:
        self.calls.append((query, k, mode))
        q = words(query)
        scored = sorted(self.units, key=lambda u: (-len(q & words(u.text)), u.order))
        return [
            Hit(rank=i, unit=u, score=float(len(q & words(u.text))))
            for i, u in enumerate(scored[:k], start=1)
        ]


class TopHitAnswerer:
    """Quotes the first sentence of the best unit and cites it; refuses on weak overlap."""

    def __init__(self, retriever: OverlapRetriever, min_score: float = 4.0) -> None:
        self.retriever, self.min_score = retriever, min_score

    def ask(
        self,
        question: str,
        k: int = 5,
        mode: str = "generate",
        filters: Filters | None = None,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        top = self.retriever.search(question, k=k)[0]
        if top.score < self.min_score:
            return Answer(question, "Dat staat niet in de documenten.", True, "refuse")
        u = top.unit
        sentence = (u.answer or u.text).split(". ")[0]
        cite = Citation(1, u.doc, u.unit_id, u.vraag, u.label, u.label, quote=sentence)
        return Answer(question, sentence, False, "quote", citations=(cite,))


@pytest.fixture(scope="module")
def units(seed_paths: dict[str, Path]) -> list[Unit]:
    return qa_units(seed_paths[DOC_QA], range(1, 10)) + paragraph_units(seed_paths[DOC_LETTER], 3)


def item(id_: str, question: str, gold: list[GoldRef], groups=(), answerable=True) -> GoldItem:
    return GoldItem(id_, question, "nl", answerable, tuple(gold), tuple(groups), "")


def test_rank_metrics_by_hand() -> None:
    ranks = [1, 3, None, 12]
    assert m.recall_at(ranks, 1) == 0.25
    assert m.recall_at(ranks, 5) == 0.5 and m.recall_at(ranks, 10) == 0.5
    assert m.mrr_at(ranks, 10) == pytest.approx((1 + 1 / 3) / 4)
    assert m.ndcg_at(ranks, 10) == pytest.approx((1 + 1 / math.log2(4)) / 4)
    assert m.recall_curve(ranks, 12)[-1] == 0.75
    assert m.recall_at([], 5) is None and m.mrr_at([], 10) is None


def test_first_match_rank_and_gold_matching() -> None:
    assert m.first_match_rank([False, False, True, True]) == 3
    assert m.first_match_rank([False, False]) is None
    ref = GoldRef(DOC_QA, (20, 21))
    assert ref.matches(DOC_QA, (21,)) and ref.matches(DOC_QA, (19, 20))
    assert not ref.matches(DOC_QA, (2,)) and not ref.matches(DOC_QA, None)
    assert not ref.matches(DOC_LETTER, (20,))
    any_unit = GoldRef(DOC_LETTER, None)
    assert any_unit.matches(DOC_LETTER, None) and any_unit.matches(DOC_LETTER, (4,))


def test_percentile_agrees_with_numpy() -> None:
    rng = random.Random(7)
    for n in (1, 2, 5, 33):
        values = [rng.uniform(0, 10) for _ in range(n)]
        for q in (0, 50, 95, 100):
            assert m.percentile(values, q) == pytest.approx(np.percentile(values, q))
    assert m.percentile([], 50) is None


def test_must_mention_is_case_and_linebreak_insensitive() -> None:
    text = "De Wereldgezondheidsorganisatie (WHO) heeft een brede internationale \nonderzoeksmissie"
    groups = [["who"], ["internationale onderzoeksmissie"], ["Verenigde Naties", "VN"]]
    assert m.groups_satisfied(text, groups) == (True, True, False)
    assert m.mention_share((True, True, False)) == pytest.approx(2 / 3)
    assert m.mention_share(()) is None


def test_citation_metrics_pool_citations_but_count_items() -> None:
    cited = [[True, False, False], [False], [True]]
    assert m.citation_precision(cited) == pytest.approx(2 / 5)
    assert m.citation_recall(cited) == pytest.approx(2 / 3)
    assert m.citation_precision([[]]) is None and m.citation_recall([[]]) == 0.0


def test_retrieval_mode_ranks_the_seed_units(units: list[Unit]) -> None:
    v2, v7 = units[1], units[6]
    items = [
        item("q2", v2.question, [GoldRef(DOC_QA, (2,))]),
        item("q7", v7.question, [GoldRef(DOC_QA, (7,)), GoldRef(DOC_LETTER, None)]),
        item("letter", units[-2].text[:300], [GoldRef(DOC_LETTER, None)]),
        item("wrong", v2.question, [GoldRef(DOC_QA, (99,))]),
    ]
    retriever = OverlapRetriever(units)
    records = evaluate(items, retriever, retrieval="bm25")
    assert [r.first_match for r in records] == [1, 1, 1, None]
    assert records[0].retrieved[0] == f"{DOC_QA}#v2" and len(records[0].retrieved) == 10
    assert all(call[1:] == (10, "bm25") for call in retriever.calls)
    metrics = summarize(records)
    assert tuple(metrics) == METRIC_KEYS
    assert metrics["recall@1"] == 0.75 and metrics["mrr@10"] == 0.75
    assert metrics["citation_precision"] is None and metrics["answer_latency_p50_s"] is None
    assert curve(records) == [0.75] * 10


def test_answer_mode_scores_citations_mentions_and_refusals(units: list[Unit]) -> None:
    v1, v3 = units[0], units[2]
    items = [
        item("v1", v1.question, [GoldRef(DOC_QA, (1,))], [["WHO"], ["Peru"]]),
        item("v3-wrong-gold", v3.question, [GoldRef(DOC_QA, (4,))], [["pandemieën"]]),
        item("peru", "Hoeveel inwoners heeft Lima?", [], answerable=False),
        item("v1-bis", "Wat zegt u over Lima?", [GoldRef(DOC_QA, (1,))], [["WHO"]]),
    ]
    retriever = OverlapRetriever(units)
    records = evaluate(items, retriever, TopHitAnswerer(retriever), mode="quote", k=3)
    assert [r.refused for r in records] == [False, False, True, True]
    assert records[0].citations == (f"{DOC_QA}#v1",) and records[0].citation_match == (True,)
    assert records[0].satisfied == (True, False)
    assert records[1].citation_match == (False,) and records[1].satisfied == (True,)
    metrics = summarize(records)
    assert metrics["citation_precision"] == 0.5 and metrics["citation_recall"] == 0.5
    assert metrics["must_mention_recall"] == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert metrics["refusal_recall"] == 1.0
    assert metrics["false_refusal_rate"] == pytest.approx(1 / 3)
    assert metrics["answer_latency_p95_s"] >= metrics["answer_latency_p50_s"] > 0


def test_answer_mode_without_answerer_is_an_error(units: list[Unit]) -> None:
    with pytest.raises(ValueError, match="needs an answerer"):
        evaluate(
            [item("x", "vraag", [GoldRef(DOC_QA, (1,))])], OverlapRetriever(units), mode="quote"
        )


def test_progress_line_counts_to_total() -> None:
    out = io.StringIO()
    bar = Progress(3, "eval", stream=out)
    for name in ("a", "b", "c"):
        bar.step(name)
    bar.close()
    lines = out.getvalue().split("\r")
    assert "1/3" in lines[1] and "3/3" in lines[-1] and lines[-1].endswith("\n")
