"""The parser on the five shipped documents, pinned by exact counts and spot values."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli.main import main
from rag.errors import RagError
from rag.parsing import parse_file, parse_text
from rag.parsing.footnotes import extract
from rag.parsing.text import txt_pages
from rag.types import Document, Unit

D000, D001, D002, D003, D004 = (
    "000_ba7fe8d28f285051",
    "001_f07640d600ade888",
    "002_6ae4c03786fa8873",
    "003_54dab813ef9c6552",
    "004_cf4a3fa9a5a68e27",
)


@pytest.fixture(scope="module")
def docs(seed_paths: dict[str, Path]) -> dict[str, Document]:
    return {name: parse_file(path) for name, path in seed_paths.items()}


def unit(doc: Document, key: str) -> Unit:
    return next(u for u in doc.units if u.unit_id == f"{doc.meta.doc}#{key}")


def test_all_seeds_parse_with_unique_ids_in_order(docs: dict[str, Document]) -> None:
    assert sorted(docs) == [D000, D001, D002, D003, D004]
    for doc in docs.values():
        ids = [u.unit_id for u in doc.units]
        assert len(ids) == len(set(ids))
        assert [u.order for u in doc.units] == list(range(len(doc.units)))
        assert len(doc.meta.sha256) == 64 and doc.meta.source.endswith(".txt")


# --- 001: answers to 112 questions ---------------------------------------------------------


def test_001_has_112_questions_each_answered_once(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    assert doc.meta.kind == "answers"
    assert {u.kind for u in doc.units} == {"qa"}
    numbers = [n for u in doc.units for n in u.vraag]
    assert sorted(numbers) == list(range(1, 113))
    assert all(u.answer.strip() and u.question.strip() for u in doc.units)


def test_001_combined_answers_are_single_units(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    combined = {u.unit_id.split("#")[1] for u in doc.units if len(u.vraag) > 1}
    assert combined == {"v20-21", "v27-28", "v31-32", "v47-50", "v59-60", "v79-80"}
    both = unit(doc, "v20-21")
    assert both.vraag == (20, 21)
    assert both.label == "Vraag 20 en 21 / Antwoord vragen 20 en 21"
    assert both.question.startswith("Kunt u garanderen dat het Digital Green")
    assert "\n\nVraag 21\n" in both.question  # the later question keeps its own heading
    assert "\n\nVraag 21\nKunt u garanderen dat de Nederlandse overheid" in both.question
    assert both.answer.startswith("Het kabinet werkt niet aan een sociaalkredietsysteem")
    assert both.text == both.question + "\n\n" + both.answer
    assert unit(doc, "v47-50").vraag == (47, 48, 49, 50)
    assert unit(doc, "v22").label == "Vraag 22 / Antwoord 22"


def test_001_refs_come_from_footnotes_of_the_right_unit(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    assert {"kst-35807-3", "kst-22112-3128", "kst-26643-642"} <= set(unit(doc, "v20-21").refs)
    v22 = unit(doc, "v22")
    assert {"kst-32761-152", "kst-34926-8", "kst-34926-9", "kst-34926-11"} <= set(v22.refs)
    assert [f.n for f in v22.footnotes] == [13, 14, 15, 16]
    assert v22.footnotes[0].text == "Kamerstuk 32 761, nr. 152."
    assert "kst-32761-152" not in unit(doc, "v20-21").refs
    assert [f.refs for f in unit(doc, "v90").footnotes] == [("kst-21501-02-2241",)]


def test_001_every_footnote_attached_exactly_once(docs: dict[str, Document]) -> None:
    numbers = sorted(f.n for u in docs[D001].units for f in u.footnotes)
    assert numbers == list(range(1, 76))


def test_001_no_footnote_body_or_page_header_in_running_text(
    docs: dict[str, Document], seed_paths: dict[str, Path]
) -> None:
    _, bodies, _ = extract(txt_pages(seed_paths[D001].read_text(encoding="utf-8")))
    assert len(bodies) == 75
    lines = [line.strip() for b in bodies for line in b.lines if len(line.strip()) >= 20]
    assert len(lines) > 75
    for u in docs[D001].units:
        for line in lines:
            assert line not in u.question and line not in u.answer, (u.unit_id, line)
        for header in ("Onze Referentie", "BZDOC-", "Directie Azië en Oceanië"):
            assert header not in u.text


def test_001_markers_removed_but_numbers_in_words_kept(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    assert "Chinees laboratorium, voor de Nederlandse" in unit(doc, "v1").question
    assert "de impact op de privacy. Van een" in unit(doc, "v20-21").answer
    assert "inmiddels ook SARS-CoV-2. Bij een landelijke" in unit(doc, "v4").answer
    assert "de bron van het SARS-CoV2 in beeld" in unit(doc, "v2").answer
    assert "Onderzoek van het CBS laat bijvoorbeeld" in unit(doc, "v51").answer
    assert "van 18 april 2019 en 3 februari 2021." in unit(doc, "v23").answer
    assert "persoonlijk CO2-budget" in unit(doc, "v17").question


def test_001_hyphenation_and_typography(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    answer = unit(doc, "v20-21").answer
    assert "dat AI-systemen die op de Europese markt" in answer  # "AI-\nsystemen"
    assert "grond- en mensenrechten" in answer
    assert "Zo’n systeem verhoudt zich" in answer  # typographic apostrophe untouched
    assert "een groot aantal draaiboeken" in unit(doc, "v4").answer


def test_001_see_answer_is_a_link_not_a_copy(docs: dict[str, Document]) -> None:
    doc = docs[D001]
    v19, v15 = unit(doc, "v19"), unit(doc, "v15")
    assert v19.question.startswith("Wat vindt u van een sociaal kredietsysteem")  # its own
    assert v19.answer == (
        "Zie het antwoord op vraag 15. In Nederland is geen sprake van een sociaal "
        "kredietsysteem of een soortgelijk systeem."
    )
    assert v19.see_units == (v15.unit_id,) and v15.see_units == ()
    assert v19.refs == () and v19.text == f"{v19.question}\n\n{v19.answer}"
    v65 = unit(doc, "v65")
    assert v65.answer == "Zie het antwoord op vraag 76." and v65.see_units == (f"{D001}#v76",)
    # references inside the text count too, ranges and combined units resolve
    assert unit(doc, "v44").see_units == tuple(f"{D001}#v{n}" for n in (41, 42, 43))
    assert unit(doc, "v29").see_units == (f"{D001}#v27-28",)
    assert all("[Antwoord" not in u.text for u in doc.units)


def test_001_metadata(docs: dict[str, Document]) -> None:
    meta = docs[D001].meta
    assert meta.kenmerk == "2021Z13647" and meta.refs == ("kv-tk-2021Z13647",)
    assert meta.date_sent == "2021-07-13"
    assert meta.title == "de Nederlandse houding t.o.v. China"
    assert [(p.name, p.party) for p in meta.members] == [("Kerseboom", "FvD")]
    assert [(p.name, p.role) for p in meta.ministers] == [
        ("Ben Knapen", "minister van Buitenlandse Zaken"),
        ("Tom de Bruijn", "minister voor Buitenlandse Handel en Ontwikkelingssamenwerking"),
    ]


# --- 002: questions without answers --------------------------------------------------------


def test_002_questions_only(docs: dict[str, Document]) -> None:
    doc = docs[D002]
    assert doc.meta.kind == "questions"
    assert [u.unit_id for u in doc.units] == [f"{D002}#v{n}" for n in range(1, 16)]
    assert {u.kind for u in doc.units} == {"question"}
    assert unit(doc, "v10").label == "Vraag 10" and unit(doc, "v10").answer == ""
    assert [(p.name, p.party) for p in doc.meta.members] == [("Van Helvert", "CDA")]
    assert doc.meta.date_sent == "2020-12-22"
    assert doc.meta.title == "Chinese surveillanceapparatuur"


def test_002_footnotes_and_page_breaks(docs: dict[str, Document]) -> None:
    doc = docs[D002]
    assert [f.n for f in unit(doc, "v1").footnotes] == [1]
    assert unit(doc, "v1").question.endswith("gezichten van Oeigoeren testte?")
    assert unit(doc, "v1").footnotes[0].text == (
        "https://www.rtlnieuws.nl/tech/artikel/5202012/huawei-testte-software-voor-herkenning-"
        "gezichten-oeigoeren"
    )
    assert [f.n for f in unit(doc, "v10").footnotes] == [2]
    assert "https" not in unit(doc, "v6").question  # body of footnote 1 sat below vraag 6
    assert "grootschalige mensenrechtenschendingen faciliteren" in unit(doc, "v12").question
    assert "de Wereldgezondheidsorganisatie (WHO)" in unit(doc, "v5").question


# --- 003: a letter in two dossiers --------------------------------------------------------


def test_003_letter_metadata(docs: dict[str, Document]) -> None:
    meta = docs[D003].meta
    assert meta.kind == "letter"
    assert meta.dossiers == ("32 735", "35 207") and meta.kamerstuk_nr == "286"
    assert meta.refs == ("kst-32735-286", "kst-35207-286")
    assert meta.date == "2020-02-04"
    assert [p.name for p in meta.ministers] == ["S.A.M. Kaag", "S.A. Blok"]
    assert meta.ministers[1].role == "minister van Buitenlandse Zaken"


def test_003_letter_paragraphs_and_refs(docs: dict[str, Document]) -> None:
    doc = docs[D003]
    assert [u.label for u in doc.units] == [f"Alinea {n}" for n in range(1, 7)]
    assert {u.kind for u in doc.units} == {"paragraph"}
    refs = {key for u in doc.units for key in u.refs}
    assert {"kst-32735-278", "kst-35207-26", "ah-tk-20182019-3894", "ah-tk-20182019-3922"} <= refs
    assert unit(doc, "p3").refs == ("ah-tk-20182019-3894", "ah-tk-20182019-3922")
    text = "\n".join(u.text for u in doc.units)
    assert "Blok" not in text and "Den Haag" not in text  # signature and date line are meta
    assert "deel van de cybersurveillancetechnologie die" in text
    assert "compliance- en MVO-beleid" in text
    assert "levering van de goederen aan bepaalde" in text  # across the page break
    assert unit(doc, "p6").text == "Om deze redenen ontraadt het kabinet deze motie."


# --- 004: page headers cut through an answer -----------------------------------------------


def test_004_answers_and_metadata(docs: dict[str, Document]) -> None:
    doc = docs[D004]
    assert doc.meta.kind == "answers" and doc.meta.kenmerk == "2022Z11285"
    assert [u.vraag for u in doc.units] == [(n,) for n in range(1, 11)]
    assert all(u.kind == "qa" and u.answer for u in doc.units)
    assert [(p.name, p.party) for p in doc.meta.members] == [
        ("Ceder", "ChristenUnie"),
        ("Van der Staaij", "SGP"),
    ]
    assert doc.meta.date_sent == "2022-06-07"
    assert [p.name for p in doc.meta.ministers] == ["W.B. Hoekstra"]


def test_004_page_header_removed_mid_sentence(docs: dict[str, Document]) -> None:
    doc = docs[D004]
    for u in doc.units:
        for header in ("Onze Referentie", "BZDOC-", "Ministerie van Buitenlandse\n", "[1]"):
            assert header not in u.text
    assert "Zowel binnen de EU als in Nederland wordt meer nadruk" in unit(doc, "v9").answer
    assert "de consulaten-generaal in China" in unit(doc, "v4").answer


def test_004_footnote_urls_on_the_right_units(docs: dict[str, Document]) -> None:
    doc = docs[D004]
    notes = {u.unit_id.split("#")[1]: [f.n for f in u.footnotes] for u in doc.units}
    assert {k: v for k, v in notes.items() if v} == {"v2": [1], "v3": [2], "v5": [3]}
    assert unit(doc, "v5").footnotes[0].text == (
        "https://twitter.com/WBHoekstra/status/1529188394605109248"
    )
    assert unit(doc, "v2").footnotes[0].text.endswith("&utm_campaign=3181635")
    assert "Recente berichtgeving over Chinese demonstranten" in unit(doc, "v2").answer
    assert "‘The Worldwide Web of Chinese and Russian Information Controls’ en dat" in (
        unit(doc, "v1").question
    )


# --- 000: provincial letter ----------------------------------------------------------------


def test_000_provincial_items_and_pairs(docs: dict[str, Document]) -> None:
    doc = docs[D000]
    assert doc.meta.kind == "provincial" and doc.meta.date == "2020-02-12"
    qa = [(u.unit_id.split("#")[1], u.vraag) for u in doc.units if u.kind == "qa"]
    assert qa == [
        ("u1", None),
        ("v1", (1,)),
        ("v2", (2,)),
        ("v3", (3,)),
        ("v3.2", (3,)),
        ("v4", (4,)),
    ]
    assert unit(doc, "v3").answer.endswith("hebben wij geen cyberaanvallen bemerkt.")
    assert unit(doc, "v3.2").question.endswith("verstrekt aan de Nederlandse delegatie?")
    assert unit(doc, "v3.2").answer.startswith("Ja zeker, wij hebben een briefing")
    assert (
        unit(doc, "v4").answer
        == "Nee, er was geen druk van Guangdong om met Huawei samen te werken."
    )
    assert "chinese-spionage-in-nederland~b4fadc1c/" in unit(doc, "v2").question


def test_000_unnumbered_question(docs: dict[str, Document]) -> None:
    u1 = unit(docs[D000], "u1")
    assert u1.label == "Gemiste vraag GroenLinks"
    assert u1.question.startswith("Gezien het belang van bevorderen van gezond leven")
    assert u1.question.endswith('zoals Amnesty voorstelde?"')
    assert u1.answer.startswith("Excuses dat ik deze vraag over het hoofd heb gezien.")
    assert "Vragen Partij van de Dieren" not in u1.answer


# --- entry points and errors ---------------------------------------------------------------


def test_parse_text_matches_parse_file(seed_paths: dict[str, Path], docs) -> None:
    text = seed_paths[D004].read_text(encoding="utf-8")
    doc = parse_text(text, D004, source="x.txt")
    assert [u.to_dict() for u in doc.units] == [u.to_dict() for u in docs[D004].units]


def test_synthetic_combinations_and_see_answer() -> None:
    text = (
        "Vraag 1\nEerste?\n\nAntwoord 1\nJa.\n\nVraag 2\nTweede?\n\nVraag 3\nDerde?\n\n"
        "Antwoord op vraag 2 en 3\nSamen.\n\nVraag 4 t/m 6\nVier tot zes?\n\n"
        "Antwoord 4 t/m 6\nZie antwoord vraag 1.\n\nVraag 7\nOpen?\n"
    )
    doc = parse_text(text, "s")
    assert [(u.unit_id, u.kind, u.vraag) for u in doc.units] == [
        ("s#v1", "qa", (1,)),
        ("s#v2-3", "qa", (2, 3)),
        ("s#v4-6", "qa", (4, 5, 6)),
        ("s#v7", "question", (7,)),
    ]
    assert doc.units[1].question == "Tweede?\n\nVraag 3\nDerde?"  # heading 2 in the label
    assert doc.units[1].label == "Vraag 2 en 3 / Antwoord op vraag 2 en 3"
    assert doc.units[2].question == "Vier tot zes?"  # one combined heading: not in the text
    assert doc.units[2].label == "Vraag 4, 5 en 6 / Antwoord 4, 5 en 6"
    assert doc.units[2].answer == "Zie antwoord vraag 1." and doc.units[2].see_units == ("s#v1",)
    round_trip = Unit.from_dict(json.loads(json.dumps(doc.units[2].to_dict())))
    assert round_trip == doc.units[2]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x00\x01\x02abc", "binary"),
        ("scan.pdf", b"%PDF-1.4 not really", "cannot read this PDF"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_unreadable_files_raise_rag_error_naming_file_and_fix(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(RagError, match=message) as err:
        parse_file(path)
    assert name in str(err.value) and ("give" in str(err.value) or "convert" in str(err.value))


def test_missing_file_and_windows_1252_text(tmp_path: Path) -> None:
    with pytest.raises(RagError, match="does not exist"):
        parse_file(tmp_path / "gone.txt")
    path = tmp_path / "oud.txt"
    path.write_bytes(
        "Vraag 1\nWat is de rol van de minister?\n\nAntwoord 1\nGeen.\n".encode("cp1252")
    )
    assert parse_file(path).units[0].answer == "Geen."
    path.write_bytes("Vraag 1\nIs het ‘goed’ geëvalueerd?\n".encode("cp1252"))
    assert parse_file(path).units[0].question == "Is het ‘goed’ geëvalueerd?"


# --- CLI -----------------------------------------------------------------------------------

REQUIRED = {"doc", "unit_id", "kind", "vraag", "label", "question", "answer", "text", "footnotes"}


def test_cli_json_one_line_per_unit(corpus_dir: Path, docs, capsys) -> None:
    assert main(["parse", str(corpus_dir), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == sum(len(d.units) for d in docs.values())
    assert all(REQUIRED | {"refs", "meta"} <= set(row) for row in rows)
    row = next(r for r in rows if r["unit_id"] == f"{D001}#v20-21")
    assert row["vraag"] == [20, 21] and row["meta"]["kenmerk"] == "2021Z13647"
    assert row["ref_display"]["kst-35807-3"] == "Kamerstuk 35 807, nr. 3"
    assert [f["n"] for f in row["footnotes"]] == [10, 11, 12]


def test_cli_outline_and_partial_failure(corpus_dir: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "leeg.txt"
    bad.write_text("")
    code = main(["parse", str(bad), str(corpus_dir / f"{D003}.txt")])
    out, err = capsys.readouterr()
    assert code != 0
    assert [line for line in err.splitlines() if "error" in line] == [
        f"rag: error: {bad}: the file is empty; give a document with text in it"
    ]
    assert "[letter]" in out and "Kamerstuk 35 207, nr. 26" in out and "Alinea 6" in out


def test_python_dash_m_rag_parse_corpus(corpus_dir: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rag", "parse", str(corpus_dir), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    ids = [json.loads(line)["unit_id"] for line in out.stdout.splitlines()]
    assert len(ids) == 144 and f"{D000}#u1" in ids
    assert re.search(r"5 file\(s\), 144 unit\(s\), 0 failed", out.stderr)
