"""The parser on 21 real Aanhangsel Handelingen II 2023/24 PDFs nobody here wrote."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.parsing import parse_file
from rag.types import Document

# file prefix: (Aanhangsel nr, questions, footnotes, members, ministers), read off the PDFs.
EXPECTED = {
    "00fe7edd": (1314, 6, 2, ["Mutluer", "Kostić"], ["Dijkgraaf"]),
    "01b2bcad": (2129, 9, 5, ["Ceder", "Dobbe"], ["Bruins Slot", "Schreinemacher"]),
    "01bf9f06": (1999, 3, 1, ["Sneller", "Chakor", "Van Nispen"], ["De Jonge"]),
    "1a2d8959": (2210, 13, 2, ["Erkens"], ["Hermans"]),
    "1a529d02": (2271, 12, 17, ["Westerveld"], ["Karremans"]),
    "1aa9bd01": (1076, 5, 3, ["Van Haga"], ["De Jonge"]),
    "1b0f0b98": (1786, 15, 16, ["Hirsch", "Teunissen"], ["Van Rij"]),
    "1b26915f": (1771, 6, 8, ["Van Nispen"], ["Heijnen"]),
    "1b2d2126": (2367, 12, 4, ["Van der Lee"], ["Heinen"]),
    "1b38043f": (1292, 10, 1, ["Keijzer"], ["De Jonge"]),
    "1b62ee8d": (1432, 6, 3, ["Van Zanten"], ["Gräper-van Koolwijk"]),
    "1b650dd7": (1481, 6, 3, ["Koekkoek"], ["Van Huffelen"]),
    "1b922783": (2395, 5, 2, ["Crijns"], ["Karremans"]),
    "1bb0809b": (1949, 5, 1, ["Faber-van de Klashorst"], ["Yeşilgöz-Zegerius"]),
    "1bca1484": (2313, 10, 4, ["Bushoff", "Patijn"], ["Van Hijum"]),
    "1bd47dc8": (1893, 7, 1, ["Klaver"], ["Bruins Slot"]),
    "1c0f765c": (1178, 9, 15, ["Sneller"], ["Van Huffelen"]),
    "1c7587f8": (1980, 6, 7, ["Dobbe"], ["Helder"]),
    "1c83f4f5": (1984, 11, 3, ["Van Eijk", "Aartsen"], ["Van Rij"]),
    "1cf0c343": (2168, 10, 1, ["Erkens"], ["Hermans"]),
    "1dac45ca": (878, 7, 2, ["Inge van Dijk"], ["Van Huffelen"]),
}
MEDEDELING = "01bf9f06"
FOOTER = re.compile(r"Tweede Kamer, vergaderjaar|ISSN 0921|ah-tk-2023|’s-Gravenhage 2024")


@pytest.fixture(scope="module")
def pdfs(shared_data: Path) -> dict[str, Document]:
    paths = sorted((shared_data / "aanhangsel-pdfs").glob("*.pdf"))
    assert len(paths) == 21
    return {path.stem[:8]: parse_file(path) for path in paths}


def questions(doc: Document) -> list[int]:
    return [n for u in doc.units if u.vraag for n in u.vraag]


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_pdf_identity_people_and_questions(pdfs: dict[str, Document], prefix: str) -> None:
    doc = pdfs[prefix]
    nr, n_questions, n_notes, members, ministers = EXPECTED[prefix]
    meta = doc.meta
    assert meta.aanhangsel == f"ah-tk-20232024-{nr}" and meta.refs == (meta.aanhangsel,)
    assert [p.name for p in meta.members] == members and all(p.party for p in meta.members)
    assert [p.name for p in meta.ministers] == ministers
    assert all(
        p.role and p.role.split()[0] in ("minister", "staatssecretaris") for p in meta.ministers
    )
    assert meta.date_sent and meta.date and meta.date_sent < meta.date
    assert sorted(questions(doc)) == list(range(1, n_questions + 1))  # 1..N, no gaps or repeats
    answered = sorted(n for u in doc.units if u.kind == "qa" for n in u.vraag)
    if prefix == MEDEDELING:
        assert meta.kind == "questions" and answered == []
    else:
        assert meta.kind == "answers" and answered == list(range(1, n_questions + 1))
        assert all(u.answer.strip() for u in doc.units if u.kind == "qa")
    notes = sorted(f.n for u in doc.units for f in u.footnotes)
    assert notes == list(range(1, n_notes + 1))
    for u in doc.units:
        assert not FOOTER.search(u.text), u.unit_id
        assert all(f.text not in u.text for f in u.footnotes)


def test_pdf_mededeling_is_a_paragraph_unit(pdfs: dict[str, Document]) -> None:
    doc = pdfs[MEDEDELING]
    assert [(u.unit_id.split("#")[1], u.kind) for u in doc.units] == [
        ("v1", "question"),
        ("v2", "question"),
        ("v3", "question"),
        ("p1", "paragraph"),
    ]
    mededeling = doc.units[-1]
    assert mededeling.label == "Mededeling"
    assert mededeling.text.startswith("De schriftelijke vragen van de leden Sneller")
    assert mededeling.refs == ("kst-36471-64",)
    assert "hoofdlijnenakkoord (36 471-64) op 7 juni 2024" in mededeling.text


def test_pdf_combined_questions(pdfs: dict[str, Document]) -> None:
    one_heading = next(u for u in pdfs["00fe7edd"].units if u.vraag == (3, 4, 5))
    assert one_heading.label == "Vraag 3, 4 en 5 / Antwoord 3, 4 en 5"  # the document's words
    assert one_heading.question.startswith("Deelt u de mening")
    two_headings = next(u for u in pdfs["1b650dd7"].units if u.vraag == (5, 6))
    assert two_headings.unit_id.endswith("#v5-6")
    assert two_headings.question.startswith("In hoeverre kan een structurele vorm")
    assert "\n\nVraag 6\nKunt u inzage geven" in two_headings.question
    missing_comma = next(u for u in pdfs["1b2d2126"].units if u.vraag and 9 in u.vraag)
    assert missing_comma.vraag == (7, 8, 9, 10, 11)  # heading "Vraag 7, 8, 9 10 en 11"


def test_pdf_markers_and_text_cleaning(pdfs: dict[str, Document]) -> None:
    v1 = next(u for u in pdfs["1b0f0b98"].units if u.vraag == (1,))
    assert v1.question.endswith("«Dredging destruction» van Both Ends?")  # "Both Ends 1?"
    assert [f.text for f in v1.footnotes] == [
        "https://www.bothends.org/en/Whats-new/Publicaties/Dredging-Destruction/"
    ]
    v2 = next(u for u in pdfs["1b0f0b98"].units if u.vraag == (2,))
    assert "verantwoord ondernemen (mvo). Sinds 1 januari 2022 monitort" in v2.answer
    assert "gecompenseerd" in v2.answer and "gecompen- seerd" not in v2.answer
    v4 = next(u for u in pdfs["1b0f0b98"].units if u.vraag == (4,))
    assert [f.refs for f in v4.footnotes] == [("kst-26485-424",), ("kst-26485-407",)]
    # paragraphs recovered from the flowing text layer (short last lines)
    assert "buitenlandse exportkredietverzekeraars.\n\nAls er in projecten milieu" in v2.answer
    assert "aanleg van nieuwe natuur.\n\nUit de milieu- en sociale beoordelingen" in v2.answer
    ahead = next(u for u in pdfs["1a2d8959"].units if any(f.n == 1 for f in u.footnotes))
    assert "Het HyRegions rapport geeft een eerste beeld" in ahead.answer  # lone weak marker


def test_an_answer_without_kenmerk_is_addressed_by_its_topic(pdfs: dict[str, Document]) -> None:
    from rag.answering.address import address

    doc = pdfs["1a2d8959"]
    assert not doc.meta.kenmerk
    first = next(u for u in doc.units if u.vraag)
    cited = address(first, doc.meta)
    assert cited.startswith(
        "Antwoord 1 op Kamervragen over de voortgang en procedure Delta Rhine Corridor (lid Erkens"
    ), cited
    assert "Aanhangsel Handelingen II 2023/24, nr." in cited


def test_a_footnote_of_the_question_stays_off_an_answer_that_repeats_its_words(
    pdfs: dict[str, Document],
) -> None:
    """Vraag 8 ends "... de Verenigde Arabische Emiraten, is afgeschaft?" with footnote 4 (a
    news item); its Antwoord repeats those words and points to the Kamerbrief in footnote 5:
    only footnote 5 belongs to the answer's sentence."""
    from rag.analysis.sentences import split_sentences
    from rag.answering.notes import sentence_notes

    v8 = next(u for u in pdfs["01b2bcad"].units if u.vraag == (8,))
    assert sorted(f.n for f in v8.footnotes) == [4, 5]
    placed = sentence_notes(v8, split_sentences(v8.answer))
    assert [n.n for notes in placed.values() for n in notes] == [5]
    assert [n.n for n in sentence_notes(v8, split_sentences(v8.question))[0]] == [4]
