"""The gold file format: valid lines load, malformed lines name file, line and fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.evaluation.gold import GoldRef, load_gold

REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "eval" / "dev.jsonl"

GOOD = {
    "id": "d01",
    "question": "Welke rol speelt BGI bij de testkits?",
    "lang": "nl",
    "answerable": True,
    "gold": [{"doc": "001_f07640d600ade888", "vraag": [8]}],
    "must_mention": [["BGI"], ["testkit", "test kits"]],
    "reference_answer": "BGI leverde testkits.",
}
UNANSWERABLE = {
    **GOOD,
    "id": "u01",
    "question": "Hoeveel inwoners heeft Lima?",
    "answerable": False,
    "gold": [],
    "must_mention": [],
}


def write(tmp_path: Path, *objs: object) -> Path:
    path = tmp_path / "gold.jsonl"
    lines = [o if isinstance(o, str) else json.dumps(o) for o in objs]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_valid_file_loads_with_types(tmp_path: Path) -> None:
    letter = {**GOOD, "id": "d02", "gold": [{"doc": "003_54dab813ef9c6552", "vraag": None}]}
    items = load_gold(write(tmp_path, GOOD, "", UNANSWERABLE, letter))
    assert [i.id for i in items] == ["d01", "u01", "d02"]
    assert items[0].gold == (GoldRef("001_f07640d600ade888", (8,)),)
    assert items[0].must_mention == (("BGI",), ("testkit", "test kits"))
    assert items[1].answerable is False and items[1].gold == ()
    assert items[2].matches("003_54dab813ef9c6552", None)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "not a JSON object"),
        ({k: v for k, v in GOOD.items() if k != "lang"}, "missing keys \\['lang'\\]"),
        ({**GOOD, "answer": "x"}, "unknown keys \\['answer'\\]"),
        ({**GOOD, "lang": "de"}, '"lang" must be one of nl, en'),
        ({**GOOD, "answerable": "yes"}, '"answerable" must be true or false'),
        ({**GOOD, "gold": [{"doc": "001_f07640d600ade888", "vraag": 8}]}, '"vraag" must be null'),
        ({**GOOD, "gold": [{"doc": "001_f07640d600ade888"}]}, 'exactly "doc" and "vraag"'),
        ({**GOOD, "gold": []}, "needs at least one"),
        ({**GOOD, "must_mention": ["BGI"]}, '"must_mention" must be a list of non-empty lists'),
        ({**UNANSWERABLE, "must_mention": [["x"]]}, 'unanswerable item has empty "gold"'),
    ],
)
def test_malformed_line_names_file_line_and_fix(tmp_path: Path, line, problem) -> None:
    path = write(tmp_path, UNANSWERABLE, line, GOOD)
    with pytest.raises(
        RagError, match=f"{re.escape(str(path))}, line 2: .*{problem}.*; fix that line"
    ):
        load_gold(path)


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="line 3: id 'd01' repeats line 1"):
        load_gold(write(tmp_path, GOOD, UNANSWERABLE, GOOD))


def test_missing_and_empty_files_name_the_fix(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="not found; pass an existing JSONL file with --gold"):
        load_gold(tmp_path / "nope.jsonl")
    with pytest.raises(RagError, match="holds no items"):
        load_gold(write(tmp_path, ""))


def test_development_gold_file_is_valid_and_every_entry_matches_a_real_unit() -> None:
    """eval/dev.jsonl loads, and each gold entry matches at least one parsed unit."""
    from rag.parsing import parse_file

    items = load_gold(DEV)
    docs = {p.stem: parse_file(p) for p in sorted((REPO / "corpus").glob("*.txt"))}
    assert len(items) >= 8 and any(not i.answerable for i in items)
    for it in items:
        for ref in it.gold:
            assert ref.doc in docs, f"{it.id}: unknown document {ref.doc}"
            units = docs[ref.doc].units
            assert any(ref.matches(u.doc, u.vraag) for u in units), f"{it.id}: no unit {ref}"
