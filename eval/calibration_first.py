"""Which passing unit to quote first: the retriever's order, or the unit with the best sentence?

The pipeline quotes the passing hits in the retriever's order. On fold B several answers
cite the unit ranked first while the gold unit, ranked second, holds the sentence closest to
the question. This replays two rules that put such a unit first, over a grid chosen on fold A,
and prints both folds beside the shipped order (features of eval/calibration_features.py):

- swap: among the first K passing hits whose strength is within DELTA of the first's, the
  one whose best sentence (cosine with the question) is highest goes first, when it beats
  the first's best sentence by MARGIN; with --keep the displaced unit is still cited beside;
- score: the first K passing hits ranked by strength + W x best sentence - R x passing rank.

    .venv/bin/python eval/calibration_first.py /tmp/lead/features.json
    .venv/bin/python eval/calibration_first.py /tmp/lead/features_pdfs.json --unseen
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_quote import replay, rounded, summary  # noqa: E402

from rag.answering.choose import ChoiceSettings  # noqa: E402
from rag.answering.gate import GateSettings, passes, strength  # noqa: E402

GATE, CHOICE = GateSettings(), ChoiceSettings()
SHOWN = {"citation_precision": "precision", "citation_recall": "recall",
         "must_mention_recall": "must-mention", "words_p50": "words p50"}  # fmt: skip


def power(h: dict) -> float:
    return strength(h["coverage"], h["dense"], h["question"], GATE)


def best(h: dict) -> float:
    return max(h["cosine"], default=0.0)


def passing(item: dict) -> list[int]:
    lang = item.get("lang", "nl")
    return [
        i for i, h in enumerate(item["hits"])
        if passes(h["coverage"], h["dense"], h["question"], GATE, lang)
    ]  # fmt: skip


def first(item: dict, j: int) -> dict:
    """The item with hit j moved to the front (the gate reads each hit on its own)."""
    hits = list(item["hits"])
    hits.insert(0, hits.pop(j))
    return {**item, "hits": hits}


def swap(item: dict, k: int, delta: float, margin: float) -> dict:
    ok = passing(item)
    if len(ok) < 2:
        return item
    top = item["hits"][ok[0]]
    near = [i for i in ok[:k] if power(item["hits"][i]) >= power(top) - delta]
    j = max(near, key=lambda i: best(item["hits"][i]))
    if j == ok[0] or best(item["hits"][j]) < best(top) + margin:
        return item
    return first(item, j)


def scored(item: dict, k: int, w: float, r: float) -> dict:
    ok = passing(item)
    if len(ok) < 2:
        return item
    hits = item["hits"]
    j = max(ok[:k], key=lambda i: power(hits[i]) + w * best(hits[i]) - r * ok.index(i))
    return item if j == ok[0] else first(item, j)


def figures(items: list[dict], rule=None, keep: bool = False) -> str:  # noqa: ANN001
    out = []
    for item in items:
        moved = rule(item) if rule else item
        if keep and moved is not item:  # the displaced unit is still cited beside
            moved = {**moved, "beside": item["hits"][passing(item)[0]]["unit_id"]}
        out.append((item, replay(moved, GATE, CHOICE)))
    f = rounded(summary(out))
    return " ".join(f"{label} {f[key]}" for key, label in SHOWN.items())


def main() -> None:
    items = json.loads(Path(sys.argv[1]).read_text())
    folds = {f: [i for i in items if i["fold"] == f] for f in ("A", "B")}
    if "--unseen" in sys.argv:  # features of another corpus: all its items as one fold, P
        folds = {"P": items}

    def show(name: str, rule=None, keep: bool = False) -> None:  # noqa: ANN001
        print(name, " | ".join(f"{f}: {figures(part, rule, keep)}" for f, part in folds.items()))

    show("shipped (the retriever's order, choose.quote_order)")
    for k, delta, margin in itertools.product((2, 3, 5), (0.01, 0.02, 0.03, 0.04), (0.0, 0.01)):
        rule = lambda i, k=k, d=delta, m=margin: swap(i, k, d, m)  # noqa: E731
        show(f"swap K={k} delta={delta} margin={margin}", rule)
        show(f"swap K={k} delta={delta} margin={margin} --keep", rule, keep=True)
    for k, w, r in itertools.product((2, 5), (0.25, 0.5, 1.0, 2.0), (0.0, 0.01, 0.02)):
        show(f"score K={k} W={w} R={r}", lambda i, k=k, w=w, r=r: scored(i, k, w, r))


if __name__ == "__main__":
    main()
