"""Answers that answer nothing (rag/answering/choose_ack.py): "Ja, het kabinet is bekend met
het artikel." is not quoted as an answer, and a unit that says nothing else goes after the
unit that answers; on the sentences of the shipped corpus and on the shipped index."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answering.choose import ChoiceSettings, pick
from rag.answering.choose_ack import acknowledgement, hollow_last, only_acknowledges

# sentences of the shipped 112-question answer (001_f07640d600ade888)
KNOWN = "Ja, het kabinet is bekend met het artikel."
SAYS_MORE = (
    "Het kabinet is bekend met de zorgwekkende berichten over repressie van Falun Gong in China."
)
MEASURE = (
    "Zo zijn de mobiele netwerk operators (MNO’s) onlangs bij beschikking verplicht om in de "
    "kritieke onderdelen van hun netwerken uitsluitend gebruik te maken van producten en "
    "diensten van andere partijen dan de daarin genoemde leveranciers."
)


def test_an_acknowledgement_is_recognised_and_a_sentence_that_says_more_is_not() -> None:
    question = "Mag Huawei in de kern van het 5G-netwerk?"
    for sentence in (KNOWN, "Ik ben bekend met deze feiten.", "Ja, ik bekend met deze uitspraak."):
        assert acknowledgement(sentence, question)
    assert not acknowledgement(SAYS_MORE, question)
    assert not acknowledgement(MEASURE, question)
    # asked whether the article is known, the acknowledgement is the answer
    assert not acknowledgement(KNOWN, "Is het kabinet bekend met het artikel over Huawei?")
    assert not acknowledgement(KNOWN, "Is the government aware of the article on Huawei?")


def test_the_other_ways_of_saying_it_is_known_are_recognised_too() -> None:
    question = "Waren de twee tieners al bekend bij justitie?"  # "bekend", but not "bekend met"
    for sentence in (
        "Daar ben ik mee bekend.",  # Aanhangsel Handelingen II 2023/24, nr. 1949, Antwoord 1
        "Ja, het bericht is bekend.",
        "Ja, het artikel is mij bekend.",
        "Ik heb kennisgenomen van het artikel.",
        "Ja, ik ken het bericht.",
    ):
        assert acknowledgement(sentence, question), sentence
    for sentence in (
        "De verdachten zijn bij de politie bekend.",
        "Het kabinet kent de zorgen over de vrijheid van meningsuiting in Hongkong en deelt die.",
        "Ja, dat is het geval.",
    ):
        assert not acknowledgement(sentence, question), sentence
    assert not acknowledgement("Daar ben ik mee bekend.", "Kent u het bericht over de tieners?")


def test_a_unit_answered_by_a_bare_ja_gives_way_to_the_next_that_passed() -> None:
    # Aanhangsel 2023/24: "Bent u bekend met het artikel ...?" answered "Ja." (Antwoord 1); a
    # quote cannot stand on it, so the next unit that passed the gate is quoted, not none
    answers = {"a1": ["Ja."], "a4": [MEASURE], "a2": [KNOWN]}
    question = "Does the government know the airline's profit?"
    assert hollow_last(["a1", "a4"], answers.get, question) == ["a4"]
    assert hollow_last(["a1", "a2", "a4"], answers.get, question) == ["a4", "a2"]
    assert hollow_last(["a1"], answers.get, question) == []


def test_a_hollow_answer_goes_last_and_the_order_is_kept_otherwise() -> None:
    answers = {"v102": [KNOWN], "v103": [MEASURE], "v104": [SAYS_MORE, KNOWN]}
    question = "Wat vindt het kabinet van de DNA-databank?"
    assert only_acknowledges(answers["v102"], question)
    assert not only_acknowledges(answers["v104"], question)  # it says more besides
    assert hollow_last(["v102", "v104", "v103"], answers.get, question) == ["v104", "v103", "v102"]
    assert hollow_last(["v102"], answers.get, question) == ["v102"]  # alone, it stays


def test_a_yes_no_question_does_not_get_the_ja_of_the_acknowledgement() -> None:
    filler = "Deze regeling wordt naar verwachting eind september 2021 gepubliceerd."
    sentences = [KNOWN, MEASURE, filler, filler, filler, filler]  # over the 100-word budget
    cosine, lexical = np.array([0.78, 0.80, 0.70, 0.70, 0.70, 0.70]), np.zeros(6)
    question = "Mag Huawei in de kern van het 5G-netwerk?"  # a yes/no question
    keep = pick(sentences, cosine, lexical, question, ChoiceSettings())
    assert 0 not in keep and 1 in keep  # the opening "Ja, ..." would read as "yes, it may"
    aware = "Is het kabinet bekend met het artikel over Huawei?"
    assert 0 in pick(sentences, cosine, lexical, aware, ChoiceSettings())


@pytest.fixture(scope="module")
def side(shipped_side):
    return shipped_side


@pytest.mark.slow
def test_huawei_in_the_core_quotes_the_measure_not_the_acknowledgement(side) -> None:
    answer = side.answerer.ask(
        "Mag Huawei in de kern van het Nederlandse 5G-netwerk?", mode="quote"
    )
    assert not answer.refused
    assert "bekend met het artikel" not in answer.answer
    assert "uitsluitend gebruik te maken van producten en diensten" in answer.answer


@pytest.mark.slow
def test_the_dna_question_is_quoted_from_the_unit_that_answers(side) -> None:
    question = "Wat vindt het kabinet ervan dat China DNA van miljoenen mannen verzamelt?"
    answer = side.answerer.ask(question, mode="quote")
    assert not answer.refused
    assert "bekend met dit bericht" not in answer.answer
    assert "DNA" in answer.answer and answer.citations[0].vraag != (102,)
