"""The commands `rag index build|info`, `rag search` and `rag similar` on real seeds."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from index_helpers import HashEmbedder

from rag.cli.main import main
from rag.index.build import build_index
from rag.parsing import parse_file
from rag.settings import Settings

SMALL = ("002_6ae4c03786fa8873", "003_54dab813ef9c6552", "004_cf4a3fa9a5a68e27")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory, seed_paths):
    folder = tmp_path_factory.mktemp("cli") / "corpus"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(seed_paths[name], folder)
    return folder


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_bm25_search_and_info_never_load_the_embedder(small_corpus, tmp_path) -> None:
    folder = tmp_path / "index"
    settings = Settings().override("index", dir=str(folder))
    build_index([small_corpus], settings, HashEmbedder(), parse=parse_file)
    code = (
        "import json, sys; from rag.cli.main import main; "
        f"rc = main(['search', 'China mensenrechten', '--mode', 'bm25', '--index', '{folder}', "
        "'--json', '-k', '3']); "
        f"rc += main(['index', 'info', '--index', '{folder}']); "
        "heavy = [m for m in ('torch', 'sentence_transformers') if m in sys.modules]; "
        "print(json.dumps({'rc': rc, 'heavy': heavy}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    hits = [json.loads(line) for line in lines[:3]]
    assert json.loads(lines[-1]) == {"rc": 0, "heavy": []}
    assert [h["rank"] for h in hits] == [1, 2, 3]
    assert all("China" in h["text"] or "mensenrecht" in h["text"].lower() for h in hits)
    assert {"rank", "doc", "unit_id", "vraag", "label", "score", "text"} <= set(hits[0])
    assert any(line.startswith("counts    3 documents") for line in lines)


@pytest.mark.slow
def test_build_search_similar_info_with_the_real_embedder(small_corpus, tmp_path, capsys):
    folder = tmp_path / "index"
    assert main(["index", "build", str(small_corpus), "--index", str(folder), "--json"]) == 0
    built = json_lines(capsys.readouterr().out)[0]
    assert built["docs"] == 3 and built["embedded"] == built["passages"] > built["units"] > 0
    # unchanged corpus: nothing to embed, and the model is not loaded at all
    assert main(["index", "build", str(small_corpus), "--index", str(folder), "--json"]) == 0
    captured = capsys.readouterr()
    again = json_lines(captured.out)[0]
    assert again["embedded"] == 0 and again["hash"] == built["hash"]
    assert "loading embedder" not in captured.err

    query = "Welke landen gebruiken technologie om religieuze minderheden te volgen?"
    assert main(["search", query, "--index", str(folder), "--json", "-k", "4"]) == 0
    hits = json_lines(capsys.readouterr().out)
    assert len(hits) == 4 and hits[0]["doc"] == "004_cf4a3fa9a5a68e27"
    assert hits[0]["index_hash"] == built["hash"] and hits[0]["scores"]["dense_rank"] >= 1
    assert main(["search", query, "--index", str(folder), "--doc", "002_6ae4c03786fa8873",
                 "--json"]) == 0  # fmt: skip
    assert {h["doc"] for h in json_lines(capsys.readouterr().out)} == {"002_6ae4c03786fa8873"}

    assert main(["search", "export surveillance", "--index", str(folder), "-k", "2"]) == 0
    human = capsys.readouterr().out
    assert human.startswith(" 1. ") and " 2. " in human and "003_54dab813ef9c6552" in human

    asked = "Kent u het bericht dat Huawei software voor herkenning van Oeigoeren heeft getest?"
    assert main(["similar", asked, "--index", str(folder), "--json", "-k", "3"]) == 0
    found = json_lines(capsys.readouterr().out)
    assert found[0]["unit_id"] == "002_6ae4c03786fa8873#v1" and found[0]["answered"] is False
    assert all(f["question"] for f in found)

    assert main(["index", "info", "--index", str(folder), "--json"]) == 0
    info = json_lines(capsys.readouterr().out)[0]
    assert info["status"] == "ok" and info["hash"] == built["hash"]
    assert info["counts"]["docs"] == 3 and info["bytes"] > 0


def test_cli_errors_are_one_line_with_the_fix(tmp_path, capsys) -> None:
    assert main(["search", "China", "--index", str(tmp_path / "none"), "--mode", "bm25"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rag: error: index folder") and "rag index build" in err
    assert main(["search", "China", "--from", "juli", "--index", str(tmp_path)]) == 2
    assert "write YYYY, YYYY-MM, YYYY-MM-DD or DD-MM-YYYY" in capsys.readouterr().err
    assert main(["index", "build", str(tmp_path / "missing"), "--index", str(tmp_path / "i")]) == 2
    assert "does not exist; pass existing files or folders" in capsys.readouterr().err


@pytest.mark.slow
def test_build_file_add_and_remove_say_what_changed(shipped_index, tmp_path, capsys) -> None:
    """`rag index build FILE` adds FILE and keeps the rest; add/remove print the change."""
    from index_helpers import copy_index

    index = copy_index(shipped_index, tmp_path / "index")
    extra = tmp_path / "900_extra.txt"
    extra.write_text("Brief over digitale vervolging.\n\nDe minister antwoordt.\n", "utf-8")
    capsys.readouterr()
    assert main(["index", "build", str(extra), "--index", str(index)]) == 0
    out = capsys.readouterr().out
    assert "added 1, changed 0, removed 0, unchanged 5, kept 0" in out
    assert "added: 900_extra" in out and "removed:" not in out
    assert main(["index", "remove", "900_extra", "--index", str(index), "--json"]) == 0
    removed = json_lines(capsys.readouterr().out)[0]
    assert removed["removed"] == ["900_extra"] and removed["embedded"] == 0
    assert len(removed["unchanged"]) == 5
    assert main(["index", "add", str(extra), "--index", str(index), "--json"]) == 0
    assert json_lines(capsys.readouterr().out)[0]["added"] == ["900_extra"]
    assert main(["index", "info", "--index", str(index)]) == 0
    info = capsys.readouterr().out
    assert str(extra) in info and "900_extra" in info
