"""Does the negation of a written sentence agree with its source?

Both sides are cut into segments: at punctuation and before a conjunction ("maar", "omdat",
"but", ...; "en"/"of" where a clause follows), the sentence also at every "en"/"and". Each
segment of the sentence is paired with the source segment that shares most of its content
words (an English word matches a Dutch one through support_facts.EN_NL or a shared stem;
among equals the one it covers most). When they share at least half of its words: - a
negated segment needs a negation in that source segment's sentence, near words it shares
("Nederland onderhoudt geen ..." for "... dat Nederland geen ... onderhoudt"); - a segment
without negation may not say what the source segment denies: the words from its negation to
the next conjunction ("geen testkits" -> "testkits"), and it may not be nothing but the rest
of a denial: a segment all of whose words are in a negated source segment and that says none
of what it denies ("Voor zover bekend bij het RIVM" for "Voor zover bekend bij het RIVM zijn
er geen medewerkers op sleutelposities ..."). A segment that shares too few words (an
English one, one of a single word, a paraphrase: "het staat dus niet in de Chinanotitie" for
"om die reden is dit niet ... opgenomen in de China notitie") is compared with the source
sentence closest to it in meaning: that sentence must be negated exactly when the segment
is, whichever way the segment leans ("dat is mogelijk door de complexe ketens" closest to
"Nee, dit is niet mogelijk" says what the source denies). That sentence is looked for with
the segment's negation words left out, so a claim and its denial are held to the same one
(with them, a denial's vector leans towards any denial of the source). When that sentence is
negated, its clause closest in meaning decides (the sentence cut as a written one is): "only
a throwaway phone" is closest to "... geen computer meegenomen, in China niet van de
provinciale e-mail gebruik gemaakt en alleen een wegwerptelefoon ...", whose last clause
denies nothing. "zonder"/"without" deny what follows as "geen" does ("zonder pasklaar
draaiboek" = "nog geen pasklaar draaiboek"), and so do "wegvallen", "ontbreken" and "lack"
("het wegvallen van coronasteun" = "geen coronasteunmaatregelen meer"). A short aside in
brackets is read inside its clause. A dat-clause of a negated main clause is negated with
it, and denies its own content ("Is de tijd niet gekomen, ..., dat u ... een hardere koers
gaat varen?" does not say that the time has come). Phrases with a negation word that deny
nothing ("niet meer dan", "niet alleen", "niet-Chinese", "not only", "zonder meer") do not
count, nor does an answer particle ("Nee, ...", "No, ..."); two negations in one segment
cancel. A negation's scope runs from it to the next conjunction, and on past "of"/"noch" to
the verb that ends the clause ("geen testkits of apparatuur ... ingezet ten behoeve van de
diagnostiek").

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

from rag.answering.support_clauses import (
    COMPLEMENT,
    MIN_SHARE,
    NEGATION,
    and_cut,
    clauses,
    denied,
    matches,
    negations,
    segments,
    shared,
    source_words,
    terms,
)

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
        (source_words(s, english), neg, _what_it_denies(s, neg), k)
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
            if not any(says) and _rest_of_denial(mine, passages, english):
                return False  # nothing but the rest of a denial, its negation left out:
                # "Voor zover bekend bij het RIVM" for "... RIVM zijn er geen medewerkers"
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


def _what_it_denies(piece: str, negated: bool) -> set[str]:
    """What a source segment denies: the scope of its negation, or all its content words
    when it is a dat-clause negated by its main clause."""
    if not negated:
        return set()
    governed = not negations(piece) and COMPLEMENT.match(piece)
    return terms(piece, False) if governed else denied(piece)


def _rest_of_denial(mine: set[str], sentences: list[str], english: bool) -> bool:
    """Is every clause of the source (its sentences cut as a written sentence is) that holds
    all of the segment's words negated, and is there one?"""
    held = [neg for p in sentences for c, neg in clauses(p)
            if shared(mine, source_words(c, english), english) >= 1.0]  # fmt: skip
    return bool(held) and all(held)


def _covered(words: set[str], mine: set[str]) -> float:
    """How much of a source segment the sentence's words cover (to pick among equals)."""
    return len(words & mine) / len(words) if words else 0.0
