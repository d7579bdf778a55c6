"""The members' own questions of an index as a question/answer CSV in the format of the
2,033-pair benchmark (columns anchor, positive): every unit with both a Vraag and an
Antwoord gives a row. `rag eval --qa-csv OUT` then searches each Vraag among the answers
alone, as the benchmark does, on the team's own documents instead of the 2,033 set: long
member questions, which `eval/dev.jsonl` (short user questions) does not have.

    .venv/bin/python eval/member_pairs.py --index index OUT.csv
    .venv/bin/rag eval --qa-csv OUT.csv --index /tmp/member-index --retrieval all --json
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.index.load import load_index  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", help="CSV to write")
    parser.add_argument("--index", default="index", help="index folder (default: ./index)")
    args = parser.parse_args()
    units = [u for u in load_index(args.index).units.values() if u.question and u.answer]
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["", "anchor", "positive", "negative"])
        for row, unit in enumerate(units):
            writer.writerow([row, unit.question, unit.answer, ""])
    print(f"{args.out}: {len(units)} question/answer pairs from {args.index}")


if __name__ == "__main__":
    main()
