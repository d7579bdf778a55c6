"""How the support check reads a sentence: its clauses, their negation and their content words.

A text is cut into segments at punctuation and before a conjunction ("maar", "omdat", "but",
...; "en"/"of" where a clause follows), a written sentence also at every "en"/"and" (but not
in "tussen A en B", "zowel A als B"). A segment is negated when it holds an odd number of
negation words that deny something: "niet", "geen", "zonder", "wegvallen", "ontbreken",
"lack", ...; phrases that deny nothing ("niet meer dan", "niet alleen", "niet-Chinese", "not
only", "zonder meer") and an answer particle ("Nee, ...") do not count. A short aside in
brackets is read inside its clause. A "dat"/"that" segment after a comma and a negated first
segment (its main clause) is negated with it ("Is de tijd niet gekomen, ..., dat u ..."). A
negation's scope runs from it to the next conjunction, and on past "of"/"noch" to the verb
that ends the clause ("geen testkits of apparatuur ... ingezet"). Content words are the
analyzer's stems (Dutch) or folded English words translated through support_facts.EN_NL; an
English word also matches a Dutch one with a shared stem. support_polarity judges agreement
with these."""

from __future__ import annotations

import re

from rag.analysis.query import ENGLISH_STOPWORDS
from rag.analysis.terms import Analyzer, fold
from rag.answering.support_facts import EN_NL, PARTICLE

NEGATION = re.compile(
    r"\b(niet|geen|nooit|niets|niemand|noch|nergens|not|no|never|none|nothing|nobody|nor|"
    r"neither|cannot|zonder|without|wegvallen|weggevallen|wegvalt|ontbreken|ontbreekt|"
    r"ontbrak|ontbraken|lacks?|lacking|absence)\b(?!-\w)|n't\b",
    re.IGNORECASE,
)
NOT_DENIAL = re.compile(  # a bound ("niet meer dan 5"), not "niet meer mogelijk" (no longer)
    r"\b(niet|geen|not|no)\s+(meer|minder|langer|later|eerder|more|less|longer|later|earlier)"
    r"\s+(dan|than)\b|\b(niet|not)\s+(alleen|slechts|enkel|only|merely)\b"
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
# but not in "tussen A en B" / "between A and B" / "zowel A als B": one thing, not two clauses
PAIR = re.compile(  # up to six words before the "en": "tussen de waterstofleiding in de DRC en"
    r"\b(tussen|between|zowel)\s+((?:[^\s,;:]+\s){1,6}?)(en|and|als)\s", re.IGNORECASE
)
DISJUNCTION = re.compile(r"(of|noch|or|nor)\s", re.IGNORECASE)
COMPLEMENT = re.compile(  # a clause its main clause governs ("dat u"), not "dat is"
    r"(dat|that)\s+(u|ik|wij|we|zij|ze|hij|het|de|een|er|men|dit|deze|die|you|we|they|the|it|"
    r"there)\s",
    re.IGNORECASE,
)
SEGMENT_KEEP = re.compile(f"({SEGMENT.pattern})")  # the same, separators kept
SCOPE = re.compile(  # "als" after a verb of regarding is no clause: "niet gezien als X"
    r"[,;:()\[\]–—.]|\s(?:en|of|maar|omdat|zodat|zolang|terwijl|want|hoewel|tenzij|dat|die|"
    r"waarbij|wanneer|(?<!gezien )(?<!beschouwd )(?<!aangemerkt )(?<!bedoeld )(?<!gebruikt )"
    r"(?<!dienen )(?<!dient )(?<!fungeert )als)\s",
    re.IGNORECASE,
)
SCOPE_KEEP = re.compile(f"({SCOPE.pattern})", re.IGNORECASE)  # the same, separators kept

MIN_SHARE = 0.5  # of the sentence segment's words, to pair it with a source segment
_ANALYZER = Analyzer()


BRACKETED = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


def unbracket(text: str) -> str:
    """The text with each short aside in brackets (at most three words, no negation) read
    inline: "There is not (yet) one ..." is one clause, "als (voorbereiding op) de
    invoering" too; a longer aside is a clause of its own ("(welke onderdelen wordt niet
    openbaar gemaakt)"), and so is one with a negation."""

    def inline(m: re.Match) -> str:
        aside = m.group(1)
        return m.group(0) if len(aside.split()) > 3 or NEGATION.search(aside) else aside

    return BRACKETED.sub(inline, text)


def negations(text: str) -> int:
    """How many negation words deny something in the text (module docstring)."""
    return len(NEGATION.findall(NOT_DENIAL.sub(" ", PARTICLE.sub("", text))))


def and_cut(text: str) -> str:
    """The text with each clause-joining "en"/"and" as a cut (" ; ")."""
    return AND.sub(" ; ", PAIR.sub(r"\1 \2& ", PARTICLE.sub("", unbracket(text))))


def segments(text: str, cut: str | None = None) -> list[tuple[str, bool]]:
    """The text cut at punctuation and before conjunctions, each piece with whether it is
    negated; a piece joined by "of"/"or" to a negated one is ("geen testkits of apparatuur
    ... ingezet")."""
    out: list[tuple[str, bool]] = []
    parts = SEGMENT_KEEP.split(PARTICLE.sub("", unbracket(text)) if cut is None else cut)
    for k in range(0, len(parts), 2):
        piece, sep = (parts[k] or "").strip(), parts[k - 1] if k else ""
        if not piece:
            continue
        negated = negations(piece) % 2 == 1  # "No attacks were not noticed": two cancel
        if not negated and out and out[-1][1] and DISJUNCTION.match(piece):
            negated = True
        if not negated and out and out[0][1] and sep == "," and COMPLEMENT.match(piece):
            negated = True  # "Is de tijd niet gekomen, ..., dat u ... gaat varen?"
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
    kan ik niet"); a part joined to a denied one by "of"/"noch" is denied too, with the
    verb that ends the clause ("geen testkits of apparatuur ... ingezet")."""
    out: set[str] = set()
    parts = SCOPE_KEEP.split(NOT_DENIAL.sub(" ", unbracket(piece)))
    denying = False
    for k in range(0, len(parts), 2):
        part, sep = parts[k] or "", parts[k - 1] if k else ""
        m = NEGATION.search(part)
        if m:
            out |= terms(part[m.end() :], False) or terms(part[: m.start()], False)
        elif denying and DISJUNCTION.fullmatch(sep.strip() + " "):
            out |= terms(part, False)
            continue
        denying = bool(m)
    return out


def clauses(text: str) -> list[tuple[str, bool]]:
    """The text cut as a written sentence is (segments, and at every "en"/"and"), each clause
    with content words and whether it is negated."""
    cut = and_cut(text)
    return [(c, neg) for c, neg in segments(text, cut) if terms(c, False)]
