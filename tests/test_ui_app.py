"""The UI's own logic, in process: inert cards, follow-up context, uploads that refuse bad
files and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import RagError
from rag.types import Answer, Citation, DocMeta, Person, Unit
from ui.cards import cards, highlight, linked
from ui.session import with_context
from ui.upload import MAX_BYTES, add_uploads, check_upload, safe_name

EVIL = 'Zie <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> hier.'
META = DocMeta(doc="d", kind="answers", title="Titel <b>", members=(Person("Kerseboom", "FvD"),))


def unit(text: str = EVIL) -> Unit:
    return Unit("d", "d#v1", "qa", (1,), "Vraag 1 / Antwoord 1", question="Vraag?", answer=text,
                text="Vraag?\n\n" + text)  # fmt: skip


def answer(refused: bool = False) -> Answer:
    cite = Citation(1, "d", "d#v1", (1,), "Vraag 1 / Antwoord 1", "Antwoord 1 op <x>",
                    ("Kamerstuk 32 735, nr. 286",), quote="hier.")  # fmt: skip
    return Answer("q", "«…» [1]", refused, "refuse" if refused else "quote",
                  () if refused else (cite,))  # fmt: skip


def test_cards_render_document_html_inert() -> None:
    out = cards(answer(), {"d#v1": unit()}, {"d": META})
    assert "<script>" not in out and "<img" not in out and "<b>" not in out.split("meta")[1]
    assert "&lt;script&gt;" in out and "onerror=&quot;" in out
    assert 'id="src-1"' in out and "Kamerstuk 32 735, nr. 286" in out
    assert "Kerseboom (FvD)" in out and "Antwoord 1 op &lt;x&gt;" in out


def test_refusal_shows_the_not_in_corpus_state() -> None:
    out = cards(answer(refused=True), {}, {})
    assert 'id="not-in-corpus"' in out and "Niet in het corpus" in out


def test_cited_sentences_are_highlighted_and_markers_link_to_cards() -> None:
    assert highlight("Eerst dit. Dan dat.", ["Dan dat."]) == "Eerst dit. <mark>Dan dat.</mark>"
    assert linked("Ja [1] en nee [2].") == "Ja [[1]](#src-1) en nee [[2]](#src-2)."


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("En wat zei het kabinet over Taiwan?", "Wat vindt het kabinet van Huawei? En wat zei"),
        ("En Taiwan?", "Wat vindt het kabinet van Huawei? En Taiwan?"),
        ("Heeft het kabinet testkits van BGI gekocht voor het RIVM in 2020?",
         "Heeft het kabinet testkits van BGI gekocht voor het RIVM in 2020?"),
    ],
)  # fmt: skip
def test_follow_ups_carry_the_previous_question(question, expected) -> None:
    history = [{"role": "user", "content": "Wat vindt het kabinet van Huawei?"},
               {"role": "assistant", "content": "…"}]  # fmt: skip
    assert with_context(question, history).startswith(expected)
    assert with_context(question, []) == question


@pytest.mark.parametrize(
    ("name", "problem"),
    [("../../etc/passwd", "not a .txt or .pdf"), ("x.exe", "not a .txt or .pdf"), ("", "not a")],
)
def test_unsafe_or_wrong_names_are_refused(name, problem) -> None:
    with pytest.raises(RagError, match=problem):
        safe_name(name)


def test_names_lose_folders_and_odd_characters() -> None:
    assert safe_name("../../a b/..evil name.txt") == "evil_name.txt"


def test_bad_files_are_refused_with_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(RagError, match="is empty"):
        check_upload(empty, "empty.txt", set())
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(RagError, match="upload files under 20 MB"):
        check_upload(big, "big.txt", set())
    clash = tmp_path / "001_f07640d600ade888.txt"
    clash.write_text("Vraag 1\nIets?\n", encoding="utf-8")
    with pytest.raises(RagError, match="already indexed"):
        check_upload(clash, clash.name, {"001_f07640d600ade888"})


def test_a_failing_build_keeps_nothing_of_the_upload(tmp_path: Path, seed_paths) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    source = seed_paths["003_54dab813ef9c6552"]

    def failing_build(sources, progress):
        assert (index_dir / "uploads" / source.name).is_file()
        raise RagError("injected build failure")

    with pytest.raises(RagError, match="injected"):
        add_uploads([(source, source.name)], index_dir, set(), failing_build)
    assert list((index_dir / "uploads").iterdir()) == []


def test_a_good_upload_is_stored_under_the_index_and_built(tmp_path: Path, seed_paths) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    source = seed_paths["003_54dab813ef9c6552"]
    built = []
    names = add_uploads([(source, "brief.txt")], index_dir, set(),
                        lambda sources, progress: built.append(sources))  # fmt: skip
    assert names == ["brief.txt"] and (index_dir / "uploads" / "brief.txt").is_file()
    assert built == [[index_dir / "uploads"]]
