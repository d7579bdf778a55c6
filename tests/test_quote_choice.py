"""Which sentences a quote keeps: the rules on hand-made scores, and the browser cases on the
shipped corpus with the real embedder."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from rag.answering.choose import ChoiceSettings, pick

LONG = [
    "Ja, dat is het geval.",  # ("Ja, het kabinet is bekend met ...": test_quote_acknowledgement)
    "Het kabinet heeft in 2019 een pakket maatregelen aangekondigd voor de telecomsector en "
    "de netwerken van operators die in Nederland actief zijn.",
    "Daarnaast worden nadere eisen gesteld aan de beveiliging van de netwerken van alle "
    "aanbieders in Nederland en de leveranciers die zij gebruiken.",
    "Deze regeling wordt naar verwachting eind september gepubliceerd door het ministerie en "
    "daarna aan de Kamer gezonden voor de verdere behandeling.",
    "Tenslotte deelt het kabinet doorlopend nieuwe informatie over dreigingen met de "
    "telecomaanbieders en betrokken overheidsorganisaties.",
]


def test_a_short_answer_is_quoted_whole() -> None:
    sentences = ["Ja.", "Het RIVM heeft geen testkits gebruikt.", "Er is geen onderzoek."]
    keep = pick(sentences, np.zeros(3), np.zeros(3), "Heeft het RIVM testkits?", ChoiceSettings())
    assert keep == [1, 2]  # "Ja." is too short to quote on its own, the rest is whole


def test_a_long_answer_is_cut_to_the_best_sentences_within_the_budget() -> None:
    cosine = np.array([0.80, 0.84, 0.78, 0.86, 0.79])
    settings = ChoiceSettings(budget=40, lexical_weight=0.0, margin=0.03)
    keep = pick(LONG, cosine, np.zeros(5), "Wordt de regeling gepubliceerd?", settings)
    assert 3 in keep and 2 not in keep and 4 not in keep
    assert keep[0] == 0  # the opening "Ja, ..." answers the yes/no question and is kept
    other = pick(LONG, cosine, np.zeros(5), "Wat staat er in de regeling?", settings)
    assert 0 not in other and 3 in other  # not a yes/no question: no "Ja" needed
    assert sum(len(LONG[i].split()) for i in keep) <= 40 + len(LONG[0].split())


def test_the_question_asking_for_a_number_favours_the_sentence_with_one() -> None:
    cosine = np.array([0.70, 0.83, 0.84, 0.70, 0.70])
    settings = ChoiceSettings(budget=25, lexical_weight=0.0, fact_bonus=0.05, margin=0.0)
    assert 1 in pick(LONG, cosine, np.zeros(5), "In welk jaar kwamen de maatregelen?", settings)
    assert 1 not in pick(LONG, cosine, np.zeros(5), "Wat kwam er voor netwerken?", settings)


@pytest.fixture(scope="module")
def side(shipped_side):
    return shipped_side


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.slow
def test_huawei_in_english_quotes_the_measures(side) -> None:
    answer = side.answerer.ask(
        "What did the government say about Huawei in 5G networks?", mode="quote"
    )
    assert not answer.refused
    assert answer.citations[0].unit_id.endswith("#v27-28")
    text = flat(answer.answer)
    assert "Guangdong" not in text  # the browser's wrong quote
    assert "uitsluitend gebruik te maken van producten en diensten" in text or (
        "stevig pakket aan aanvullende maatregelen" in text
    )


@pytest.mark.slow
def test_rivm_bgi_quotes_that_no_follow_up_research_was_done(side) -> None:
    answer = side.answerer.ask("Wat heeft het RIVM met de BGI-testkits gedaan?", mode="quote")
    assert not answer.refused and answer.citations[0].unit_id.endswith("#v8")
    assert "Daarna is er geen vervolgonderzoek gedaan met deze kits" in flat(answer.answer)
    cited = answer.citations[0]
    assert flat(cited.quote) in flat(answer.answer) and cited.quoted  # marked in the full text


def test_each_footnote_is_placed_on_the_sentence_of_its_marker(corpus_dir: Path) -> None:
    from rag.analysis.sentences import split_sentences
    from rag.answering.notes import notes_text, quoted_notes, sentence_notes
    from rag.parsing import parse_file

    doc = parse_file(corpus_dir / "001_f07640d600ade888.txt")
    unit = next(u for u in doc.units if u.unit_id.endswith("#v22"))
    sentences = split_sentences(unit.answer)
    placed = {n.n: p for p, notes in sentence_notes(unit, sentences).items() for n in notes}
    assert sentences[placed[14]].endswith("horizontale privacy naar uw Kamer verzonden.")
    assert sentences[placed[13]].startswith("In de brief van de minister van Justitie")
    assert placed[13] < placed[14] < placed[15] == placed[16]
    shown = notes_text(quoted_notes(unit, sentences, [placed[14]]))
    assert shown == "(Kamerstuk 34 926, nr. 8)"  # only the quoted sentence's footnote
    assert notes_text(quoted_notes(unit, sentences, [0])) == ""  # a sentence without one


@pytest.mark.slow
def test_a_question_for_the_kamerstuk_gets_the_footnote_of_the_quoted_sentence(side) -> None:
    answer = side.answerer.ask(
        "Naar welk Kamerstuk verwijst de regering voor de kabinetsvisie op horizontale privacy?",
        mode="quote",
    )
    assert not answer.refused and answer.citations[0].unit_id.endswith("#v22")
    text = flat(answer.answer)
    assert "horizontale privacy naar uw Kamer verzonden.» [1] (Kamerstuk 34 926, nr. 8)" in text
    assert "32 761, nr. 152" not in text  # the footnote of a sentence not quoted


def test_the_sentence_after_the_best_is_kept_when_it_is_nearly_as_close() -> None:
    # Aanhangsel Handelingen II 2023/24, nr. 2129 (Jemen): the fact is in the next sentence
    sentences = (
        LONG[1:4]
        + [
            "De bijdrage van ECHO, het humanitaire programma van de EU, voor Jemen wordt jaarlijks "
            "vastgesteld.",
            "In 2024 is die bijdrage 125 miljoen euro.",
        ]
        + LONG[4:] * 2
    )
    cosine = np.array([0.70, 0.70, 0.70, 0.86, 0.78, 0.70, 0.70])
    question = "What does the EU's humanitarian programme give Yemen this year?"
    keep = pick(sentences, cosine, np.zeros(len(sentences)), question, ChoiceSettings())
    assert keep == [3, 4]
    far = cosine.copy()
    far[4] = 0.74  # more than next_margin below the best: it is not kept
    assert pick(sentences, far, np.zeros(len(sentences)), question, ChoiceSettings()) == [3]
    alone = ChoiceSettings(next_margin=0.0)
    assert pick(sentences, cosine, np.zeros(len(sentences)), question, alone) == [3]
