"""Which passing unit is quoted first (rag/answering/choose.py quote_order): the retriever's
order, except that a question asking how many, how much or when is not answered from a unit
that states no number while one that does has passed the gate too, nor from a unit whose
closest sentence with a number is further from the question than another unit's."""

from __future__ import annotations

import pytest

from rag.answering.choose import number_first, quote_order

# sentences of the shipped 112-question answer (001_f07640d600ade888): Antwoord 51 is about
# import dependence in general, Antwoord 38 gives the trade deficit in euros
V51 = [
    "Een importafhankelijkheid is geen statisch gegeven.",
    "Onderzoek van het CBS laat bijvoorbeeld zien dat een groot deel van de Nederlandse import "
    "uit China bestemd is voor de wederuitvoer.",
]
V38 = [
    "Er bestaat sedert jaren een fors tekort op de bilaterale handelsbalans met China.",
    "Het resterende deel, in 2019 14 miljard euro, wordt daadwerkelijk in Nederland verbruikt.",
]
# Aanhangsel Handelingen (the unseen PDFs): the delay of the Delta Rhine Corridor in words
DRC = [
    "In de brief heeft mijn ambtsvoorganger uw Kamer geïnformeerd dat er verschillende "
    "redenen zijn waardoor de planning vier jaar opschuift."
]
ROUTE = ["Daarnaast zal Gasunie onderzoeken of er alternatieven zijn voor de waterstofverbinding."]
KNOWN = ["Ja, het kabinet is bekend met het artikel van 12 mei."]
ANSWERS = {"v51": V51, "v38": V38, "drc": DRC, "route": ROUTE, "known": KNOWN, "none": ["Nee."]}


def order(hits: list[str], question: str) -> list[str]:
    return quote_order(hits, ANSWERS.__getitem__, question)


def test_a_unit_without_a_number_gives_way_when_the_question_asks_for_one() -> None:
    question = "Hoe groot is het gat tussen wat we uit China importeren en erheen uitvoeren?"
    assert order(["v51", "v38"], question) == ["v38", "v51"]
    assert order(["route", "drc"], "Hoe lang schuift de planning van de corridor op?") == [
        "drc",
        "route",
    ]  # "vier jaar": a number written out
    assert order(["v51", "v38"], "How much is the trade deficit with China?") == ["v38", "v51"]


def test_the_retriever_order_stays_when_the_question_does_not_ask_for_a_number() -> None:
    assert order(["v51", "v38"], "Waarom is importafhankelijkheid geen statisch gegeven?") == [
        "v51",
        "v38",
    ]
    # a yes/no question may be answered "Nee" without a number: "Weet het kabinet hoeveel ...?"
    assert order(["none", "v38"], "Weet het kabinet hoeveel Corendon verdient?") == ["none", "v38"]
    assert order(["v51", "v38"], "Does the government know how much the deficit is?") == [
        "v51",
        "v38",
    ]


@pytest.mark.parametrize(
    ("hits", "expected"),
    [
        (["v38", "v51"], ["v38", "v51"]),  # the first states a number: it stays first
        (["v51", "route"], ["v51", "route"]),  # none does: the retriever's order
        (["v51"], ["v51"]),
        ([], []),
    ],
)
def test_only_a_unit_that_states_a_number_is_moved(hits: list[str], expected: list[str]) -> None:
    assert number_first(hits, ANSWERS.__getitem__, "Hoeveel euro is het tekort?") == expected


def test_a_hollow_answer_with_a_date_is_not_moved_first() -> None:
    # "Ja, het kabinet is bekend met het artikel van 12 mei." has a number and answers nothing
    assert order(["v51", "known"], "Hoeveel bedrijven zijn in Chinese handen?") == ["v51", "known"]


# Antwoord 43 of the same document: what the export to China earns
V43 = [
    "Er is op een aantal terreinen sprake van een ongelijk speelveld tussen Europese en "
    "Chinese bedrijven.",
    "Volgens cijfers van het CBS verdiende Nederland in 2018 5,6 miljard euro aan de "
    "rechtstreekse export van goederen en diensten naar China.",
]
EARNS = "Hoeveel geld levert de uitvoer naar China Nederland op?"


def closer(cosines: dict[str, float]):  # noqa: ANN201 - hit, sentences -> their cosines
    """A stand-in for the embedder's cosines: each sentence's, looked up by its first word
    and the hit (the real ones are in the slow test below)."""
    return lambda hit, texts: [cosines[f"{hit}:{text.split()[0]}"] for text in texts]


def test_the_unit_whose_number_sentence_is_closer_goes_first() -> None:
    # the cosines e5 gives these sentences with the question (eval/calibration_features.py)
    near = closer({"v38:Het": 0.821, "v43:Volgens": 0.895})
    sentences = {"v38": V38, "v43": V43}.__getitem__
    assert quote_order(["v38", "v43"], sentences, EARNS, near) == ["v43", "v38"]
    # within the margin (choose.NUMBER_MARGIN) the retriever's order stays
    tie = closer({"v38:Het": 0.880, "v43:Volgens": 0.895})
    assert quote_order(["v38", "v43"], sentences, EARNS, tie) == ["v38", "v43"]
    # not asked for a number: no sentence is compared
    assert quote_order(["v38", "v43"], sentences, "Wat vindt het kabinet van de handel?", near) == [
        "v38",
        "v43",
    ]


@pytest.mark.slow
def test_the_export_earnings_are_answered_from_the_answer_that_gives_them(shipped_side) -> None:
    answer = shipped_side.answerer.ask(EARNS, mode="quote")
    assert not answer.refused
    assert answer.citations[0].unit_id == "001_f07640d600ade888#v43"  # not #v38 (the import)
    assert "5,6 miljard euro" in answer.answer


@pytest.mark.slow
def test_the_trade_gap_is_answered_from_the_answer_with_the_amount(shipped_side) -> None:
    question = "Hoe groot is het gat tussen wat we uit China importeren en wat we erheen uitvoeren?"
    answer = shipped_side.answerer.ask(question, mode="quote")
    assert not answer.refused
    assert answer.citations[0].unit_id == "001_f07640d600ade888#v38"  # not #v51 (ranked first)
    assert "twee derde" in answer.answer or "14 miljard euro" in answer.answer  # how large
