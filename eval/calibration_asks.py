"""Check the rules of rag/answering/asks.py (an amount of money or of a measure is answered
only from a unit that speaks of it) on answers they were not written from: the 2,033 real
Kamervragen and their answers.

A member's question often holds several questions; each one that asks an amount of money
(asks_money) or of a measure (asks_measure), not as a conditional follow-up ("Zo ja, voor
welk bedrag?"), is counted once per row, unless the answer only refers to another one ("Zie
het antwoord op vraag 2."). The figure is the share of those answers that can give it
(asks.can_give): the rules would refuse the rest when they were the only evidence.

    .venv/bin/python eval/calibration_asks.py ../shared/data/kamervragen-qa-2033.csv [--json]
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.answering.asks import asks_measure, asks_money, can_give  # noqa: E402

QUESTIONS = re.compile(r"(?<=\?)\s+")
CONDITIONAL = re.compile(r"\b(zo ?ja|zo ?nee|indien ja|if so|if not)\b", re.IGNORECASE)
REFERENCE = re.compile(r"^\s*(zie|see)\b", re.IGNORECASE)


def kind_of(question: str) -> str | None:
    """ "money", the unit of measure asked, or None."""
    return "money" if asks_money(question) else asks_measure(question)


def rows_asking(path: Path) -> list[dict]:
    """The rows with a question asking an amount, and whether the answer can give it."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            asked = [
                q
                for q in QUESTIONS.split(" ".join(row["anchor"].split()))
                if kind_of(q) and not CONDITIONAL.search(q)
            ]
            answer = " ".join(row["positive"].split())
            if asked and not REFERENCE.match(answer):
                test = can_give(asked[0])
                gives = test is not None and test(answer)
                out.append({"kind": kind_of(asked[0]), "question": asked[0], "gives": gives,
                            "answer": answer[:200]})  # fmt: skip
    return out


def main() -> None:
    rows = rows_asking(Path(sys.argv[1]))
    counts: dict[str, list[int]] = {}  # "money" / "measure" -> [can give it, cannot]
    for r in rows:
        tally = counts.setdefault("money" if r["kind"] == "money" else "measure", [0, 0])
        tally[0 if r["gives"] else 1] += 1
    if "--json" in sys.argv:
        print(json.dumps({"counts": counts, "items": rows}, ensure_ascii=False, indent=1))
        return
    for kind, (gives, not_gives) in sorted(counts.items()):
        print(f"{kind}: {gives + not_gives} answers to a question asking it, {gives} can give it")
    for r in rows:
        if not r["gives"]:
            print(f"  {r['kind']}: {r['question'][:90]!r} -> {r['answer'][:110]!r}")


if __name__ == "__main__":
    main()
