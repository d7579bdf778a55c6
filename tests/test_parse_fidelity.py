"""What users copy out of a quote is what the PDF shows: lists, headings, tables, labels.

Each test reads a real Aanhangsel PDF (read side by side with ``pdftotext -layout``) and pins
the exact strings the parser must give.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from rag.parsing import parse_file
from rag.parsing.dutch import MONTHS, numbers_text, parse_numbers
from rag.parsing.pdf_layout import PARAGRAPH_END, annotate
from rag.types import Document, Unit


@pytest.fixture(scope="module")
def pdfs(shared_data: Path) -> dict[str, Document]:
    paths = sorted((shared_data / "aanhangsel-pdfs").glob("*.pdf"))
    return {path.stem[:8]: parse_file(path) for path in paths}


@pytest.fixture(scope="module")
def seeds(seed_paths: dict[str, Path]) -> dict[str, Document]:
    return {name[:3]: parse_file(path) for name, path in seed_paths.items()}


def unit(doc: Document, key: str) -> Unit:
    return next(u for u in doc.units if u.unit_id == f"{doc.meta.doc}#{key}")


def _strings(u: Unit) -> list[str]:
    return [u.label, u.question, u.answer, u.text] + [f.text for f in u.footnotes]


def test_no_control_characters_in_any_unit(pdfs, seeds) -> None:
    docs = list(pdfs.values()) + list(seeds.values())
    assert len(docs) == 26
    for doc in docs:
        for u in doc.units:
            for s in _strings(u):
                bad = {hex(ord(c)) for c in s if unicodedata.category(c) == "Cc"} - {"0xa", "0x9"}
                assert not bad, (u.unit_id, bad)


def test_bullet_list_keeps_markers_and_lines(pdfs) -> None:
    v4 = unit(pdfs["1b62ee8d"], "v4")  # the bullets were U+0081 in the text layer
    assert (
        "beoordelingskader van de Raad voor Cultuur:\n"
        "• Artistieke en/of inhoudelijke kwaliteit\n"
        "• Maatschappelijke betekenis\n"
        "• Toegankelijkheid\n"
        "• Bedrijfsmatige gezondheid\n"
        "• Geografische spreiding\n\n"
        "De aanvragen van instellingen voor een bis-subsidie"
    ) in v4.answer
    v6 = unit(pdfs["1c0f765c"], "v6")
    assert v6.answer.endswith(
        "De volgende acties kunnen nu al door bedrijven en (overheids)instanties ondernomen "
        "worden:\n"
        "• Inzicht hebben in wat belangrijk is om te beschermen: de «kroonjuwelen»\n"
        "• De quantumdreiging en het gebruik van cryptografie meenemen in het "
        "risicomanagementproces\n"
        "• De sleutels van symmetrische cryptografie verlengen, waardoor de beveiligingswaarde "
        "verhoogt. Zo wordt encryptie standaard «AES-256» momenteel als quantumveilig beschouwd.\n"
        "• Eisen toevoegen voor (toekomstige) cryptografie in aanbestedingen.\n\n"
        "De volgende maatregelen kunnen worden getroffen om wijzigingen voor te bereiden, die op "
        "een later moment noodzakelijk zullen zijn:\n"
        "• Weten waar welke cryptografie gebruikt wordt en dit borgen in het beheer van "
        "IT-bedrijfsmiddelen.\n"
        "• Doorvoeren van voorbereidende wijzigingen zoals het vervangen van het cryptografisch "
        "protocol «Transport Layer Security» versie 1.2, door de gelijknamige versie 1.3.\n"
        "• Met leveranciers in gesprek gaan over cryptografie in hun producten."
    )
    v8 = unit(pdfs["1c0f765c"], "v8")
    assert (
        "op het vlak van cryptografie:\n• «HAPKIDO (Hybrid Approach for quantum-safe Public Key "
        "Infrastructure Development for Organisations)»\n\nDoel van dit onderzoek is om"
    ) in v8.answer
    v9 = unit(pdfs["1c0f765c"], "v9")
    assert "migratieplanning.\n• dcypher werkt samen met bedrijfs- en overheidspartijen" in (
        v9.answer
    )
    assert v9.answer.count("\n• ") == 5


def test_dash_and_numbered_lists(pdfs, seeds) -> None:
    v6 = unit(pdfs["1b38043f"], "v6")
    assert (
        "in elk geval de volgende groepen in worden opgenomen:\n"
        "– woningzoekenden die verblijven in een voorziening voor tijdelijke opvang van personen, "
        "die in verband met problemen van relationele aard of geweld hun woonruimte hebben "
        "verlaten en\n"
        "– woningzoekenden die mantelzorg als bedoeld in artikel 1.1.1, eerste lid, van de Wet "
        "maatschappelijke ondersteuning 2015 verlenen of ontvangen.\n\n"
        "Het verschilt erg per gemeente"
    ) in v6.answer
    assert "bestaan voorzieningen voor:\n– (vrijwillig) DigiD Machtigen en\n– Wettelijk " in (
        unit(pdfs["1dac45ca"], "v3").answer
    )
    v2 = unit(pdfs["1b26915f"], "v2")
    assert "veilig te maken:\n1. Alle producten met een «screamer» effect" in v2.answer
    assert "\n\n2. Alle producten met «whirl» effect" in v2.answer
    # a dash clause in running text is no list item
    v45 = unit(seeds["001"], "v45")
    assert "Het kabinet zet zich – voornamelijk in EU-verband – actief in" in v45.answer


def test_numbered_headings_end_their_paragraph(pdfs) -> None:
    answer = unit(pdfs["1a529d02"], "v6").answer
    assert (
        "Het rapport kende drie hoofdadviezen:\n\n1. De Gezondheidsraad adviseert om in te zetten "
        "op preventie en vroege behandeling van eetstoornissen\n\nEen goede mentale gezondheid"
    ) in answer
    assert (
        "\n2. Specifieke adviezen van de Gezondheidsraad t.a.v. comorbiditeit\n\n"
        "De Gezondheidsraad geeft aan"
    ) in answer
    assert (
        "\n3. De Gezondheidsraad adviseert om een onderzoeksagenda op te stellen\n\n"
        "Het doen van onderzoek naar prevalentie"
    ) in answer
    assert "De Verenging van Nederlandse Gemeenten (hierna: VNG)" in answer  # no false break


def test_table_rows_stay_rows(pdfs) -> None:
    v6 = unit(pdfs["00fe7edd"], "v6")
    assert v6.answer == (
        "Bijgaande cijfers zijn aangeleverd door Discriminatie.nl/Fryslân/Tumba:\n\n"
        "Meldingen Tumba, kenniscentrum discriminatie en diversiteit\n"
        "Grond\tMeldingen in 2021\tMeldingen in 2022\tMeldingen in 2023\n"
        "Geslacht(Trans)\t2\t3\t6\n"
        "Seksuele gerichtheid\t10\t14\t34\n"
        "TOTAAL\t12\t17\t40\n\n"
        "Meldingen en/of aangiftes bij politie Fryslân (beledigende uitingen (zoals h*mo of "
        "f*kker naar politieagenten zijn ook meegenomen in de cijfers))\n"
        "Grond\tMeldingen in 2021\tMeldingen in 2022\tMeldingen in 2023\n"
        "Seksuele gerichtheid\t66\t73\t74"
    )
    rows = [u for d in pdfs.values() for u in d.units if "\t" in u.text]
    assert [u.unit_id for u in rows] == [v6.unit_id]  # no prose line became a row


COMBINED = {
    ("00fe7edd", "v3-5"): ("Vraag 3, 4 en 5 / Antwoord 3, 4 en 5", "Deelt u de mening dat als"),
    ("1b0f0b98", "v10-11"): ("Vraag 10 en 11 / Antwoord 10 en 11", "In welke gevallen kunt u"),
    ("1b2d2126", "v3-6"): ("Vraag 3, 4, 5 en 6 / Antwoord 3, 4, 5 en 6", "Herkent u het beeld"),
    ("1b2d2126", "v7-11"): ("Vraag 7, 8, 9, 10 en 11 / Antwoord 7, 8, 9, 10 en 11", "Wat gaat u,"),
    ("1bb0809b", "v2-3"): ("Vraag 2 en 3 / Antwoord 2 en 3", "Kunt u aangeven of deze"),
    ("1c83f4f5", "v9-10"): ("Vraag 9 en 10 / Antwoord 9 en 10", "Is een aanpassing van de Wet"),
}


@pytest.mark.parametrize(("prefix", "key"), sorted(COMBINED))
def test_combined_heading_is_in_the_label_not_the_question(pdfs, prefix, key) -> None:
    u = unit(pdfs[prefix], key)
    label, start = COMBINED[(prefix, key)]
    assert u.label == label
    assert u.question.startswith(start) and u.text.startswith(start)


def test_no_question_text_starts_with_a_heading(pdfs, seeds) -> None:
    """Every question starts with the question: its heading is in the label (a later
    question of a combined unit keeps its own heading inside the text)."""
    docs = [*pdfs.values(), *seeds.values()]
    starts = [u.question.split("\n", 1)[0] for d in docs for u in d.units if u.question]
    assert len(starts) > 200
    assert not [s for s in starts if re.match(r"(?i)vra(ag|gen)\s+\d", s)]
    both = unit(seeds["001"], "v20-21")
    assert both.question.startswith("Kunt u garanderen dat het Digital Green")
    assert "\n\nVraag 21\n" in both.question


def test_labels_follow_the_documents_wording(pdfs, seeds) -> None:
    assert unit(pdfs["1b650dd7"], "v5-6").label == "Vraag 5 en 6 / Antwoord 5 en 6"
    assert unit(seeds["001"], "v20-21").label == "Vraag 20 en 21 / Antwoord vragen 20 en 21"
    assert unit(seeds["001"], "v22").label == "Vraag 22 / Antwoord 22"  # bare "Antwoord"


def test_subscripts_closed_up(pdfs) -> None:
    doc = pdfs["1a2d8959"]
    assert not any("CO 2" in u.text for u in doc.units)
    texts = "\n".join(u.text for u in doc.units)
    for phrase in ("Voor CO2 zijn er ook alternatieve", "CO2-opslag", "de CO2-buis", "CO2-reduc"):
        assert phrase in texts


def _bm25_top(units: list[Unit], query: str) -> list[Unit]:
    """Plain BM25 (k1=1.2, b=0.75) over unit texts: what a lexical retriever would rank first."""
    docs = [Counter(re.findall(r"\w+", u.text.lower())) for u in units]
    avg = sum(sum(d.values()) for d in docs) / len(docs)
    df = Counter(w for d in docs for w in d)

    def score(d: Counter) -> float:
        norm = 1.2 * (0.25 + 0.75 * sum(d.values()) / avg)
        return sum(
            math.log(1 + (len(docs) - df[w] + 0.5) / (df[w] + 0.5)) * d[w] * 2.2 / (d[w] + norm)
            for w in re.findall(r"\w+", query.lower())
            if w in d
        )

    order = sorted(range(len(units)), key=lambda i: -score(docs[i]))
    return [units[i] for i in order]


def test_mededeling_is_citable_and_linked(pdfs) -> None:
    doc = pdfs["01bf9f06"]
    notice = unit(doc, "p1")
    assert (notice.kind, notice.label) == ("paragraph", "Mededeling")
    assert notice.text == (
        "De schriftelijke vragen van de leden Sneller, Chakor, Van Nispen over Juridische "
        "analyse(s) van het hoofdlijnenakkoord (ingezonden 30 mei 2024) zijn beantwoord middels "
        "een brief over Ambtelijke analyses hoofdlijnenakkoord (36 471-64) op 7 juni 2024."
    )
    questions = [u for u in doc.units if u.kind == "question"]
    assert [u.see_units for u in questions] == [(notice.unit_id,)] * 3
    assert all(notice.text not in u.text and u.answer == "" for u in questions)
    every_unit = [u for d in pdfs.values() for u in d.units]
    query = (
        "Wanneer worden de vragen over de juridische analyse van het hoofdlijnenakkoord beantwoord"
    )
    top = _bm25_top(every_unit, query + "?")
    assert top[0] is notice and "zijn beantwoord middels een brief" in top[0].text


def test_see_answer_links_instead_of_copying(pdfs) -> None:
    doc = pdfs["1b38043f"]
    v8, v7 = unit(doc, "v8"), unit(doc, "v7")
    assert v8.answer == "Zie het antwoord op vraag 7." and v8.see_units == (v7.unit_id,)
    assert v7.answer[:40] not in v8.text
    v10 = unit(pdfs["1cf0c343"], "v10")
    assert v10.answer == "Zie de antwoorden op de vragen 2, 6 en 8."
    assert v10.see_units == tuple(f"{v10.doc}#v{n}" for n in (2, 6, 8))
    v11 = unit(pdfs["1c83f4f5"], "v11")  # "Zoals ook benoemd in het antwoord op vraag 9 en 10"
    assert v11.see_units == (f"{v11.doc}#v9-10",)
    assert not any("[Antwoord" in u.text for d in pdfs.values() for u in d.units)


def test_one_home_for_number_lists_and_months() -> None:
    assert parse_numbers("3, 4 en 5") == (3, 4, 5)
    assert parse_numbers("7, 8, 9 10 en 11") == (7, 8, 9, 10, 11)
    assert parse_numbers("3 t/m 5") == parse_numbers("3 tot en met 5") == (3, 4, 5)
    assert parse_numbers("684 en 685") == (684, 685) and parse_numbers("5-300") == (5, 300)
    assert numbers_text((47, 48, 49, 50)) == "47, 48, 49 en 50"
    assert MONTHS["mei"] == 5 and len(MONTHS) == 12
    package = Path(__file__).resolve().parent.parent / "rag" / "parsing"
    for module in package.glob("*.py"):
        if module.name != "dutch.py":
            source = module.read_text(encoding="utf-8")
            assert "januari" not in source.lower() and "def parse_numbers" not in source, module


def test_annotate_rows_and_paragraph_ends() -> None:
    plain = "Intro:\nA 1 2\nB 3 4\nZin een. 2\nNog iets."
    layout = "Intro:\n\n\nA     1     2\nB     3     4\n\nZin een. 2\nNog iets."
    assert annotate(plain, layout).split("\n") == [
        "Intro:" + PARAGRAPH_END,
        "A\t1\t2",
        "B\t3\t4",
        "Zin een. 2",  # no sentence end: vertical space alone does not end it
        "Nog iets.",
    ]
    # a lone gap (one line, two cells) and a list marker's gap are no table
    assert annotate("1. Tekst hier\nX y", "1.    Tekst hier\nX     y") == "1. Tekst hier\nX y"
