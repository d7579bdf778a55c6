"""What a question asks for, and whether a unit's answer can give it.

A question asking an amount of money ("Hoeveel geld ...", "How much did the RIVM pay ...",
"Wat kost ...") is answered only by a unit whose answer speaks of money: an amount, a
currency, a cost, a price, a budget, funding or payment ("De kosten zijn niet bekend" still
answers). A question asking an amount in a unit of measure ("Hoeveel kilometer ...",
"Hoeveel jaar later ...", "How many weeks ...") is answered only by a unit that speaks in
that measure or one of its kind ("vier jaar"; "twee weken" for "hoeveel dagen"). A unit
about the topic that says neither ("Wel zijn er in totaal 4 BGI testkits besteld ..." for
the price of the kits) cannot answer, however close its words are; with no unit left the
question is refused. A yes/no question ("Heeft het RIVM betaald ...?", "Weet het kabinet
hoeveel ...?") may be answered "Nee" and is never held to this. Checked on answers nobody
here wrote: eval/calibration_asks.py on the 2,033 real Kamervragen (eval/RESULTS.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

YES_NO = re.compile(
    r"^\s*(heeft|hebben|is|zijn|kan|kunnen|wordt|worden|zal|zullen|was|waren|werd|gaat|"
    r"wil|wilt|moet|mag|klopt|bent|weet|deelt|erkent|does|do|did|is|are|was|were|has|have|"
    r"will|can|could|should|would)\b",
    re.IGNORECASE,
)
ASKS_AMOUNT = re.compile(r"\b(hoeveel|hoe ?veel|welk(e)? bedrag(en)?|how much|what amount)\b", re.I)
MONEY_ASKED = re.compile(  # what makes "hoeveel" / "how much" an amount of money
    r"\b(geld|euro|kost(en|te|ten|t)?|gekost|betaald|betalen|betaalt|uitgegeven|uitgeven|"
    r"uitgetrokken|bedrag\w*|budget\w*|prijs|money|pay|paid|costs?|spend|spent|price\w*)\b",
    re.IGNORECASE,
)
OTHER_COST = re.compile(  # "Hoeveel tijd kost ...", "How much time did they spend ...": not money
    r"\b(tijd|moeite|energie|capaciteit|mankracht|time|effort|energy|capacity)\b", re.IGNORECASE
)
NAMES_MONEY = re.compile(
    r"\b(geld|euro|bedrag\w*|budget\w*|prijs|vergoeding\w*|betaa?l\w*|money|price\w*|pa(y|id)\w*)\b",
    re.IGNORECASE,
)
COSTS = re.compile(
    r"\bwat (kost|kostte|kosten)\b|\bwhat (does|did|will|would)\b.{0,60}\bcost\b", re.IGNORECASE
)
SPEAKS_MONEY = re.compile(  # an amount, a cost, a price, a budget, funding, payment
    r"[€$]|\b(euro|eur|dollars?|\w*kost\w*|\w*bedrag\w*|\w*geld(middelen|stro\w+)?|\w*budget\w*|"
    r"\w*prijs\w*|prijzen|betaa?l\w*|\w*financi\w*|\w*subsidie\w*|miljoen|miljard|costs?|"
    r"paid|pay\w*|price\w*|fund\w*|money|spen[dt]\w*)\b",
    re.IGNORECASE,
)
MEASURES = {  # a unit of measure -> how an answer may write it
    "kilometer": r"kilometers?|kilometres?|km",
    "meter": r"meters?|metres?|m",
    "jaar": r"jaar|jaren|years?",
    "maand": r"maand(en)?|months?",
    "week": r"weken|weeks?",
    "dag": r"dag(en)?|days?",
    "uur": r"uur|uren|hours?",
    "procent": r"procent\w*|percent\w*|%",
    "ton": r"tons?|tonnes?",
    "liter": r"liters?|litres?",
    "hectare": r"hectares?|ha",
}
# the measures an answer may give an amount asked in another one of in: a length in metres
# for "hoeveel kilometer", a duration in weeks for "hoeveel dagen"
KINDS = (("kilometer", "meter"), ("jaar", "maand", "week", "dag", "uur"))
ANSWERED_IN = {unit: next((k for k in KINDS if unit in k), (unit,)) for unit in MEASURES}
MEASURE_WORDS = {written: unit for unit, forms in MEASURES.items() for written in forms.split("|")}
ASKS_MEASURE = re.compile(  # "hoeveel kilometer", "how many weeks": the measure right after
    r"\b(?:hoeveel|hoe ?veel|how many|how much)\s+(" + "|".join(MEASURES.values()) + r")(?!\w)",
    re.IGNORECASE,
)
T = TypeVar("T")


def asks_money(question: str) -> bool:
    """True when the question asks an amount of money, not whether something was paid."""
    if YES_NO.search(question):
        return False
    if OTHER_COST.search(question) and not NAMES_MONEY.search(question):
        return False  # the cost asked is time or effort
    return bool(ASKS_AMOUNT.search(question) and MONEY_ASKED.search(question)) or bool(
        COSTS.search(question)
    )


def asks_measure(question: str) -> str | None:
    """The unit of measure the question asks an amount in ("kilometer"), or None."""
    found = None if YES_NO.search(question) else ASKS_MEASURE.search(question)
    if found is None:
        return None
    written = found.group(1).lower()
    return next((u for w, u in MEASURE_WORDS.items() if re.fullmatch(w, written)), None)


def can_give(question: str) -> Callable[[str], bool] | None:
    """A test of one answer sentence for what the question asks (None: anything may answer)."""
    if asks_money(question):
        return lambda text: bool(SPEAKS_MONEY.search(text))
    measure = asks_measure(question)
    if measure is None:
        return None
    forms = "|".join(MEASURES[unit] for unit in ANSWERED_IN[measure])
    speaks = re.compile(r"(?<!\w)(" + forms + r")(?!\w)", re.IGNORECASE)
    return lambda text: bool(speaks.search(text))


def can_answer(hits: list[T], sentences: Callable[[T], list[str]], question: str) -> list[T]:
    """The hits, in their order, whose answer can give the amount the question asks for."""
    test = can_give(question)
    if test is None:
        return hits
    return [hit for hit in hits if any(test(text) for text in sentences(hit))]
