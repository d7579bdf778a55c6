"""eval/check_gold.py passes on the development set and catches each kind of defect."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from rag.settings import REPO

spec = importlib.util.spec_from_file_location("check_gold", REPO / "eval" / "check_gold.py")
check_gold = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_gold)

A = "001_f07640d600ade888"
GOOD = {
    "id": "t1", "question": "Heeft de regering Chinese testkits gekocht?", "lang": "nl",
    "answerable": True, "gold": [{"doc": A, "vraag": [8]}], "must_mention": [["BGI"]],
    "reference_answer": "Vier, voor een vergelijkingstest.",
}  # fmt: skip


def run(tmp_path: Path, capsys, **changes) -> tuple[int, str]:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({**GOOD, **changes}) + "\n", encoding="utf-8")
    code = check_gold.main([str(path)])
    return code, capsys.readouterr().out


def test_development_set_passes_and_is_large_enough(capsys) -> None:
    assert check_gold.main([]) == 0
    out = capsys.readouterr().out
    total = int(out.split()[0])
    assert total >= 60
    assert "unanswerable: " in out and int(out.split("unanswerable: ")[1].split()[0]) >= 8


def test_a_good_item_passes(tmp_path, capsys) -> None:
    assert run(tmp_path, capsys)[0] == 0


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"gold": [{"doc": A, "vraag": [999]}]}, "has no question(s) [999]"),
        ({"gold": [{"doc": "nope", "vraag": [1]}]}, "gold doc nope is not in the corpus"),
        ({"must_mention": [["zebra"]]}, "occurs in no gold unit"),
        ({"question": "Heeft Nederland COVID-19-testkits van de BGI Group aangeschaft?"},
         "repeats the wording"),
        ({"answerable": False}, "unanswerable item has empty"),
        ({"gold": []}, "needs at least one \"gold\" entry"),
        ({"lang": "fr"}, "lang"),
    ],
)  # fmt: skip
def test_each_defect_is_reported(tmp_path, capsys, changes, problem) -> None:
    code, out = run(tmp_path, capsys, **changes)
    assert code == 1 and problem in out
