"""The support check's facts and negation rules on answers nobody here wrote: each sentence
(at least six words) of the 2,033 real Kamervragen answers checked against its own answer,
as written ("copy": nothing may reject it) and with its negation flipped as the calibration
set flips it ("negation": removed, or "niet"/"not" inserted after the first verb; the
check must reject it). Only the check's verdicts before thresholds are counted (a copy is
always close in meaning): how many copies pass them and how many flipped copies do.

    .venv/bin/python eval/negation_qa.py ../shared/data/kamervragen-qa-2033.csv
        [--rows 0:2033] [--cache DIR] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from calibration_pairs import flip_negation  # noqa: E402
from calibration_support import Memo  # noqa: E402

from rag.analysis.sentences import split_sentences  # noqa: E402
from rag.answering.choose import SentenceVectors  # noqa: E402
from rag.answering.support import SupportChecker  # noqa: E402
from rag.embedders.e5 import E5Embedder  # noqa: E402
from rag.evaluation.qa_bench import load_pairs, qa_units  # noqa: E402

MIN_WORDS = 6  # shorter sentences are mostly "Ja." or a reference to another answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("csv", help="the 2,033-pair CSV (../shared/data/kamervragen-qa-2033.csv)")
    parser.add_argument("--rows", default="0:2033", help="a slice of the rows, e.g. 0:1000")
    parser.add_argument("--cache", default="/tmp/rag-negation-qa", help="embedding cache folder")
    parser.add_argument("--json", help="write every checked sentence with its verdict here")
    args = parser.parse_args()
    start, end = (int(x) for x in args.rows.split(":"))
    pairs = load_pairs(args.csv)
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    memo = Memo(E5Embedder(threads=1), cache / "query_vectors.json")
    checker = SupportChecker(SentenceVectors(memo))
    counts = {"copy": [0, 0], "negation": [0, 0]}
    rows = []
    for pair, unit in zip(pairs[start:end], qa_units(pairs)[start:end], strict=True):
        for sentence in split_sentences(unit.answer):
            if len(sentence.split()) < MIN_WORDS:
                continue
            for kind, text in (("copy", sentence), ("negation", flip_negation(sentence))):
                if not text or (kind == "negation" and text == sentence):
                    continue
                reason = checker.signals(text, unit, pair.question).reason
                counts[kind][0] += 1
                counts[kind][1] += not reason
                rows.append({"row": pair.row, "kind": kind, "sentence": text, "reason": reason})
    memo.save()
    for kind, (n, passed) in counts.items():
        print(f"{kind:9} {passed:5}/{n:<5} pass the facts and negation rules ({passed / n:.4f})")
    if args.json:
        Path(args.json).write_text(json.dumps({"counts": counts, "rows": rows}, indent=0))


if __name__ == "__main__":
    main()
