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
DEV_ITEMS = check_gold.load_gold(REPO / "eval" / "dev.jsonl")


def run(tmp_path: Path, capsys, **changes) -> tuple[int, str]:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps({**GOOD, **changes}) + "\n", encoding="utf-8")
    code = check_gold.main([str(path)])
    return code, capsys.readouterr().out


def test_development_set_passes_and_has_the_required_mix(capsys) -> None:
    assert check_gold.main([]) == 0
    assert capsys.readouterr().out.startswith(f"{len(DEV_ITEMS)} items, all checks passed")
    c = check_gold.counts(DEV_ITEMS)
    assert c["items"] >= 60 and c["unanswerable"] >= 10 and c["kamerstuk"] >= 6
    assert c["languages"]["en"] >= 12
    assert len(c["per_doc"]) == 5 and min(c["per_doc"].values()) >= 4
    assert max(c["per_doc"], key=c["per_doc"].get) == A  # the 112-question document leads


def test_a_defect_in_the_file_itself_is_one_line_and_exit_1(tmp_path, capsys) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n", encoding="utf-8")
    assert check_gold.main([str(path)]) == 1
    assert "line 2: id 't1' repeats line 1" in capsys.readouterr().out
    path.write_text(json.dumps(GOOD)[:-1] + "\n", encoding="utf-8")
    assert check_gold.main([str(path)]) == 1
    assert "line 1: not valid JSON" in capsys.readouterr().out


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
        ({"extra": 1}, "unknown keys ['extra']"),
        ({"must_mention": [["32 761, nr. 152"]]}, "occurs in no gold unit"),  # footnote of v22
    ],
)  # fmt: skip
def test_each_defect_is_reported(tmp_path, capsys, changes, problem) -> None:
    code, out = run(tmp_path, capsys, **changes)
    assert code == 1 and problem in out
