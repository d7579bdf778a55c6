"""Check a gold file mechanically against the corpus it is about.

    .venv/bin/python eval/check_gold.py [FILE] [--corpus DIR]

Checks, per item: the format (rag.evaluation.gold.load_gold: keys, types, unique ids); each gold doc
exists in the corpus; each question number exists in that document; every must_mention group
has a string that occurs (case-insensitive, whitespace normalised) in the text of at least
one gold unit; the question shares no run of RUN or more words with the question text of any
gold unit (a paraphrase, not the Vraag's own wording); unanswerable items have no gold and no
must_mention. Prints one line per problem and exits 1 if there is any; else prints counts.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from rag.errors import RagError  # noqa: E402
from rag.evaluation.gold import GoldItem, load_gold  # noqa: E402
from rag.parsing import SUFFIXES, parse_file  # noqa: E402
from rag.types import Unit  # noqa: E402

RUN = 5
KST = re.compile(r"\d{2} \d{3}(?:-\w+)?, nr\. \d+|kst-")


def words(text: str) -> list[str]:
    """Lowercased words without punctuation."""
    return re.findall(r"\w+", text.lower())


def shared_run(a: str, b: str, n: int = RUN) -> str | None:
    """The first run of n consecutive words of a that also occurs in b (None if none)."""
    wa, wb = words(a), words(b)
    grams = {tuple(wb[i : i + n]) for i in range(len(wb) - n + 1)}
    for i in range(len(wa) - n + 1):
        if tuple(wa[i : i + n]) in grams:
            return " ".join(wa[i : i + n])
    return None


def norm(text: str) -> str:
    return " ".join(text.lower().split())


def gold_units(item: GoldItem, docs: dict[str, list[Unit]]) -> tuple[list[Unit], list[str]]:
    """The units that match the item's gold entries, and problems with the entries."""
    units, problems = [], []
    for ref in item.gold:
        if ref.doc not in docs:
            problems.append(f"gold doc {ref.doc} is not in the corpus")
            continue
        found = [u for u in docs[ref.doc] if ref.matches(u.doc, u.vraag)]
        if not found:
            problems.append(f"{ref.doc} has no question numbered {list(ref.vraag or [])}")
        if ref.vraag:
            have = {n for u in docs[ref.doc] for n in (u.vraag or ())}
            missing = sorted(set(ref.vraag) - have)
            if missing:
                problems.append(f"{ref.doc} has no question(s) {missing}")
        units += found
    return units, problems


def check_item(item: GoldItem, docs: dict[str, list[Unit]]) -> list[str]:
    """Every problem of one item, as text."""
    if not item.answerable:
        bad = item.gold or item.must_mention
        return ["an unanswerable item must have empty gold and must_mention"] if bad else []
    if not item.gold:
        return ["an answerable item needs at least one gold entry"]
    units, problems = gold_units(item, docs)
    texts = [norm(u.text + " " + " ".join(f.text for f in u.footnotes)) for u in units]
    for group in item.must_mention:
        if not any(norm(s) in t for s in group for t in texts):
            problems.append(f"must_mention group {list(group)} occurs in no gold unit")
    for unit in units:
        run = shared_run(item.question, unit.question or unit.text)
        if run:
            problems.append(f"question repeats the wording of {unit.unit_id}: '{run}'")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=str(HERE / "dev.jsonl"))
    parser.add_argument("--corpus", default=str(HERE.parent / "corpus"))
    args = parser.parse_args(argv)
    try:
        items = load_gold(args.file)
    except RagError as exc:
        print(f"{args.file}: {exc}")
        return 1
    files = sorted(p for p in Path(args.corpus).iterdir() if p.suffix.lower() in SUFFIXES)
    docs = {p.stem: list(parse_file(p).units) for p in files}
    problems = [f"{i.id}: {p}" for i in items for p in check_item(i, docs)]
    for line in problems:
        print(line)
    if problems:
        return 1
    print(summary(items))
    return 0


def counts(items: list[GoldItem]) -> dict[str, Any]:
    """Items per document (first gold entry), per language, unanswerable, Kamerstuk answers."""
    return {
        "items": len(items),
        "per_doc": dict(sorted(Counter(i.gold[0].doc for i in items if i.gold).items())),
        "languages": dict(Counter(i.lang for i in items)),
        "unanswerable": sum(not i.answerable for i in items),
        "kamerstuk": sum(any(KST.search(s) for g in i.must_mention for s in g) for i in items),
    }


def summary(items: list[GoldItem]) -> str:
    """The counts as text, one line each."""
    c = counts(items)
    lines = [f"{c['items']} items, all checks passed"]
    lines += [f"  {doc}: {n}" for doc, n in c["per_doc"].items()]
    lines.append(f"  languages: {c['languages']}")
    lines.append(f"  unanswerable: {c['unanswerable']}")
    lines.append(f"  answer is a Kamerstuk: {c['kamerstuk']}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
