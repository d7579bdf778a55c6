"""The facts of a written sentence, and whether its cited source has them.

Facts are numbers, dates and amounts (thousands separators aside, "51 duizend" = 51000,
"twintig" in the source backs "20"), codes of letters and digits ("5B", "CO2"), kenmerken,
Kamerstukken (dossier and number together), and proper names. The source of a fact is the
whole cited unit: its answer, its Vraag, its label ("Vraag 9"), its footnotes and its
document's header (members, ministers, title, kenmerk, dossiers, dates; "vorig jaar" is the
year before the document's). Names are matched across spelling and language: "Chinanotitie"
= "China notitie", "BZK" = Binnenlandse Zaken, and in an English sentence a name may be a
translation ("Paris Agreement" for "Overeenkomst van Parijs", EN_NL) or share its stem with
the Dutch word ("Paris"/"Parijs"). A word of a Dutch sentence may not be a garbled copy of a
source word.
"""

from __future__ import annotations

import re
from collections.abc import Container

from rag.analysis.lang import EN, NL
from rag.analysis.query import ENGLISH_STOPWORDS
from rag.analysis.terms import Analyzer, fold
from rag.answering.cite import quotable_text
from rag.types import DocMeta, Unit

NUMBER = re.compile(r"\d+(?:(?:[.,]|\s(?=\d{3}\b))\d+)*(?:\s+(duizend|thousand)\b)?")
MIXED = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])\w+\b")
# a Kamerstuk as dossier and number together: "24 446, nr. 74", "21 501-02, nr. 2241"
KAMERSTUK = re.compile(r"\b(\d{2})\s?(\d{3})(-\d+)?(?:\s+[A-Z]+)?,?\s+nr\.?\s*(\d+)")
KENMERK = re.compile(r"\b\d{4}[ZD]\d{5}\b")
NAME = re.compile(r"(?<=[\w,;:)] )[A-Z][\w'-]+")
# an answer particle: "Nee, ...", "No; ..." (not the determiner of "No cyber attacks")
PARTICLE = re.compile(r"^\s*(nee|neen|no|ja|yes)\b(\s*[,;:.!]\s*|\s*$)", re.IGNORECASE)
# English words of names and common terms, with the Dutch words they stand for (folded
# prefixes); "" for words that are no fact. General vocabulary, not the calibration's.
EN_NL = {
    "dutch": "nederland", "netherlands": "nederland", "holland": "nederland",
    "january": "januari", "february": "februari", "march": "maart", "may": "mei",
    "june": "juni", "july": "juli", "august": "augustus", "october": "oktober",
    "european": "europ", "europe": "europa", "parliament": "kamer", "house": "kamer",
    "cabinet": "kabinet", "government": "kabinet", "minister": "minister", "chinese": "chin",
    "china": "chin", "ministry": "ministerie", "interior": "binnenlandse",
    "foreign": "buitenlandse", "affairs": "zaken", "justice": "justitie",
    "security": "veiligheid", "health": "volksgezondheid", "economic": "economische",
    "defence": "defensie", "defense": "defensie", "agreement": "akkoord|overeenkomst",
    "joint": "gezamenlijk", "university": "universiteit", "council": "raad",
    "human": "mensen", "rights": "rechten", "united": "verenigde", "nations": "naties",
    "states": "staten", "union": "unie", "court": "hof", "police": "politie",
    "hague": "haag", "brussels": "brussel", "germany": "duitsland", "german": "duits",
    "france": "frankrijk", "french": "frans", "russia": "rusland", "russian": "russisch",
    "belgium": "belgi", "belgian": "belgisch", "american": "amerika", "america": "amerika",
    "us": "vs", "usa": "vs", "nato": "navo", "un": "vn", "communist": "communistisch",
    "party": "partij", "institute": "instituut", "province": "provincie", "i": "", "the": "",
}  # fmt: skip
# Dutch ministries by their usual abbreviation (Ministerie van Binnenlandse Zaken = BZK)
MINISTRIES = {
    "bzk": "binnenlandse", "bz": "buitenlandse", "ezk": "economische", "ez": "economische",
    "ocw": "onderwijs", "vws": "volksgezondheid", "jenv": "justitie", "ienw": "infrastructuur",
    "lnv": "landbouw", "szw": "sociale", "fin": "financien", "az": "algemene",
}  # fmt: skip
_NL = "twee drie vier vijf zes zeven acht negen tien elf twaalf dertien veertien vijftien "
_EN = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
WORD_NUMBERS = {  # "twintig" in the source backs "20" in a sentence
    w: str(n)
    for words in (_NL + "zestien zeventien achttien negentien twintig",
                  _EN + "sixteen seventeen eighteen nineteen twenty")
    for n, w in enumerate(words.split(), start=2)
}  # fmt: skip
LAST_YEAR = re.compile(r"\b(vorig|afgelopen) jaar\b|\blast year\b", re.IGNORECASE)
THIS_YEAR = re.compile(r"\bdit (voor|na)?jaar\b|\bthis year\b", re.IGNORECASE)
# words that start a sentence without being a name
STARTERS = frozenset(
    "via volgens sinds tijdens na voor door onder bij over daarna daarom daarnaast zo "  # noqa: SIM905
    "bovendien tenslotte eerder inmiddels beide slechts bijna ongeveer under after before "
    "since during according following besides however moreover also both only nearly "
    "about".split()
)
SUFFIXES = ("t", "d", "e", "en", "de", "te", "den", "ten", "s", "er", "ing", "ingen", "st")
_ANALYZER = Analyzer()


def numbers(text: str) -> set[str]:
    """Numbers in one form: thousands separators and the space of a dossier number out
    ("40.000", "30 821"), a decimal comma or point as "." ("19,6" and "19.6"), "51 duizend"
    as 51000."""
    out = set()
    for m in NUMBER.finditer(text):
        raw = m.group(0)[: m.start(1) - m.start(0)] if m.group(1) else m.group(0)
        groups = re.split(r"[.,\s]", raw.strip())
        if all(len(g) == 3 for g in groups[1:]):
            out.add("".join(groups) + ("000" if m.group(1) else ""))
        else:
            out.add("".join(groups[:-1]) + "." + groups[-1])
    return out


_MEASURES = (  # a unit of measure or a month; the English word first, then its Dutch one
    "meter metre|meter kilometer kilometre|kilometer centimeter millimeter kilo kilogram gram "
    "ton tonnes|ton liter litre|liter procent percent|procent euro euros|euro dollar miljoen "
    "million|miljoen miljard billion|miljard dag day|dag days|dag daag|dag week weeks|week "
    "maand month|maand months|maand jaar year|jaar years|jaar uur hour|uur hours|uur minuut "
    "minutes|minuut minut|minuut seconde second|seconde januari january|januari februari "
    "february|februari maart march|maart april mei may|mei juni june|juni juli july|juli "
    "augustus august|augustus september oktober october|oktober november december"
)
MEASURES = {
    w.split("|")[0]: w.split("|")[-1] for w in _MEASURES.split()
}  # stem (as the analyzer gives it) -> the Dutch unit


def measured(text: str) -> set[tuple[str, str]]:
    """Each number with the unit of measure or month that follows it ("8 meter" -> ("8",
    "meter"), "1 December" -> ("1", "december"))."""
    out = set()
    for m in NUMBER.finditer(text):
        word = re.match(r"\s*([^\W\d_]{2,})", text[m.end() :])
        stems = _ANALYZER.tokens(word.group(1)) if word else []
        if stems and stems[0] in MEASURES:
            out |= {(n, MEASURES[stems[0]]) for n in numbers(m.group(0))}
    return out


def unit_facts(unit: Unit, meta: DocMeta | None = None) -> str:
    """The text the facts of a sentence citing the unit are looked up in (module docstring)."""
    return "\n".join(p for p in (quotable_text(unit), unit.question, unit_extras(unit, meta)) if p)


def unit_extras(unit: Unit, meta: DocMeta | None = None) -> str:
    """What the unit says beside its answer and Vraag: its label, its footnotes and the
    document's header (members, ministers, title, kenmerk, dossiers, dates)."""
    parts = [unit.label] + [f.text for f in unit.footnotes]
    if meta is not None:
        people = meta.members + meta.ministers
        parts += [meta.title, meta.kenmerk or "", meta.kamerstuk_nr or "", *meta.dossiers]
        parts += [p.name for p in people] + [p.party or "" for p in people]
        parts += [d for d in (meta.date, meta.date_sent) if d]
        year = (meta.date or meta.date_sent or "")[:4]
        text = quotable_text(unit)
        if year.isdigit() and LAST_YEAR.search(text):
            parts.append(str(int(year) - 1))
        if year.isdigit() and THIS_YEAR.search(text):
            parts.append(year)
    return "\n".join(p for p in parts if p)


def missing_fact(sentence: str, source: str, english: bool = False) -> str:
    """The first fact of the sentence the source lacks, or ""."""
    for k in KENMERK.findall(sentence):
        if k not in source:
            return k
    stukken = {"".join(m) for m in KAMERSTUK.findall(source)}
    for m in KAMERSTUK.finditer(sentence):
        if "".join(m.groups("")) not in stukken:
            return m.group(0)
    folded = fold(source)
    for code in MIXED.findall(sentence):  # "5B", "G20", "CO2": as written
        if fold(code) not in folded:
            return code
    have = numbers(source) | {WORD_NUMBERS[w] for w in re.findall(r"\w+", folded)
                              if w in WORD_NUMBERS}  # fmt: skip
    for n in numbers(sentence):
        if n not in have:
            return n
    pairs = measured(source)  # a number with its unit or month: "1 meter" where the source
    counted = {w for _, w in pairs}  # has "8 meter" (and a "1" elsewhere)
    for n, w in sorted(measured(sentence)):
        if w in counted and (n, w) not in pairs:
            return f"{n} {w}"
    words = set(re.findall(r"\w+", folded))
    joined = re.sub(r"[\s'-]+", "", folded)
    for found in first_name(sentence) + NAME.findall(sentence):
        for name in (p for p in re.split(r"[-']", found) if p[:1].isupper()):
            if not name_found(name, words, joined, english):
                return name
    return ""


def name_found(name: str, words: set[str], joined: str, english: bool) -> bool:
    """Is the name (one capitalised word) in the source: as a word's start, inside a
    compound, as a ministry's abbreviation, or, in an English sentence, translated or as a
    shared stem?"""
    key = fold(name)
    keys = {key} | set(EN_NL.get(key, key).split("|")) | {MINISTRIES.get(key, key)}
    if "" in keys:
        return True
    for k in keys:
        if any(w.startswith(k[:6]) for w in words) or (len(k) >= 5 and k in joined):
            return True
    if english and len(key) >= 5:  # "Paris"/"Parijs": the stem without its last letter
        return any(w.startswith(key[: max(4, len(key) - 1)]) for w in words)
    return False


def first_name(sentence: str) -> list[str]:
    """The first word when it may be a name ("Rusland testte ..."): capitalised and no
    function word of either language."""
    m = re.match(r"\s*([A-Z][\w'-]{2,})\b(?![,;:])", PARTICLE.sub("", sentence))
    if not m or fold(m.group(1)) in ENGLISH_STOPWORDS | EN | NL | STARTERS:
        return []
    return [m.group(1)] if _ANALYZER.tokens(m.group(1)) else []


def garbled(
    sentence: str,
    source: str,
    vocabulary: Container[str] = frozenset(),
    known: Container[str] = frozenset(),
) -> str:
    """A word of a Dutch sentence that is a near miss of a source word (edit distance <= 2,
    or nearly all of a source word with a tail that is no word: "patiëntekeken"), not an
    inflection, no word of the corpus and none of the known words (the word lists: "schuift"
    beside a source's "schuiven"): a small model's garbled copy, or ""."""
    src = set(re.findall(r"\w{6,}", fold(source)))
    stems = set(_ANALYZER.tokens(" ".join(src)))
    for word in re.findall(r"\w{6,}", fold(sentence)):
        if word in src or word in vocabulary or word in known:
            continue
        if set(_ANALYZER.tokens(word)) <= stems:
            continue
        if any(inflection(word, w) for w in src):
            continue  # "besteld" -> "bestelde", "bestrijdt" -> "bestrijding"
        if any(abs(len(word) - len(w)) <= 2 and _close(word, w) for w in src):
            return word
        if any(_bad_tail(word, w, vocabulary) for w in src):
            return word
    return ""


def _bad_tail(word: str, src: str, vocabulary: frozenset[str]) -> bool:
    """The word starts with all but at most two letters of the source word (six or more)
    and goes on with something that is no word of the corpus."""
    n = 0
    while n < min(len(word), len(src)) and word[n] == src[n]:
        n += 1
    tail = word[n:]
    return n >= max(6, len(src) - 2) and len(tail) >= 3 and tail not in vocabulary


def inflection(a: str, b: str) -> bool:
    """One word is the other, or their shared stem (5+ letters) with a Dutch ending."""
    if a.startswith(b) or b.startswith(a):
        return True
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n >= 5 and a[n:] in SUFFIXES + ("",) and b[n:] in SUFFIXES + ("",)


def _close(a: str, b: str) -> bool:
    """Levenshtein distance of a and b is 1 or 2."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if min(cur) > 2:
            return False
        prev = cur
    return 0 < prev[-1] <= 2
