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
China notitie") is compared with the source sentence closest to it in meaning: that
sentence must be negated exactly when the segment is, whichever way the segment leans ("dat
is mogelijk door de complexe ketens" closest to "Nee, dit is niet mogelijk" says what the
source denies). That sentence is looked for with the segment's negation words left out, so
a claim and its denial are held to the same one (with them, a denial's vector leans towards
any denial of the source). When that sentence is negated, its clause closest in meaning
decides (the sentence cut as a written one is): "only a throwaway phone" is closest to "...
geen computer meegenomen, in China niet van de provinciale e-mail gebruik gemaakt en alleen
een wegwerptelefoon ...", whose last clause denies nothing. "zonder"/"without" deny what
follows as "geen" does ("zonder pasklaar draaiboek" = "nog geen pasklaar draaiboek"), and so
do "wegvallen", "ontbreken" and "lack" ("het wegvallen van coronasteun" = "geen
coronasteunmaatregelen meer"). A short aside in brackets is read inside its clause.
Phrases with a negation word that deny nothing ("niet meer dan", "niet alleen",
"niet-Chinese", "not only", "zonder meer") do not count, nor does an answer particle
("Nee, ...", "No, ..."); two negations in one segment cancel. A negation's scope runs from it to the
next conjunction, and on past "of"/"noch" to the verb that ends the clause ("geen testkits
of apparatuur ... ingezet ten behoeve van de diagnostiek").

A reporting frame ("Het kabinet kiest niet", "Het antwoord zegt niet dat ...", "er is geen
antwoord in dit document") states what the source does or does not say. Its denial is an
absence claim: it agrees when the source lacks what the frame says it does not say (the
words after the verb, who it is about left out); a plain frame must say something the
source has, and one that says nothing ("Het kabinet kiest") claims what the source does
not, unless it introduces what follows ("Het kabinet zegt: ...").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
SCOPE = re.compile(  # "als" after a verb of regarding is no clause: "niet gezien als X"
    r"[,;:()\[\]–—.]|\s(?:en|of|maar|omdat|zodat|zolang|terwijl|want|hoewel|tenzij|dat|die|"
    r"waarbij|wanneer|(?<!gezien )(?<!beschouwd )(?<!aangemerkt )(?<!bedoeld )(?<!gebruikt )"
    r"(?<!dienen )(?<!dient )(?<!fungeert )als)\s",
    re.IGNORECASE,
)
SCOPE_KEEP = re.compile(f"({SCOPE.pattern})", re.IGNORECASE)  # the same, separators kept
# a statement about what the source says or does (a reporting frame): "Het kabinet kiest
# niet", "Het antwoord zegt niet dat ...", "er is geen antwoord", "the government does not
# say which ..."; what follows its verb is its complement
REPORT = re.compile(
    r"\b(zegt|zeggen|zei|zeiden|gezegd|noemt|noemen|noemde|noemden|genoemd|vermeldt|vermelden|"
    r"vermeldde|meldt|melden|meldde|gemeld|schrijft|schrijven|schreef|antwoordt|antwoordde|"
    r"beantwoordt|kiest|kiezen|koos|kozen|gekozen|"
    r"(?:geen|een) (?:antwoord|keuze|uitspraak|standpunt)|says|say|said|mentions?|mentioned|"
    r"states|stated|specif(?:y|ies|ied)|chooses|choose|chose|addresses|addressed|"
    r"(?:no|an) answer)\b",
    re.IGNORECASE,
)
CHOICE = re.compile(r"\b(kies|kiez|koos|kozen|gekozen|keuze|choos|chose)\w*", re.IGNORECASE)
# who or what a reporting frame is about: not part of what it says
SUBJECTS = "kabinet regering minister staatssecretaris overheid antwoord document brief tekst "
SUBJECTS += "government cabinet minister answer document letter text"
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
    for piece in SEGMENT.split(PARTICLE.sub("", unbracket(text)) if cut is None else cut):
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


def complement(seg: str, english: bool) -> set[str] | None:
    """The content words a reporting frame of the segment says the source says (or does
    not say), or None when the segment has no reporting frame."""
    found = list(REPORT.finditer(seg))
    if not found:
        return None
    rest = seg[found[-1].end() :]
    return terms(rest, english) - terms(SUBJECTS, english) - terms(SUBJECTS, not english)


def frame_agrees(
    seg: str, negated: bool, source: set[str], english: bool, intro: bool
) -> bool | None:
    """A reporting frame's verdict: True or False, or None to let the segment's other
    words decide. A denial that the source says something agrees when the source lacks
    what it would have said (an absence claim: "Het kabinet kiest niet"); a plain frame
    must say something the source has ("Het kabinet zegt dat ..." with the source's
    words), unless it only introduces what follows ("Het kabinet zegt:"). What an English
    frame says is left to the other rules: few English words show in a Dutch source, so
    their absence proves nothing."""
    said = complement(seg, english)
    if said is None or (said and english):
        return None
    present = bool(said) and shared(said, source, english) >= MIN_SHARE
    if negated:
        return None if present else True
    if not said:
        return bool(intro)
    return None if present else False


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
    whole = source_words(" ".join(passages), english)
    for seg, negated in segments(sentence, and_cut(sentence)):
        # "Het kabinet zegt:" introduces what follows; "Het kabinet kiest:" claims a choice
        intro = re.search(re.escape(seg) + r"\s*:", sentence) and not CHOICE.search(seg)
        verdict = frame_agrees(seg, negated, whole, english, intro)
        if verdict is False:
            return False
        mine = terms(seg, english)
        if verdict or not mine:
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
        if not negated and all(n for n, _ in tied):
            says = [any(matches(t, d, english) for t in mine) for _, d in tied]
            if all(says):
                return False  # says what the source denies
            if not any(says) and _denies(seg, closest, nearest):
                return False  # says another thing in its place: "aangemoedigd" for
                # "niet gestimuleerd", where the source closest in meaning denies
    return True


def _denies(
    seg: str, closest: Callable[[str], str], nearest: Callable[[str, Sequence[str]], int] | None
) -> bool:
    """Is the source text closest in meaning to the segment negated: its closest sentence,
    or, when that is negated, the clause of it closest in meaning (module docstring)? The
    sentence is looked for without the segment's negation words, so that a claim and its
    denial look for the same one (a denial's vector leans towards the source's denials)."""
    sentence = closest(re.sub(r"\s{2,}", " ", NEGATION.sub(" ", seg)).strip() or seg)
    if negations(sentence) == 0 or nearest is None:
        return negations(sentence) > 0
    parts = clauses(sentence)
    if len(parts) < 2:
        return negations(sentence) > 0
    return parts[nearest(seg, [c for c, _ in parts])][1]


def _covered(words: set[str], mine: set[str]) -> float:
    """How much of a source segment the sentence's words cover (to pick among equals)."""
    return len(words & mine) / len(words) if words else 0.0
