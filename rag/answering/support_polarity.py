"""Does the negation of a written sentence agree with its source?

Both sides are cut into segments: at punctuation and before a conjunction ("maar", "omdat",
"but", ...; "en"/"of" where a clause follows), the sentence also at every "en"/"and". Each
segment of the sentence is paired with the source segment that shares most of its content
words (an English word matches a Dutch one through support_facts.EN_NL or a shared stem;
among equals the one it covers most). When they share at least half of its words:
- a negated segment needs a negation in that source segment's sentence, near words it
  shares ("Nederland onderhoudt geen ..." for "... dat Nederland geen ... onderhoudt");
- a segment without negation may not say what the source segment denies: the words from
  its negation to the next conjunction ("geen testkits" -> "testkits").
A segment that shares too few words (an English one, one of a single word, a paraphrase:
"het staat dus niet in de Chinanotitie" for "om die reden is dit niet ... opgenomen in de
China notitie") is compared with the source sentence closest to it in meaning: that sentence
must be negated exactly when the segment is, whichever way the segment leans ("dat is
mogelijk door de complexe ketens" closest to "Nee, dit is niet mogelijk" says what the
source denies). When that sentence is negated, its clause closest in meaning decides (the
sentence cut as a written one is): "only a throwaway phone" is closest to "... geen computer
meegenomen, in China niet van de provinciale e-mail gebruik gemaakt en alleen een
wegwerptelefoon ...", whose last clause denies nothing. "zonder"/"without" deny what follows
as "geen" does ("zonder pasklaar draaiboek" = "nog geen pasklaar draaiboek"). Phrases with a
negation word that deny nothing ("niet meer dan", "niet alleen", "niet-Chinese", "not only",
"zonder meer") do not count, nor does an answer particle ("Nee, ...", "No, ..."); two
negations in one segment cancel.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.analysis.query import ENGLISH_STOPWORDS
from rag.analysis.terms import Analyzer, fold
from rag.answering.support_facts import EN_NL, PARTICLE

NEGATION = re.compile(
    r"\b(niet|geen|nooit|niets|niemand|noch|nergens|not|no|never|none|nothing|nobody|nor|"
    r"neither|cannot|zonder|without)\b(?!-\w)|n't\b",
    re.IGNORECASE,
)
NOT_DENIAL = re.compile(
    r"\b(niet|geen|not|no)\s+(meer|minder|langer|later|eerder|alleen|slechts|enkel|more|less|"
    r"longer|later|earlier|only|merely)\s+(dan|than|maar|but)?|\bnot only\b|\bniet alleen\b"
    r"|\bzonder (meer|twijfel)\b|\bwithout (a )?doubt\b",
    re.IGNORECASE,
)
SEGMENT = re.compile(  # lowercase conjunctions only; a comma between digits is a decimal
    r"(?<!\d),|,(?!\d)|[;:()\[\]–—]"
    r"|\s(?=(?:maar|omdat|zodat|zolang|terwijl|want|hoewel|tenzij|noch|but|because|while|"
    r"although|unless|nor)\s)"
    r"|\s(?=(?:en|of|and|or)\s+(?:de|het|een|er|dit|dat|deze|die|zij|ze|hij|wij|we|ik|u|daar|"
    r"daarom|daarnaast|bovendien|ook|dus|the|a|an|it|they|there|this|these|he|she|i)\s)"
)
AND = re.compile(r"\s(?:en|and)\s")  # the sentence is also cut at each "en": its clauses
DISJUNCTION = re.compile(r"(of|noch|or|nor)\s", re.IGNORECASE)
SCOPE = re.compile(
    r"[,;:()\[\]–—.]|\s(?:en|of|maar|omdat|zodat|zolang|terwijl|want|hoewel|tenzij|dat|die|"
    r"waarbij|wanneer|als)\s",
    re.IGNORECASE,
)
MIN_SHARE = 0.5  # of the sentence segment's words, to pair it with a source segment
_ANALYZER = Analyzer()


def negations(text: str) -> int:
    """How many negation words deny something in the text (module docstring)."""
    return len(NEGATION.findall(NOT_DENIAL.sub(" ", PARTICLE.sub("", text))))


def segments(text: str, cut: str | None = None) -> list[tuple[str, bool]]:
    """The text cut at punctuation and before conjunctions, each piece with whether it is
    negated; a piece joined by "of"/"or" to a negated one is ("geen testkits of apparatuur
    ... ingezet")."""
    out: list[tuple[str, bool]] = []
    for piece in SEGMENT.split(PARTICLE.sub("", text) if cut is None else cut):
        piece = (piece or "").strip()
        if not piece:
            continue
        negated = negations(piece) % 2 == 1  # "No attacks were not noticed": two cancel
        if not negated and out and out[-1][1] and DISJUNCTION.match(piece):
            negated = True
        out.append((piece, negated))
    return out


def terms(text: str, english: bool) -> set[str]:
    """Content words: the analyzer's stems (Dutch), or for English the folded words without
    English stopwords, translated through EN_NL where it knows them."""
    if not english:
        return {t for t in _ANALYZER.tokens(text) if not NEGATION.fullmatch(t)}
    out = set()
    for w in re.findall(r"\w{2,}", fold(text)):
        if w not in ENGLISH_STOPWORDS and not NEGATION.fullmatch(w):
            out.add(EN_NL.get(w, w).split("|")[0])
    return out


def matches(term: str, words: set[str], english: bool) -> bool:
    """Is the term among the source words (for English: a Dutch word with the same first
    five letters, or four for a short word: "diplomatic"/"diplomatiek")?"""
    if term in words:
        return True
    if not english or len(term) < 4:
        return False
    stem = term[: max(4, min(5, len(term) - 1))]
    return any(w.startswith(stem) for w in words)


def shared(sentence_terms: set[str], source_words: set[str], english: bool) -> float:
    """Share of the sentence's terms found among the source words."""
    if not sentence_terms:
        return 0.0
    found = sum(matches(t, source_words, english) for t in sentence_terms)
    return found / len(sentence_terms)


def source_words(text: str, english: bool) -> set[str]:
    """What a sentence's terms are looked up in: the stems, and for an English sentence
    the folded words too (a shared stem is a shared prefix of the word as written)."""
    words = set(_ANALYZER.tokens(text))
    return words | set(re.findall(r"\w{2,}", fold(text))) if english else words


def denied(piece: str) -> set[str]:
    """The terms a negation of the piece denies: from the negation word to the next
    conjunction ("dat", "en", ...), or the words before it when it ends its part ("dat
    kan ik niet")."""
    out: set[str] = set()
    for part in SCOPE.split(NOT_DENIAL.sub(" ", piece)):
        m = NEGATION.search(part or "")
        if m:
            out |= terms(part[m.end() :], False) or terms(part[: m.start()], False)
    return out


def clauses(text: str) -> list[tuple[str, bool]]:
    """The text cut as a written sentence is (segments, and at every "en"/"and"), each clause
    with content words and whether it is negated."""
    cut = AND.sub(" ; ", PARTICLE.sub("", text))
    return [(c, neg) for c, neg in segments(text, cut) if terms(c, False)]


def negation_agrees(
    sentence: str,
    passages: list[str],
    closest: Callable[[str], str],
    english: bool = False,
    nearest: Callable[[str, Sequence[str]], int] | None = None,
) -> bool:
    """Does each segment of the sentence have the negation of the source segment it says
    again (module docstring)? passages: the source's sentences; closest: the source sentence
    closest in meaning to a segment (an English one) whose words no source segment shares;
    nearest: which of some texts is closest in meaning to it (to pick the clause of a negated
    sentence; without it the whole sentence decides)."""
    pieces = [
        (source_words(s, english), neg, denied(s) if neg else set(), k)
        for k, p in enumerate(passages) for s, neg in segments(p)
    ]  # fmt: skip
    for seg, negated in segments(sentence, AND.sub(" ; ", PARTICLE.sub("", sentence))):
        mine = terms(seg, english)
        if not mine:
            continue
        scored = [(shared(mine, w, english), _covered(w, mine), n, d, k)
                  for w, n, d, k in pieces]  # fmt: skip
        best = max((s[:2] for s in scored), default=(0.0, 0.0))
        if best[0] < MIN_SHARE:
            # too few shared words (English, a single word, a paraphrase): the closest
            # source sentence in meaning must agree, whichever way the segment leans
            if _denies(seg, closest, nearest) != negated:
                return False  # a negation where that sentence has none, or back
            continue
        tied = [(n, d) for s, c, n, d, _ in scored if (s, c) == best]
        sentences = {k for s, c, _, _, k in scored if (s, c) == best}
        near = [n and any(matches(t, w, english) for t in mine)
                for w, n, _, k in pieces if k in sentences]  # fmt: skip
        if negated and not any(near):
            return False  # a negation the source sentence does not have
        if not negated and all(n and any(matches(t, d, english) for t in mine) for n, d in tied):
            return False  # says what the source denies
    return True


def _denies(
    seg: str, closest: Callable[[str], str], nearest: Callable[[str, Sequence[str]], int] | None
) -> bool:
    """Is the source text closest in meaning to the segment negated: its closest sentence,
    or, when that is negated, the clause of it closest in meaning (module docstring)."""
    sentence = closest(seg)
    if negations(sentence) == 0 or nearest is None:
        return negations(sentence) > 0
    parts = clauses(sentence)
    if len(parts) < 2:
        return negations(sentence) > 0
    return parts[nearest(seg, [c for c, _ in parts])][1]


def _covered(words: set[str], mine: set[str]) -> float:
    """How much of a source segment the sentence's words cover (to pick among equals)."""
    return len(words & mine) / len(words) if words else 0.0
