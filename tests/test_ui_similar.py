"""`rag similar` names earlier questions the way the page does: by the address to cite,
never by the internal document key (which --json keeps for programs)."""

from __future__ import annotations

import json
import re

import pytest

from rag.cli.main import main

pytestmark = pytest.mark.slow
ASKED = "Heeft Nederland testkits van BGI gekocht?"


def test_similar_prints_addresses_and_json_keeps_the_keys(shipped_index, capsys) -> None:
    assert main(["similar", ASKED, "--index", str(shipped_index), "-k", "3"]) == 0
    out = capsys.readouterr().out
    assert " 1. Antwoord 8 op Kamervragen 2021Z13647 (lid Kerseboom, FvD), 2021" in out
    assert not re.search(r"\b00\d_[0-9a-f]{16}\b", out), out  # no internal keys
    assert main(["similar", ASKED, "--index", str(shipped_index), "-k", "3", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["doc"] == "001_f07640d600ade888" and rows[0]["unit_id"].endswith("#v8")
    assert rows[0]["address"].startswith("Antwoord 8 op Kamervragen 2021Z13647")
