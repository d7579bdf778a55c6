"""Which sentences of a unit to quote: the ones that answer the question, in their own words.

Each sentence is scored by its meaning (the multilingual embedder: the question in the query
role, the sentence in the passage role) together with the lexical evidence (IDF-weighted
overlap with the question's terms, rag/answering/quote.py). Sentences that carry what the
question asks for (a number or date for "hoeveel"/"wanneer", a name of the question) gain;
a sentence with a footnote gains when the question asks where something is written
("In welk Kamerstuk ..."); an opening sentence that answers a yes/no question directly
("Ja", "Nee, ...", "Het kabinet heeft ...") is kept. A sentence that only acknowledges knowing
the article a Kamervraag is about ("Ja, het kabinet is bekend met het artikel.") is never
quoted unless the question asks exactly that: it answers nothing else. A short answer is
quoted whole; a long one keeps its best sentence, the sentences close to it and the sentence
right after it when that one is nearly as close, while they fit a word budget, shown in
document order. The answer adds the footnotes of the quoted sentences (the Kamerstuk they
cite, rag/answering/notes.py). Sentence vectors are computed for the few candidate units at
query time and cached per unit in memory. Which passing unit is quoted first is decided here
too (quote_order): for a question asking how many, how much or when, a unit whose answer
states no number gives way to one that does, and a unit whose closest sentence stating a
number is clearly closer to the question than the first unit's goes first; a question
asking an amount of money or of a measure is answered only from a unit that speaks of it
(rag/answering/asks.py).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from rag.analysis.sentences import split_sentences
from rag.answering.asks import YES_NO, asks_money, can_answer, can_give
from rag.answering.choose_ack import acknowledgement, hollow_last
from rag.answering.cite import quotable_text
from rag.answering.notes import sentence_notes
from rag.answering.quote import Evidence, Quote
from rag.embedders.base import Embedder
from rag.types import Hit, Query, Unit

DIRECT = re.compile(
    r"^(ja|nee|neen|klopt|dat klopt|yes|no)\b|^(het|dit) kabinet (heeft|is|zal|wil|deelt|kan)\b"
    r"|^(dat is|dit is) (niet )?(het geval|juist|correct|onjuist)",
    re.IGNORECASE,
)
ASKS_NUMBER = re.compile(
    r"\b(hoeveel|hoe ?veel|wanneer|welk(e)? (bedrag|datum|jaar)|hoe groot|hoe lang|"
    r"how (many|much|long)|when|what date|which year)\b",
    re.IGNORECASE,
)
ASKS_SOURCE = re.compile(
    r"\b(kamerstuk\w*|kamerbrie[fv]\w*|brief|brieven|document\w*|rapport\w*|notitie|motie|"
    r"verwijs\w*|verwezen|bron(nen)?|waar (staat|staan|vind|is|zijn)|te vinden|"
    r"which (letter|document|paper|motion|report)|where|sources?|refers?)\b",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d")
STATES_NUMBER = re.compile(  # a digit or a number written out ("vier jaar"; not "acht", "ten")
    r"\d|\b(twee|drie|vier|vijf|zes|zeven|negen|tien|elf|twaalf|\w+tien|twintig|dertig|"
    r"veertig|vijftig|zestig|zeventig|tachtig|negentig|honderd|duizend|miljoen|miljard|helft|"
    r"two|three|four|five|six|seven|eight|nine|eleven|twelve|\w+teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half)\b",
    re.IGNORECASE,
)
WORDS = re.compile(r"\w+")
T = TypeVar("T")
# how much closer (cosine) another passing unit's closest sentence stating the number asked
# must be than the first unit's to be quoted first (fold A: 0.00-0.04 alike, 0.06 loses d125)
NUMBER_MARGIN = 0.02


@dataclass(frozen=True)
class ChoiceSettings:
    """Weights and budget of the sentence choice (chosen on fold A of eval/dev.jsonl)."""

    budget: int = 100  # words: an answer up to this long is quoted whole
    lexical_weight: float = 0.1  # lexical score (0..1 of the unit's best) beside cosine
    fact_bonus: float = 0.05  # a sentence with a number when the question asks for one
    source_bonus: float = 0.05  # a sentence with a footnote when the question asks for a source
    margin: float = 0.05  # besides the best, sentences scoring within this of it
    in_order: bool = True  # fill the budget in document order (else best first)
    # and the sentence right after the best when it scores within this of it: an answer
    # often names the topic in one sentence and gives the fact in the next ("... wordt
    # jaarlijks vastgesteld. In 2024 is die bijdrage 125 miljoen euro.")
    next_margin: float = 0.10


class SentenceVectors:
    """Per unit: its sentences embedded in the passage role, computed once, kept in memory."""

    def __init__(self, embedder: Embedder | None) -> None:
        self.embedder = embedder
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def of(self, unit_id: str, sentences: list[str]) -> np.ndarray | None:
        """(len(sentences), dim) unit vectors, or None without an embedder."""
        if self.embedder is None or not sentences:
            return None
        with self._lock:
            cached = self._cache.get(unit_id)
        if cached is None or len(cached) != len(sentences):
            cached = np.asarray(self.embedder.embed(sentences, "passage"), dtype=np.float32)
            with self._lock:
                self._cache[unit_id] = cached
        return cached

    def closeness(
        self, query: Query, unit_of: Callable[[Unit], Unit]
    ) -> Callable[[Hit, list[str]], list[float]]:
        """hit, some sentences of its quote unit (unit_of) -> their cosines with the question
        (embedded once per unit and set of sentences; [] without an embedder)."""

        def of(hit: Hit, texts: list[str]) -> list[float]:
            key = f"{unit_of(hit.unit).unit_id}|{hash(tuple(texts))}"
            matrix = self.of(key, texts) if query.vector is not None else None
            return [] if matrix is None else [float(c) for c in matrix @ query.vector]

        return of


def sentence_scores(
    evidence: Evidence, vectors: SentenceVectors, query: Query, unit: Unit
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The unit's sentences, their cosine with the question (0 without vectors) and their
    lexical score normalised to the unit's best (0..1)."""
    sentences = split_sentences(quotable_text(unit))
    lexical = np.array([evidence.sentence_score(query, s) for s in sentences], dtype=np.float32)
    if lexical.size and lexical.max() > 0:
        lexical = lexical / lexical.max()
    matrix = vectors.of(unit.unit_id, sentences) if query.vector is not None else None
    if matrix is None:
        cosine = np.zeros(len(sentences), dtype=np.float32)
    else:
        cosine = matrix @ np.asarray(query.vector, dtype=np.float32)
    return sentences, cosine, lexical


def choose(
    evidence: Evidence,
    vectors: SentenceVectors,
    query: Query,
    unit: Unit,
    settings: ChoiceSettings | None = None,
) -> list[Quote]:
    """The sentences to quote from the unit, in document order, verbatim."""
    sentences, cosine, lexical = sentence_scores(evidence, vectors, query, unit)
    noted = frozenset(sentence_notes(unit, sentences))
    keep = pick(sentences, cosine, lexical, query.text, settings or ChoiceSettings(), noted)
    return [Quote(unit.unit_id, sentences[i], float(cosine[i]), i) for i in keep]


def pick(
    sentences: list[str],
    cosine: np.ndarray,
    lexical: np.ndarray,
    question: str,
    s: ChoiceSettings,
    noted: frozenset[int] = frozenset(),
) -> list[int]:
    """Positions of the sentences to quote, in order (see the module docstring); noted are
    the sentences that carry a footnote (rag/answering/notes.py)."""
    usable = [i for i, text in enumerate(sentences) if len(text) > 3]
    if not usable:
        return []
    usable = [i for i in usable if not acknowledgement(sentences[i], question)] or usable
    words = [len(WORDS.findall(text)) for text in sentences]
    if sum(words[i] for i in usable) <= s.budget:  # a short answer: quote it whole
        return usable
    score = np.asarray(cosine, dtype=np.float32) + s.lexical_weight * np.asarray(lexical)
    if ASKS_NUMBER.search(question):
        score = score + s.fact_bonus * np.array([bool(NUMBER.search(t)) for t in sentences])
    asks_source = bool(noted) and bool(ASKS_SOURCE.search(question))
    if asks_source:
        score = score + s.source_bonus * np.array([i in noted for i in range(len(sentences))])
    order = sorted(usable, key=lambda i: (-float(score[i]), i))
    keep = [order[0]]  # the best sentence always
    sourced = [i for i in order if i in noted]
    if asks_source and sourced and sourced[0] not in keep:
        keep.append(sourced[0])  # asked where it is written: the footnote is the answer
    direct = YES_NO.search(question) and DIRECT.search(sentences[usable[0]])
    if direct and usable[0] not in keep:
        keep.append(usable[0])  # the opening sentence answers directly ("Ja", "Nee, ...")
    floor = float(score[order[0]]) - s.margin
    for i in usable if s.in_order else order:
        used = sum(words[j] for j in keep)
        if i not in keep and used + words[i] <= s.budget and score[i] >= floor:
            keep.append(i)
    after, used = order[0] + 1, sum(words[j] for j in keep)
    near = after in usable and score[after] >= float(score[order[0]]) - s.next_margin
    if near and after not in keep and used + words[after] <= s.budget:
        keep.append(after)
    return sorted(keep)


def stating(question: str) -> Callable[[str], bool] | None:
    """A test of one sentence: does it state what the question asks for (a number or date
    for "hoeveel" / "wanneer", with the money or the measure asked: asks.can_give)? None
    when the question asks for no number, or is a yes/no question ("Weet u hoeveel ...?"
    may be answered "Nee")."""
    if YES_NO.search(question) or not (ASKS_NUMBER.search(question) or asks_money(question)):
        return None
    speaks = can_give(question)
    if speaks is None:
        return lambda text: bool(STATES_NUMBER.search(text))
    return lambda text: bool(STATES_NUMBER.search(text)) and speaks(text)


def number_first(
    hits: list[T],
    sentences: Callable[[T], list[str]],
    question: str,
    close: Callable[[T, list[str]], list[float]] | None = None,
    margin: float = NUMBER_MARGIN,
) -> list[T]:
    """The hits in their order, except for a question asking how many, how much or when
    (stating). A first unit whose answer states no such number gives way to the first one
    that does: it cannot answer ("Hoeveel jaar later ..." and a first unit about the route,
    the second with "vier jaar"). With close (hit, sentences -> their cosines with the
    question), the unit whose closest sentence stating a number is closer than the first
    unit's, by margin, goes first: "Hoeveel geld levert de uitvoer naar China op?" is
    answered from "... verdiende Nederland 5,6 miljard euro aan de export ...", not from a
    first unit whose number is the import."""
    states = stating(question)
    if len(hits) < 2 or states is None:
        return hits
    numbers = [[text for text in sentences(hit) if states(text)] for hit in hits]
    if not numbers[0]:
        k = next((k for k, found in enumerate(numbers) if found), 0)
    elif close is None:
        return hits
    else:
        best = [max(close(hit, found), default=-1.0) if found else -1.0
                for hit, found in zip(hits, numbers, strict=True)]  # fmt: skip
        k = max(range(1, len(hits)), key=lambda i: (best[i], -i))
        k = k if best[k] > best[0] + margin else 0
    return [hits[k], *hits[:k], *hits[k + 1 :]] if k else hits


def quote_order(
    hits: list[T],
    sentences: Callable[[T], list[str]],
    question: str,
    close: Callable[[T, list[str]], list[float]] | None = None,
) -> list[T]:
    """The passing hits in the order they are quoted: the retriever's (the gate's strength
    judges evidence, the fused rank orders it: eval/RESULTS.md), without the units that
    cannot give the amount of money or measure asked (asks.can_answer; none left: a
    refusal), the unit that states the number asked first (number_first; close: see
    there), a hollow answer last (choose_ack.py)."""
    hits = can_answer(hits, sentences, question)
    return hollow_last(number_first(hits, sentences, question, close), sentences, question)
