"""The long-question settings (`retrieval.answer_weight`, `retrieval.long_question_words`)
chosen on fold A of two sets and reported on their folds B and on a third set, through the
product's retriever:

- `eval/dev.jsonl` (short user questions on the shipped corpus), its folds A / B;
- the members' own questions of the shipped corpus against its answers alone
  (`eval/member_pairs.py`), folds by `fold_of(f"member-{row}")`;
- optionally the 2,033-pair set (`--qa-csv`), which only reports.

The choice: the best member fold A MRR@10 among the settings that keep dev fold A at the
figure of the setting that is off (ties: the smaller weight, then the longer minimum).

    .venv/bin/python eval/member_pairs.py --index index /tmp/member.csv
    .venv/bin/rag eval --qa-csv /tmp/member.csv --index /tmp/member-index   # builds it
    .venv/bin/python eval/tune_long.py --index index --member-csv /tmp/member.csv
        --member-index /tmp/member-index [--qa-csv ../shared/data/kamervragen-qa-2033.csv
        --qa-index DIR] [--settings F] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering.side import open_query_side  # noqa: E402
from rag.evaluation import metrics as m  # noqa: E402
from rag.evaluation import qa_bench  # noqa: E402
from rag.evaluation.gold import fold_of, load_gold  # noqa: E402
from rag.settings import Settings  # noqa: E402

WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
MIN_WORDS = (0, 12, 15, 18, 20, 25, 30)


class Set:
    """One question set over its index: per setting, the first relevant rank of each item."""

    def __init__(self, settings: Settings, index: str, texts: list[str], match, folds) -> None:  # noqa: ANN001
        side = open_query_side(settings.override("index", dir=index), prefetch=texts)
        self.retriever, self.base = side.retriever, settings.retrieval
        self.queries = [self.retriever.analyse(t) for t in texts]
        self.match, self.folds = match, folds

    def mrr(self, weight: float, words: int) -> dict[str, float]:
        self.retriever.settings = replace(
            self.base, answer_weight=weight, long_question_words=words
        )
        ranks = []
        for i, query in enumerate(self.queries):
            hits = self.retriever.search(query, k=qa_bench.DEPTH)
            ranks.append(m.first_match_rank([self.match(i, h) for h in hits]))
        out = {"all": round(m.mrr_at(ranks, 10), 4)}
        for fold in sorted(set(self.folds) - {"all"}):
            mine = [r for r, f in zip(ranks, self.folds, strict=True) if f == fold]
            out[fold] = round(m.mrr_at(mine, 10), 4)
        return out


def csv_set(settings: Settings, csv: str, index: str, fold_name: str | None) -> Set:
    pairs = qa_bench.load_pairs(csv)
    relevant = qa_bench.relevant_ids(pairs)
    folds = [fold_of(f"{fold_name}-{p.row}") if fold_name else "all" for p in pairs]
    return Set(
        settings, index, [p.question for p in pairs],
        lambda i, h: h.unit.unit_id in relevant[pairs[i].row], folds,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--index", default="index", help="index of the shipped corpus")
    parser.add_argument("--gold", default="eval/dev.jsonl")
    parser.add_argument("--member-csv", required=True, help="from eval/member_pairs.py")
    parser.add_argument("--member-index", required=True, help="its index (rag eval --qa-csv)")
    parser.add_argument("--qa-csv", help="the 2,033-pair CSV (reports only)")
    parser.add_argument("--qa-index", help="its index folder")
    parser.add_argument("--settings")
    parser.add_argument("--json", help="write the grid and the choice here")
    args = parser.parse_args()
    settings = Settings.load(args.settings)
    items = [g for g in load_gold(args.gold) if g.answerable]
    sets = {
        "dev": Set(
            settings,
            args.index,
            [g.question for g in items],
            lambda i, h: items[i].matches(h.unit.doc, h.unit.vraag),
            [g.fold for g in items],
        ),  # fmt: skip
        "member": csv_set(settings, args.member_csv, args.member_index, "member"),
    }
    if args.qa_csv:
        sets["qa2033"] = csv_set(settings, args.qa_csv, args.qa_index, None)
    grid = []
    for weight in WEIGHTS:
        for words in MIN_WORDS if weight else (0,):
            row = {"answer_weight": weight, "long_question_words": words}
            row.update({name: s.mrr(weight, words) for name, s in sets.items()})
            grid.append(row)
            print(json.dumps(row), flush=True)
    off = grid[0]["dev"]["A"]
    allowed = [r for r in grid if r["dev"]["A"] >= off]
    best = max(
        allowed,
        key=lambda r: (r["member"]["A"], -r["answer_weight"], r["long_question_words"]),
    )
    print(json.dumps({"chosen": best}))
    if args.json:
        Path(args.json).write_text(json.dumps({"grid": grid, "chosen": best}, indent=1) + "\n")


if __name__ == "__main__":
    main()
