"""Grid-search the hybrid fusion settings on the development gold set by MRR@10.

    .venv/bin/python eval/tune_fusion.py [--gold eval/dev.jsonl] [--index DIR] [--settings F]
    .venv/bin/python eval/tune_fusion.py --qa-csv ../shared/data/kamervragen-qa-2033.csv


Each question is searched once per side (BM25 and dense, 50 candidates each); only the
fusion is repeated per grid point, so the whole grid takes seconds. Only answerable items
count. The grid is small on purpose (fusion type, rrf_k, normalisation, one weight ratio)
so that the choice cannot fit individual questions. The dense weight is chosen per question
language on fold A of the gold set (rag.evaluation.gold.fold_of), for the normalisation of
the settings, and reported on fold B. Writes the result to eval/fusion_tuning.json.

With --qa-csv the same grid runs on the 2,033-pair benchmark (its own index, built by
`rag eval --qa-csv` when missing), a set the choice was not made on: it checks that the
setting chosen on the development set holds there. Writes eval/fusion_check_qa2033.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rag.analysis.lang import detect
from rag.answering.side import open_query_side
from rag.evaluation.gold import load_gold
from rag.evaluation.metrics import mrr_at, recall_at
from rag.retrieval.hybrid import HybridRetriever, rrf, weighted
from rag.settings import Settings

HERE = Path(__file__).resolve().parent
RRF_KS = (5, 10, 20, 40, 60, 100)
# dense weight per bm25 weight
RATIOS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 6.0, 8.0)
DEPTH = 10
POINT_KEYS = ("fusion", "rrf_k", "normalise", "bm25_weight", "dense_weight")
NORMALISE = Settings().retrieval.normalise  # the per-language weights are chosen for this one

Sides = tuple[dict[str, list[int]], dict[str, np.ndarray]]


def grid() -> list[dict]:
    """Every fusion setting tried: RRF over (rrf_k, ratio), weighted over (normalisation,
    ratio)."""
    points = [
        {"fusion": "rrf", "rrf_k": k, "bm25_weight": 1.0, "dense_weight": r}
        for k in RRF_KS
        for r in RATIOS
    ]
    points += [
        {"fusion": "weighted", "normalise": over, "bm25_weight": 1.0, "dense_weight": r}
        for over in ("union", "own")
        for r in RATIOS
    ]
    return points


def side_rankings(retriever: HybridRetriever, questions: Sequence[str], n: int) -> list[Sides]:
    """Both sides' candidate rankings and scores for every question (searched once)."""
    out = []
    for i, q in enumerate(questions, start=1):
        out.append(retriever.rankings(q, ("bm25", "dense"), n))
        print(f"\rsearching {i}/{len(questions)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    return out


def fuse(point: dict, sides: Sides) -> list[int]:
    """Unit rows in fused order for one grid point (ties by row, as the retriever does)."""
    rankings, scores = sides
    weights = {"bm25": point["bm25_weight"], "dense": point["dense_weight"]}
    if point["fusion"] == "rrf":
        fused = rrf(rankings, weights, point["rrf_k"])
    else:
        fused = weighted(rankings, scores, weights, point.get("normalise", "own"))
    return [row for row, s in sorted(fused.items(), key=lambda x: (-x[1], x[0])) if s > 0]


def first_ranks(rows_per_q: list[list[int]], matches: list[Callable[[int], bool]]) -> list:
    """1-based rank of the first matching row within DEPTH, or None, per question."""
    ranks = []
    for rows, match in zip(rows_per_q, matches, strict=True):
        ranks.append(next((i for i, r in enumerate(rows[:DEPTH], 1) if match(r)), None))
    return ranks


def metrics(ranks: list) -> dict[str, float | None]:
    """MRR@10 and recall@1/5/10."""
    out = {"mrr@10": mrr_at(ranks, DEPTH)}
    out.update({f"recall@{k}": recall_at(ranks, k) for k in (1, 5, 10)})
    return {k: round(v, 4) if v is not None else None for k, v in out.items()}


def single_modes(all_sides: list[Sides], matches: list[Callable[[int], bool]]) -> dict:
    """Metrics of BM25 alone and dense alone on the same candidates."""
    return {
        side: metrics(first_ranks([s[0][side] for s in all_sides], matches))
        for side in ("bm25", "dense")
    }


def search_grid(all_sides: list[Sides], matches: list[Callable[[int], bool]]) -> list[dict]:
    """Every grid point with its metrics, best MRR@10 first (ties: the earlier point)."""
    rows = []
    for point in grid():
        ranks = first_ranks([fuse(point, s) for s in all_sides], matches)
        rows.append({**point, **metrics(ranks)})
    return sorted(rows, key=lambda r: -(r["mrr@10"] or 0.0))


def by_language(
    all_sides: list[Sides], matches: list[Callable[[int], bool]], langs: list[str]
) -> dict[str, dict]:
    """Per question language: the best weighted-fusion dense weight on these questions
    (ties go to the smaller weight: closer to BM25, the simpler model)."""
    out = {}
    for lang in sorted(set(langs)):
        rows = [i for i, x in enumerate(langs) if x == lang]
        best = None
        for ratio in RATIOS:
            point = {"fusion": "weighted", "normalise": NORMALISE, "bm25_weight": 1.0,
                     "dense_weight": ratio}  # fmt: skip
            fused = [fuse(point, all_sides[i]) for i in rows]
            got = metrics(first_ranks(fused, [matches[i] for i in rows]))
            if best is None or (got["mrr@10"] or 0) > (best["mrr@10"] or 0):
                best = {**point, **got}
        out[lang] = {"questions": len(rows), **best}
    return out


def two_fold(
    all_sides: list[Sides], matches: list[Callable[[int], bool]], folds: list[str], langs: list[str]
) -> dict:
    """Choose the per-language dense weight on fold A; measure it on fold B and overall."""
    a = [i for i, f in enumerate(folds) if f == "A"]
    chosen = by_language([all_sides[i] for i in a], [matches[i] for i in a], [langs[i] for i in a])
    weight = {lang: c["dense_weight"] for lang, c in chosen.items()}

    def measured(rows: list[int]) -> dict:
        ranked = []
        for i in rows:
            point = {"fusion": "weighted", "normalise": NORMALISE, "bm25_weight": 1.0,
                     "dense_weight": weight[langs[i]]}  # fmt: skip
            ranked.append(fuse(point, all_sides[i]))
        return metrics(first_ranks(ranked, [matches[i] for i in rows]))

    b = [i for i, f in enumerate(folds) if f == "B"]
    en = [i for i, x in enumerate(langs) if x == "en"]
    return {"chosen_on_A": chosen, "A": measured(a), "B": measured(b),
            "all": measured(list(range(len(folds)))), "en": measured(en)}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Run the grid on the gold set and write eval/fusion_tuning.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(HERE / "dev.jsonl"))
    parser.add_argument("--index", help="index folder (default: ./index)")
    parser.add_argument("--settings", help="TOML settings file (e.g. one embedder thread)")
    parser.add_argument("--qa-csv", help="run the grid on this 2,033-pair CSV instead")
    parser.add_argument(
        "--out",
        help="result file (default eval/fusion_tuning.json, or "
        "eval/fusion_check_qa2033.json with --qa-csv)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    settings = Settings.load(args.settings).override("index", dir=args.index)
    if args.qa_csv:
        retriever, questions, matches = qa_questions(Path(args.qa_csv), settings, args.index)
        folds, langs = ["B"] * len(questions), [detect(q) for q in questions]
        gold, out = args.qa_csv, args.out or str(HERE / "fusion_check_qa2033.json")
    else:
        retriever = open_query_side(settings, mode="hybrid").retriever
        items = [item for item in load_gold(args.gold) if item.answerable]
        units = [retriever.index.units[uid] for uid in retriever.index.unit_ids]
        matches = [lambda r, it=it: it.matches(units[r].doc, units[r].vraag) for it in items]
        questions = [it.question for it in items]
        folds = [it.fold for it in items]
        langs = [detect(q) for q in questions]
        gold, out = args.gold, args.out or str(HERE / "fusion_tuning.json")
    all_sides = side_rankings(retriever, questions, 50)
    result = {
        "gold": gold,
        "questions": len(questions),
        "index_hash": retriever.index.hash,
        "single": single_modes(all_sides, matches),
        "grid": search_grid(all_sides, matches),
        "folds": two_fold(all_sides, matches, folds, langs) if "A" in folds else None,
        "by_language": by_language(all_sides, matches, langs),
    }
    Path(out).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result))
    else:
        print(describe(result))
    return 0


def qa_questions(
    csv_path: Path, settings: Settings, index: str | None
) -> tuple[HybridRetriever, list[str], list[Callable[[int], bool]]]:
    """The benchmark's retriever, its questions, and per question which unit rows match."""
    from rag.evaluation import qa_bench

    folder = qa_bench.index_dir(settings, explicit=index is not None)
    if not qa_bench.is_current(folder, csv_path, settings):
        raise SystemExit(f"no current benchmark index in {folder}; run rag eval --qa-csv first")
    qa_settings = settings.override("index", dir=str(folder))
    retriever = open_query_side(qa_settings, mode="hybrid").retriever
    pairs = qa_bench.load_pairs(csv_path)
    relevant = qa_bench.relevant_ids(pairs)
    ids = retriever.index.unit_ids
    matches = [lambda r, want=relevant[p.row]: ids[r] in want for p in pairs]
    return retriever, [p.question for p in pairs], matches


def describe(result: dict) -> str:
    """The single modes, the ten best grid points and the two-fold check, as text."""
    lines = [f"{result['questions']} answerable questions, index {result['index_hash']}"]
    for side, m in result["single"].items():
        lines.append(f"{side:<8} {m}")
    for row in result["grid"][:10]:
        lines.append(json.dumps(row))
    if result["folds"]:
        folds = result["folds"]
        lines.append(f"chosen on fold A: {json.dumps(folds['chosen_on_A'])}")
        for part in ("A", "B", "all", "en"):
            lines.append(f"  {part}: {folds[part]}")
    lines.append(f"best per language here: {json.dumps(result['by_language'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
