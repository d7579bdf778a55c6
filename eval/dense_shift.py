"""The dense side with the corpus's common direction taken out of the query (issue 13):
the product's retriever and fusion, each question's vector replaced by

    mean   q - alpha * m      m: the mean passage vector of the index
    proj   q - alpha * (q . u) u      u = m / |m|
    abtt   q with u and the top-`alpha` principal directions of the passages projected out

and renormalised. Passages keep their stored vectors: the ranking is that of (q') . p, which
for the first form equals centring every passage by alpha * m without renormalising it (the
term alpha * q' . m is the same for every passage of one query). Nothing is written to the
index. MRR@10 and recall@5 per variant: per fold of a gold file, or over a CSV benchmark.

    .venv/bin/python eval/dense_shift.py --index index --gold eval/dev.jsonl
    .venv/bin/python eval/dense_shift.py --index DIR --qa-csv ../shared/data/kamervragen-qa-2033.csv
        [--settings F] [--variants '[["mean", 1, 2.5, "hybrid"], ...]'] [--cache FILE.npy]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering.side import open_query_side  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402
from rag.evaluation import qa_bench  # noqa: E402
from rag.evaluation.gold import load_gold  # noqa: E402
from rag.settings import Settings  # noqa: E402

VARIANTS = [  # (form, alpha, Dutch dense weight, mode); alpha 0 is the shipped retriever
    ["mean", 0, 2.5, "hybrid"], ["mean", 0, 2.5, "dense"],
    ["mean", 0.5, 2.5, "hybrid"], ["mean", 1, 2.5, "hybrid"], ["mean", 1, 2.5, "dense"],
    ["mean", 1, 4, "hybrid"], ["proj", 1, 2.5, "hybrid"], ["abtt", 3, 2.5, "hybrid"],
    ["abtt", 3, 2.5, "dense"],
]  # fmt: skip


def shifted(q: np.ndarray, vectors: np.ndarray, form: str, alpha: float) -> np.ndarray:
    """The question vectors (rows) with the passages' common direction(s) taken out."""
    mean = vectors.mean(axis=0)
    u = mean / np.linalg.norm(mean)
    if form == "mean":
        out = q - alpha * mean
    elif form == "proj":
        out = q - alpha * np.outer(q @ u, u)
    elif form == "abtt":
        step = max(1, len(vectors) // 20_000)
        top = np.linalg.svd(vectors[::step] - mean, full_matrices=False)[2][: int(alpha)]
        basis = np.linalg.qr(np.vstack([u, top]).T)[0].T
        out = q - (q @ basis.T) @ basis
    else:
        raise SystemExit(f"unknown form {form!r}; use mean, proj or abtt")
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", required=True, help="index folder")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--gold", help="gold JSONL (eval/dev.jsonl): answerable items, per fold")
    source.add_argument("--qa-csv", help="question/answer CSV, its index built by rag eval")
    parser.add_argument("--settings", help="settings TOML (e.g. one embedder thread)")
    parser.add_argument("--variants", help="JSON list of [form, alpha, dense weight, mode]")
    parser.add_argument("--cache", help=".npy file for the question vectors (reused if there)")
    args = parser.parse_args()
    settings = Settings.load(args.settings).override("index", dir=args.index)
    if args.gold:
        items = [g for g in load_gold(args.gold) if g.answerable]
        texts, folds = [g.question for g in items], [g.fold for g in items]
    else:
        pairs = qa_bench.load_pairs(args.qa_csv)
        relevant = qa_bench.relevant_ids(pairs)
        texts, folds = [p.question for p in pairs], ["all"] * len(pairs)
    side = open_query_side(settings)
    retriever = side.retriever
    queries = [retriever.analyse(t) for t in texts]
    cache = Path(args.cache) if args.cache else None
    if cache and cache.exists():
        q = np.load(cache)
    else:
        q = side.embedder.embed([x.search_text for x in queries], "query").astype(np.float32)
        if cache:
            np.save(cache, q)
    vectors = np.asarray(side.index.dense.vectors, dtype=np.float32)
    for form, alpha, weight, mode in json.loads(args.variants) if args.variants else VARIANTS:
        retriever.settings = replace(settings.retrieval, dense_weight=weight)
        vecs = shifted(q, vectors, form, alpha) if alpha else q
        ranks = []
        for i, query in enumerate(queries):
            hits = retriever.search(query.with_vector(vecs[i]), k=qa_bench.DEPTH, mode=mode)
            if args.gold:
                flags = [items[i].matches(h.unit.doc, h.unit.vraag) for h in hits]
            else:
                flags = [h.unit.unit_id in relevant[pairs[i].row] for h in hits]
            ranks.append(m.first_match_rank(flags))
        row: dict = {"form": form, "alpha": alpha, "dense_weight": weight, "mode": mode}
        for fold in sorted(set(folds)) + (["all"] if args.gold else []):
            mine = [r for r, f in zip(ranks, folds, strict=True) if fold in (f, "all")]
            row[fold] = {
                "mrr@10": round(m.mrr_at(mine, 10), 3),
                "recall@5": round(m.recall_at(mine, 5), 3),
            }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
