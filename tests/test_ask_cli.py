"""`rag ask` end to end on the shipped corpus: quoting answers, refusals, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.cli.main import main
from rag.settings import REPO

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def index(shipped_index: Path) -> Path:
    """The shipped corpus indexed with the real embedder (once per session)."""
    return shipped_index


def ask(index: Path, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["ask", *args, "--index", str(index), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_quote_answer_cites_antwoord_8_with_its_address(index, capsys) -> None:
    out = ask(index, capsys, "Heeft het kabinet testkits van BGI gekocht?", "--mode", "quote")
    assert not out["refused"] and out["mode_used"] == "quote"
    first = out["citations"][0]
    assert first["unit_id"] == "001_f07640d600ade888#v8"
    assert first["address"].startswith("Antwoord 8 op Kamervragen 2021Z13647 (lid Kerseboom")
    assert "BGI" in out["answer"]
    # the whole answer text stays available, with the quoted sentences marked
    assert first["quoted"] and all(q in first["text"] for q in first["quote"].split(" … "))
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", out["answer"])}
    assert markers == {c["n"] for c in out["citations"]}


def test_quotes_are_verbatim_text_of_the_cited_unit(index, capsys) -> None:
    out = ask(index, capsys, "Welke rol speelt Huawei in het 5G-netwerk?", "--mode", "quote")
    from rag.index.load import load_index

    texts = [u.text for u in load_index(index).units.values()]
    quotes = re.findall(r"«(.*?)»", out["answer"], re.S)
    assert quotes
    for quote in quotes:
        for part in quote.split(" … "):
            assert any(part in text for text in texts)


def test_question_about_something_absent_is_refused(index, capsys) -> None:
    out = ask(index, capsys, "Heeft Nederland TikTok verboden op telefoons van ambtenaren?")
    assert out["refused"] and out["mode_used"] == "refuse" and out["citations"] == []
    refusal = (REPO / "prompts" / "refusal_nl.txt").read_text().strip()
    assert out["answer"] == refusal


def test_english_question_gets_english_framing(index, capsys) -> None:
    out = ask(index, capsys, "Did the government buy test kits from BGI?", "--mode", "quote")
    assert out["lang"] == "en" and not out["refused"]
    assert out["answer"].startswith((REPO / "prompts" / "quote_intro_en.txt").read_text().strip())


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["   "], "the question is empty"),
        (["Wat?", "--model", "/nonexistent.gguf"], "model file /nonexistent.gguf not found"),
        (["Wat?", "-k", "0"], "-k 0 must be"),
    ],
)
def test_bad_input_is_a_one_line_error(index, capsys, argv, needle) -> None:
    assert main(["ask", *argv, "--index", str(index)]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err


def test_a_file_that_is_not_a_gguf_is_refused(index, capsys, tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model")
    assert main(["ask", "Wat?", "--model", str(fake), "--index", str(index)]) == 2
    assert "is not a GGUF model file" in capsys.readouterr().err


def test_generate_shows_the_quote_while_the_model_loads_beside_it(index) -> None:
    """In a real process the model loads in a thread that silences stdout; the quote,
    written meanwhile, must still reach the user, followed by the sources."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "rag", "ask", "Heeft het kabinet testkits van BGI gekocht?",
           "--index", str(index)]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    intro = (REPO / "prompts" / "quote_intro_nl.txt").read_text().strip()
    assert out.stdout.startswith(intro + "\n«") and "BGI" in out.stdout
    assert "\n\nBronnen:\n[1] Antwoord 8 op Kamervragen 2021Z13647" in out.stdout
    assert out.stderr == ""
    as_json = subprocess.run([*cmd, "--json"], capture_output=True, text=True, timeout=300)
    answer = json.loads(as_json.stdout)
    assert answer["asked_at"] > 0 and answer["mode_used"] in ("quote", "generate")
    assert 0 < answer["timings"]["first_text"] < answer["timings"]["first_token"]
