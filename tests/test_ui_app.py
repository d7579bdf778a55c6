"""The UI's own logic, in process: inert cards, follow-up context, uploads that refuse bad
files and change nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.errors import RagError
from rag.types import Citation, DocMeta, Person, Unit
from ui.cards import cards, highlight, linked
from ui.chat import check
from ui.docview import document_html
from ui.names import filters_nl
from ui.render import (
    answer_markdown,
    answer_text,
    conversation_json,
    conversation_markdown,
    new_turn,
    refusal_note,
    turn_html,
)
from ui.upload import MAX_BYTES, add_uploads, check_upload, safe_name

EVIL = 'Zie <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> hier.'
MD = "![pixel](http://127.0.0.1:9/p.png) en [klik](http://127.0.0.1:9/x) <a href='http://e.x'>a</a>"
META = DocMeta(doc="d", kind="answers", title="Titel <b>", members=(Person("Kerseboom", "FvD"),))


def unit(text: str = EVIL) -> Unit:
    return Unit("d", "d#v1", "qa", (1,), "Vraag 1 / Antwoord 1", question="Vraag?", answer=text,
                text="Vraag?\n\n" + text)  # fmt: skip


def cite(n: int = 1, quote: str = "hier.") -> dict:
    return Citation(n, "d", "d#v1", (1,), "Vraag 1 / Antwoord 1", "Antwoord 1 op <x>",
                    ("Kamerstuk 32 735, nr. 286",), quote=quote).to_dict()  # fmt: skip


def turn(refused: bool = False, **extra) -> dict:
    return {**new_turn("q <i>?", **extra), "pending": False, "refused": refused,
            "answer": "Zie: «hier.» [1]", "citations": [] if refused else [cite()]}  # fmt: skip


def test_cards_render_document_html_inert() -> None:
    out = cards([cite()], {"d#v1": unit()}, {"d": META}, turn=3)
    assert "<script>" not in out and "<img" not in out and "<b>" not in out.split("meta")[1]
    assert "&lt;script&gt;" in out and "onerror=&quot;" in out
    assert 'id="src-3-1"' in out and "Kamerstuk 32 735, nr. 286" in out
    assert "Kerseboom (FvD)" in out and "Antwoord 1 op &lt;x&gt;" in out
    assert "antwoorden op Kamervragen" in out and "Kamervragen" in out  # kind in Dutch


def test_markdown_and_links_from_documents_stay_text_everywhere() -> None:
    hostile = Unit("d", "d#v1", "qa", (1,), "Vraag 1 <a href='x'>", question="?", answer=MD,
                   text=MD)  # fmt: skip
    t = {**turn(), "answer": f"«{MD}» [1] [7]", "question": MD}
    page = turn_html(1, t, {"d#v1": hostile}, {"d": META})
    page += document_html(cite(quote=MD), {"d#v1": hostile}, {"d": META})
    hrefs = re.findall(r'<a [^>]*href="([^"]*)"', page)
    assert hrefs == ["#src-1-1"]  # only the page's own [1]; the quoted "[7]" is no link
    assert "<img" not in page and "<a href='" not in page and "&lt;a href=" in page
    assert "![pixel](http://127.0.0.1:9/p.png)" in page  # shown as the text it is


def test_refusal_shows_the_not_in_corpus_state_and_names_an_active_filter() -> None:
    plain = turn_html(1, turn(refused=True), {}, {})
    assert "not-in-corpus" in plain and "Niet in het corpus" in plain and "filter" not in plain
    filtered = turn_html(1, turn(refused=True, filters="soort: Kamerbrief"), {}, {})
    assert "filter aan (soort: Kamerbrief)" in filtered and "zonder filter" in filtered


def test_cited_sentences_are_highlighted_and_markers_link_to_their_own_turns_cards() -> None:
    assert highlight("Eerst dit. Dan dat.", ["Dan dat."]) == "Eerst dit. <mark>Dan dat.</mark>"
    first, second = linked("Ja [1].", 1, {1}), linked("Nee [1].", 2, {1})
    assert 'href="#src-1-1"' in first and 'href="#src-2-1"' in second


def test_take_away_text_carries_addresses_and_references_not_markup() -> None:
    t = turn(context="Eerdere vraag?")
    text, md = answer_text(t), answer_markdown(t)
    assert "[1] Antwoord 1 op <x> (Vraag 1 / Antwoord 1)" in text and "(#src" not in text
    assert "Kamerstuk 32 735, nr. 286" in text and "Kamerstuk 32 735, nr. 286" in md
    assert "**[1] Antwoord 1 op <x>**" in md and "> hier." in md and "Eerdere vraag?" in md
    data = json.loads(conversation_json([t], "abc"))
    assert data["turns"][0]["citations"][0]["address"] == "Antwoord 1 op <x>"
    assert "## 1. q <i>?" in conversation_markdown([t])


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [("gisteren", "", "De begindatum «gisteren» is geen datum"),
     ("", "2021-13-45", "De einddatum «2021-13-45» is geen datum"),
     ("2022", "2021", "ligt na de einddatum")],
)  # fmt: skip
def test_ui_dates_are_checked_in_dutch(start, end, problem) -> None:
    with pytest.raises(RagError, match=problem):
        filters_nl([], [], start, end)


def test_ui_dates_are_normalised_like_the_cli() -> None:
    f = filters_nl([], [], "13-07-2021", "2022")
    assert (f.date_from, f.date_to) == ("2021-07-13", "2022-12-31")
    assert filters_nl([], [], " ", "") is None


def test_the_typed_question_is_what_the_length_limit_counts() -> None:
    with pytest.raises(RagError, match="2001 tekens"):
        check("x" * 2001, "", "", [], [])
    assert check("x" * 2000, "", "", [], []) is None


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("../../etc/passwd", "geen .txt- of .pdf-bestand"),
        ("x.exe", "geen .txt- of .pdf-bestand"),
        ("", "geen .txt"),
    ],
)
def test_unsafe_or_wrong_names_are_refused(name, problem) -> None:
    with pytest.raises(RagError, match=problem):
        safe_name(name)


def test_names_lose_folders_and_odd_characters() -> None:
    assert safe_name("../../a b/..evil name.txt") == "evil_name.txt"


def test_bad_files_are_refused_with_the_fix(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(RagError, match="is leeg"):
        check_upload(empty, "empty.txt", set())
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    with pytest.raises(RagError, match="kleiner zijn dan 20 MB"):
        check_upload(big, "big.txt", set())
    clash = tmp_path / "001_f07640d600ade888.txt"
    clash.write_text("Vraag 1\nIets?\n", encoding="utf-8")
    with pytest.raises(RagError, match="staat al een document"):
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


def test_upload_progress_counts_passages_in_dutch(tmp_path: Path, seed_paths) -> None:
    from ui.upload import upload_files

    source = seed_paths["003_54dab813ef9c6552"]
    seen = []

    class Index:
        dir, docs = tmp_path, {}

    class Service:
        def current(self):
            return Index, None

        def build(self, sources, progress):
            progress("read sources", 1, 1)
            progress("embed passages", 4, 12)

        def reload(self):
            pass

    message, _ = upload_files(Service(), [str(source)],
                              lambda done, desc: seen.append((done, desc)))  # fmt: skip
    assert message == f"Toegevoegd aan de index: {source.name}"
    assert seen == [((1, 1), "bronnen lezen: 1 van 1"),
                    ((4, 12), "passages inbedden: 4 van 12")]  # fmt: skip


def test_a_refusal_that_already_names_the_filter_gets_the_filters_spelled_out() -> None:
    t = {**turn(refused=True, filters="periode het begin tot en met 31 december 2019"),
         "answer": "Niet gevonden. Er is een filter actief; probeer zonder filter."}  # fmt: skip
    assert refusal_note(t) == "Actief filter: periode het begin tot en met 31 december 2019."


def test_a_refusal_for_an_amount_the_documents_do_not_give_says_so() -> None:
    # rag.types.Answer.refusal: units on the topic passed the gate, none gives the amount
    t = {**turn(refused=True), "refusal": "no_amount"}
    assert "bedrag" in refusal_note(t)
    assert refusal_note({**turn(refused=True), "refusal": "no_source"}) == (
        "Geen enkel document in de index beantwoordt deze vraag."
    )
