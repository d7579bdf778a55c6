"""The support check's calibration set, from the development gold, and its confusion matrix.

Positives ("faithful"): each sentence of a gold `reference_answer` against its gold unit.
Negatives: the same sentence against the most similar other unit ("misattributed"), and
perturbed copies against the gold unit: a number changed ("number"), the negation flipped
("negation"), a proper name swapped for one from another answer ("name"), a Kamerstuk or
kenmerk number changed ("kamerstuk"), the claim of the next item about another unit
appended ("appended"); a swapped-in name is one the gold unit does not name. Each pair
also has a rival, the other source of a simulated prompt (the gold unit for a misattributed
pair, the most similar other unit for the rest), for the attribution check. The pairs are
built by eval/calibration_pairs.py. Thresholds are chosen on fold A (the fold of an item:
first byte of sha256(id) even -> A), once for the check per source alone and once with
attribution, and the matrix is reported per fold and kind.

    .venv/bin/python eval/calibration_support.py [--gold eval/dev.jsonl] [--cache DIR]
        [--json OUT] [--any-neighbour] [--any-name]
        [--unseen ../shared/data/aanhangsel-pdfs [--unseen-gold eval/pdfs.jsonl]]

With --unseen, the pairs of the unseen PDFs' gold are scored too and reported as fold P:
documents and questions the check's rules were never written on.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from calibration_features import load_vectors, save_vectors  # noqa: E402
from calibration_pairs import build  # noqa: E402

from rag.answering.choose import SentenceVectors  # noqa: E402
from rag.answering.support import (  # noqa: E402
    Support,
    SupportChecker,
    SupportSettings,
    accepts,
    attributed,
    is_english,
    strength,
)  # fmt: skip
from rag.embedders.e5 import E5Embedder  # noqa: E402


class Memo:
    """The embedder with its query vectors, and the passage vectors of the source clauses
    the negation check compares with, kept on disk between calibration runs."""

    def __init__(self, embedder: E5Embedder, path: Path) -> None:
        self.embedder, self.dim, self.path = embedder, embedder.dim, path
        self.clause_path = path.with_name("clause_vectors.json")
        self.seen = {"query": _load(path), "passage": _load(self.clause_path)}

    def embed(self, texts: list[str], kind: str):  # noqa: ANN201
        seen = self.seen[kind]
        todo = [t for t in texts if t not in seen]
        for t, v in zip(todo, self.embedder.embed(todo, kind), strict=True):
            seen[t] = [round(float(x), 6) for x in v]
        return np.array([seen[t] for t in texts], dtype=np.float32).reshape(-1, self.dim)

    def save(self) -> None:
        self.path.write_text(json.dumps(self.seen["query"]))
        self.clause_path.write_text(json.dumps(self.seen["passage"]))


def _load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {}


def score(pairs: list[dict], checker: SupportChecker) -> list[dict]:
    """Each pair with the check's signals (facts and negation decide before thresholds)."""
    out = []
    for p in pairs:
        s = checker.signals(p["sentence"], p["unit"], p["question"])
        r = checker.signals(p["sentence"], p["rival"], p["question"])
        out.append({**p, "unit": p["unit"].unit_id, "gate": not s.reason,
                    "cosine": round(s.cosine, 5), "lexical": round(s.lexical, 4),
                    "english": is_english(p["sentence"], p["question"]),
                    "positions": list(s.positions), "reason": s.reason,
                    "rival": p["rival"].unit_id, "rival_gate": not r.reason,
                    "rival_cosine": round(r.cosine, 5),
                    "rival_lexical": round(r.lexical, 4)})  # fmt: skip
    return out


def accepted(r: dict, settings: SupportSettings, attribution: bool = False) -> bool:
    """The check's verdict on a scored pair; with attribution, also against its rival."""
    ok = r["gate"] and accepts(_signals(r), settings)
    if not (ok and attribution):
        return bool(ok)
    rival = Support(
        r["rival_gate"], (), r["rival_cosine"], r["rival_lexical"], english=r["english"]
    )
    rival = replace(rival, ok=rival.ok and accepts(rival, settings))
    cited = replace(_signals(r), ok=True)
    mine, other = (replace(b, score=strength(b, settings)) for b in (cited, rival))
    return attributed([mine], [other], settings)[0]


def matrix(
    rows: list[dict], settings: SupportSettings, attribution: bool = False
) -> dict[str, dict[str, float]]:
    """Per fold and kind: pairs, accepted, share accepted."""
    table: dict = defaultdict(lambda: [0, 0])
    for r in rows:
        ok = accepted(r, settings, attribution)
        cell = table[(r["fold"], r["kind"])]
        cell[0] += 1
        cell[1] += ok
    return {f"{f} {k}": {"n": n, "accepted": a, "share": round(a / n, 3)}
            for (f, k), (n, a) in sorted(table.items())}  # fmt: skip


def _signals(r: dict) -> Support:
    return Support(False, (), r["cosine"], r["lexical"], english=r["english"])


GRID = {
    "score": [round(1.0 + 0.005 * i, 3) for i in range(161)],  # Dutch and English bars
    "lexical_weight": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0],  # the second signal
    "attribution_margin": [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5],
}


def _counts(rows: list[dict], w: float, m: float | None, kinds: list[str]) -> np.ndarray:
    """(kind, language, bar) -> pairs of fold A accepted (with attribution at margin m
    unless None), for every bar of the grid (a rival is held to its pair's bar)."""
    bars = np.array(GRID["score"])
    out = np.zeros((len(kinds), 2, len(bars)))
    for r in rows:
        mine = r["cosine"] + w * r["lexical"]
        rival = r["rival_cosine"] + w * r["rival_lexical"]
        rival_ok = r["rival_gate"] & (rival >= bars) & (m is not None)
        ok = (mine >= bars) & (~rival_ok | (mine >= rival - (m or 0.0)))
        out[kinds.index(r["kind"]), int(r["english"])] += ok
    return out


def tune(rows: list[dict], attribution: bool = True) -> SupportSettings:
    """The settings on fold A (with attribution or without): the most faithful accepted while every
    negative kind is rejected at >= 0.97 (or, where no setting reaches that, at the best
    rate any reaches), then the fewest negatives accepted; among equals the strictest bars
    and the widest margin (it keeps a second marker whose source says it about as well)."""
    train = [r for r in rows if r["fold"] == "A" and r["gate"]]
    kinds = sorted({r["kind"] for r in rows})
    n = np.array([sum(r["fold"] == "A" and r["kind"] == k for r in rows) for k in kinds])
    neg = np.array([k != "faithful" for k in kinds])
    bars = np.array(GRID["score"])
    tried = []
    for w in GRID["lexical_weight"]:
        for m in GRID["attribution_margin"] if attribution else [None]:
            c = _counts(train, w, m, kinds)
            total = c[:, 0, :, None] + c[:, 1, None, :]  # (kind, Dutch bar, English bar)
            worst = (total[neg] / n[neg, None, None]).max(axis=0)
            faithful = total[~neg].sum(axis=0)
            wrong = total[neg].sum(axis=0)
            for i, j in zip(*np.nonzero(worst <= max(0.03, worst.min())), strict=True):
                key = (faithful[i, j], -wrong[i, j], bars[i], bars[j], m or 0.0, w)
                tried.append((key, worst[i, j]))
    bar = max(0.03, min(t[1] for t in tried))
    best = max(t[0] for t in tried if t[1] <= bar)
    return SupportSettings(float(best[2]), float(best[5]), float(best[3]), float(best[4]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gold", default="eval/dev.jsonl")
    parser.add_argument("--json", help="write the scored pairs and the matrix here")
    parser.add_argument("--scored", help="reuse scored pairs from this file")
    parser.add_argument(
        "--any-neighbour",
        action="store_true",
        help="append the next item's claim even when "
        "it stands in the same unit (the construction before 2026-12-02)",
    )
    parser.add_argument(
        "--any-name",
        action="store_true",
        help="swap in the first name "
        "whatever the gold unit names (the construction before 2026-12-02 18:00)",
    )
    parser.add_argument("--cache", default="/tmp/rag-calibration", help="embedding cache folder")
    parser.add_argument(
        "--unseen",
        metavar="DIR",
        help="also measure (fold P, never chosen on) the pairs of --unseen-gold "
        "on these documents, e.g. ../shared/data/aanhangsel-pdfs",
    )
    parser.add_argument("--unseen-gold", default="eval/pdfs.jsonl")
    args = parser.parse_args()
    if args.scored and Path(args.scored).is_file():
        rows = json.loads(Path(args.scored).read_text())["rows"]
    else:
        cache = Path(args.cache)
        cache.mkdir(parents=True, exist_ok=True)
        memo = Memo(E5Embedder(threads=1), cache / "query_vectors.json")
        vectors = load_vectors(SentenceVectors(memo), cache / "sentence_vectors.npz")
        pairs, vocabulary, docs = build(args.gold, args.any_neighbour, args.any_name)
        if args.unseen:  # measured only: fold P plays no part in choosing
            more, words, headers = build(args.unseen_gold, args.any_neighbour, args.any_name,
                                         Path(args.unseen), "P")  # fmt: skip
            pairs, vocabulary, docs = pairs + more, vocabulary | words, {**docs, **headers}
        rows = score(pairs, SupportChecker(vectors, vocabulary=vocabulary, docs=docs))
        save_vectors(vectors, cache / "sentence_vectors.npz")
        vectors.embedder.save()
    alone, chosen = tune(rows, attribution=False), tune(rows)
    result = {"settings": chosen.__dict__, "per_source_settings": alone.__dict__,
              "matrix": matrix(rows, alone), "attribution": matrix(rows, chosen, True),
              "default": matrix(rows, SupportSettings()), "rows": rows}  # fmt: skip
    print(f"{'fold kind':24} {'per source':>10} {'+ attribution':>14}")
    for key, cell in result["matrix"].items():
        both = result["attribution"][key]
        print(f"{key:24} {cell['accepted']:4}/{cell['n']:<4} {cell['share']:.3f}"
              f"  {both['accepted']:4}/{both['n']:<4} {both['share']:.3f}")  # fmt: skip
    print("chosen per source:", alone)
    print("chosen with attribution:", chosen)
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
