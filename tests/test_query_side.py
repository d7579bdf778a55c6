"""One query side: `rag eval` measures the path `rag ask` and `rag search` take.

The evaluation opens the query side the way the CLI does (rag/answering/side.py), with its
questions embedded in batches up front; the hits must be the ones a single `rag search`
finds for the same question, with the same scores.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli.main import main

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Heeft het kabinet testkits van BGI gekocht?",
    "Did the Dutch government buy test kits from BGI?",
    "Wat vindt het kabinet van Huawei in het 5G-netwerk?",
    "Welke afspraken heeft de provincie Utrecht met Chinese partners?",
]


def run_json(capsys, *args: str) -> list[dict]:
    capsys.readouterr()
    assert main([*args, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


def test_eval_and_search_retrieve_the_same_hits(shipped_index: Path, tmp_path, capsys) -> None:
    gold = tmp_path / "gold.jsonl"
    rows = [
        {"id": f"q{i}", "question": q, "lang": "en" if q.startswith("Did") else "nl",
         "answerable": False, "gold": [], "must_mention": [], "reference_answer": ""}
        for i, q in enumerate(QUESTIONS)
    ]  # fmt: skip
    gold.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    [result] = run_json(
        capsys, "eval", "--gold", str(gold), "--mode", "retrieval", "--index", str(shipped_index)
    )
    for question, record in zip(QUESTIONS, result["per_question"], strict=True):
        hits = run_json(capsys, "search", question, "-k", "10", "--index", str(shipped_index))
        assert [h["unit_id"] for h in hits] == record["retrieved"], question
        assert len(hits) == 10


def test_the_query_side_analyses_once_and_embeds_the_search_text(shipped_index: Path) -> None:
    from rag.answering.side import open_query_side
    from rag.settings import Settings

    side = open_query_side(Settings().override("index", dir=str(shipped_index)))
    query = side.query("En Taiwan?", context="Wat vindt het kabinet van Huawei?")
    assert query.search_text.endswith("En Taiwan?") and "Huawei" in query.search_text
    assert {"taiwan", "huawei"} <= set(query.terms) and query.vector is not None
    by_query = side.retriever.search(query, k=5)
    by_text = side.retriever.search(query.search_text, k=5)
    assert [h.unit.unit_id for h in by_query] == [h.unit.unit_id for h in by_text]
    assert [h.score for h in by_query] == pytest.approx([h.score for h in by_text], abs=1e-5)
