"""A question asking an amount of money or of a measure is answered only from a unit that
speaks of it (rag/answering/asks.py, applied in choose.quote_order): a unit about the topic
that says nothing of it cannot answer, and with no other evidence the question is refused."""

from __future__ import annotations

import pytest

from rag.answering.asks import asks_measure, asks_money, can_answer
from rag.answering.choose import quote_order

# Antwoord 8 of the shipped 112-question answer (001_f07640d600ade888): BGI test kits, no price
KITS = [
    "Er zijn in Nederland geen laboratoria opgezet door BGI Group.",
    "Het RIVM heeft geen testkits of apparatuur van de BGI Group ingezet in Nederland ten "
    "behoeve van de diagnostiek.",
    "Wel zijn er in totaal 4 BGI testkits besteld om te gebruiken in een vergelijkingstest met "
    "een 10-tal verschillende leveranciers.",
    "Daarna is er geen vervolgonderzoek gedaan met deze kits en ze zijn ook niet gebruikt in de "
    "diagnostiek.",
]
# Antwoord 38 of the same document: the trade with China in euros
TRADE = [
    "Het resterende deel, in 2019 14 miljard euro, wordt daadwerkelijk in Nederland verbruikt."
]
# an answer that gives no amount but speaks of it is still an answer
UNKNOWN = ["De kosten van de vervanging zijn mij niet bekend."]
ANSWERS = {"kits": KITS, "trade": TRADE, "unknown": UNKNOWN}


@pytest.mark.parametrize(
    "question",
    [
        "How much did the RIVM pay for the BGI test kits?",
        "Hoeveel geld trekt de regering uit voor de ijzeren voorraad geneesmiddelen?",
        "Welk bedrag draagt Nederland jaarlijks bij aan het VN-fonds?",
        "Wat kost de vervanging van de antennes?",
        "What will it cost KPN to replace its Huawei antennas?",
    ],
)
def test_questions_that_ask_an_amount_of_money(question: str) -> None:
    assert asks_money(question)


@pytest.mark.parametrize(
    "question",
    [
        "Heeft het RIVM voor de BGI-testkits betaald?",  # yes/no: "Nee" answers it
        "Sinds wanneer betalen we btw op pakketjes uit China?",  # a date, not an amount
        "Hoeveel testkits van BGI heeft het RIVM besteld?",  # a count, not money
        "How much influence does China have on Dutch universities?",
        "Hoeveel tijd kost de vergunningaanvraag?",  # a cost in time
        "How much time did officials spend on the request?",
    ],
)
def test_questions_that_do_not(question: str) -> None:
    assert not asks_money(question)


def test_a_unit_that_says_nothing_of_money_cannot_answer_an_amount() -> None:
    question = "How much did the RIVM pay for the BGI test kits?"
    assert can_answer(["kits"], ANSWERS.__getitem__, question) == []
    assert quote_order(["kits"], ANSWERS.__getitem__, question) == []  # nothing left: refused
    assert quote_order(["kits", "unknown"], ANSWERS.__getitem__, question) == ["unknown"]
    assert quote_order(["kits", "trade"], ANSWERS.__getitem__, "Hoeveel geld levert het op?") == [
        "trade"
    ]


def test_other_questions_keep_every_passing_unit() -> None:
    for question in ("Heeft het RIVM testkits van BGI gekocht?", "Hoeveel testkits zijn besteld?"):
        assert quote_order(["kits", "trade"], ANSWERS.__getitem__, question)[0] == "kits"


@pytest.mark.slow
def test_the_price_of_the_test_kits_is_refused_on_the_shipped_corpus(shipped_side) -> None:
    question = "How much did the RIVM pay for the BGI test kits?"
    answer = shipped_side.answerer.ask(question, mode="quote")
    assert answer.refused  # the corpus says 4 kits were ordered, not what they cost
    prompts = shipped_side.answerer.prompts
    assert prompts.refusal_amount["en"] in answer.answer  # the topic is there, the amount not
    assert answer.refusal == "no_amount" and answer.to_dict()["refusal"] == "no_amount"
    plain = shipped_side.answerer.ask("Did the Netherlands ban TikTok on government phones?")
    assert plain.refused and prompts.refusal_amount["en"] not in plain.answer
    assert plain.refusal == "no_source"
    asked = shipped_side.answerer.ask("Hoeveel BGI-testkits heeft het RIVM besteld?", mode="quote")
    assert not asked.refused
    assert asked.citations[0].unit_id == "001_f07640d600ade888#v8" and asked.refusal == ""


# Aanhangsel Handelingen (the unseen PDFs): the Delta Rhine Corridor's delay, and its route
DELAY = [
    "In de brief heeft mijn ambtsvoorganger uw Kamer geïnformeerd dat er verschillende "
    "redenen zijn waardoor de planning vier jaar opschuift."
]
PLAN = [
    "We hebben de intentie om na de gezamenlijke Voorkeursbeslissing naar separate "
    "projectbesluiten door te gaan."
]
# an answer of the 2,033 Kamervragen (../shared/data/kamervragen-qa-2033.csv), on the N36
ROAD = ["Zo is de rijbaan over een lengte van 16 kilometer verbreed."]
MEASURED = {"delay": DELAY, "plan": PLAN, "km": ROAD}


@pytest.mark.parametrize(
    ("question", "measure"),
    [
        ("Hoeveel kilometer lang wordt het leidingtracé van de Delta Rhine Corridor?", "kilometer"),
        ("Hoeveel jaar later dan gepland wordt de corridor opgeleverd?", "jaar"),
        ("How many weeks did the consultation run?", "week"),
        ("Hoeveel procent van de grondstoffen komt uit China?", "procent"),
        ("Hoeveel mensen wonen er langs het tracé?", None),  # a count, not a measure
        ("Weet u hoeveel kilometer het tracé lang wordt?", None),  # yes/no: "Nee" answers
    ],
)
def test_the_measure_a_question_asks_an_amount_in(question: str, measure: str | None) -> None:
    assert asks_measure(question) == measure


def test_an_amount_in_a_measure_is_answered_only_in_that_measure() -> None:
    length = "Over hoeveel kilometer is de rijbaan verbreed?"
    assert can_answer(["delay", "plan"], MEASURED.__getitem__, length) == []  # "vier jaar"
    assert can_answer(["plan", "km"], MEASURED.__getitem__, length) == ["km"]
    # a duration may be given in another unit of time: "vier jaar" for "hoeveel maanden"
    months = "Hoeveel maanden later dan gepland wordt de corridor opgeleverd?"
    assert can_answer(["delay", "km"], MEASURED.__getitem__, months) == ["delay"]
    later = "Hoeveel jaar later dan gepland wordt de corridor opgeleverd?"
    assert quote_order(["plan", "delay"], MEASURED.__getitem__, later) == ["delay"]
