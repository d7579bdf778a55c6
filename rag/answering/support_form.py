"""Is a model's sentence a whole claim, or a broken one? Read before its meaning is checked.

The support check (support.py) asks whether a source says what the sentence says; a small
model also writes sentences that share a source's words and meaning and still say nothing a
user can quote: a question copied from the prompt ("Bent u bekend met ...?"), a sentence cut
off by the token limit, a copy of the start of a source sentence with an invented ending
("Ten aanzien van de ... Industriële Basis hebben zijn."), a clause that stops at a
conjunction ("Hiervoor zijn uiteenlopende scenario's uitgewerkken, zoals."), a word no language has
("China is ... uitgemiddelkem van de Nederlandse economie."). Such a sentence is left out
whatever its support. A good model's paraphrase passes: it ends as a statement, its words
are words (of its sources, the question, or the Dutch and English word lists that the
pyspellchecker package ships; a compound of two such words counts), and where it copies the
start of a source sentence it carries that sentence's claim on.
"""

from __future__ import annotations

import difflib
import gzip
import json
import re
import threading
import unicodedata
from collections.abc import Container
from importlib.resources import files

from rag.analysis.sentences import split_sentences
from rag.analysis.terms import fold

_WORD = re.compile(r"\w+")
_END = re.compile(r"[.!]['\"”’»)]*$")
# words after which no Dutch or English sentence ends: articles, conjunctions and the
# prepositions that are no separable particle ("Het kabinet neemt dit mee." ends well)
_NO_END_TEXT = (
    "de het een der des en of maar want zoals dat omdat als die dan zodat hoewel indien "
    "terwijl waardoor waarbij waarvan van met tot zonder the a an and or but nor of to "
    "with such that which whose because although if than from"
)
NO_END = frozenset(_NO_END_TEXT.split())
COPIED_SHARE = 0.6  # of the sentence's words from one source sentence, in order: a copy
CLAIM_SHARE = 0.5  # of that source sentence's words a copy must carry to hold its claim
INVENTED_TAIL = 3  # words at most after the copied start: an ending made up
LANGUAGES = ("nl", "en")  # the word lists read (pyspellchecker's resources)
_LETTERS = re.compile(r"[^\W\d_]{5,}")  # words of five letters or more; names are checked
_LOCK = threading.Lock()
_LISTS: list[frozenset[str]] = []


def broken(
    sentence: str, sources: list[str], question: str = "", known: Container[str] | None = None
) -> str:
    """Why the sentence is no whole claim ("" when it is one); sources: the cited texts;
    known: the known words (default: the shipped word lists, read once)."""
    text = unicodedata.normalize("NFC", sentence.strip())
    if text.endswith("?"):
        return "a question, not an answer"
    if not _END.search(text):
        return "an unfinished sentence"
    words = _words(text)
    if words and words[-1] in NO_END:
        return f"a sentence that stops at '{words[-1]}'"
    for source in sources:
        for part in split_sentences(source):
            if _cut_copy(words, _words(part)):
                return "the start of a source sentence with another ending"
    odd = unknown_word(text, sources, question, known_words() if known is None else known)
    return f"no such word: '{odd}'" if odd else ""


def unknown_word(sentence: str, sources: list[str], question: str, words: Container[str]) -> str:
    """The first word of the sentence that is in none of the sources, not in the question
    and no word of the lists (alone or as a compound of two), or ""; a capitalised word
    inside the sentence is a name, left to the support check's facts."""
    seen = set(_words(" ".join(sources) + " " + question))
    for m in _LETTERS.finditer(sentence):
        token = m.group(0)
        if token[0].isupper() and sentence[: m.start()].strip():
            continue
        low = token.lower()
        if fold(low) in seen or low in words or _derived(low, words) or _compound(low, words):
            continue
        return token
    return ""


ENDINGS = ("heid", "heden", "ing", "ingen", "e", "en", "n", "s", "er", "ste", "de", "te")


def _derived(word: str, words: Container[str]) -> bool:
    """A known word (five letters or more) with a Dutch ending ("vakinhoudelijkheid")."""
    return any(
        word.endswith(end) and len(word) - len(end) >= 5 and word[: -len(end)] in words
        for end in ENDINGS
    )


def _compound(word: str, words: Container[str]) -> bool:
    """word = a known word, with a Dutch linking -s-, -e- or -en- or none, and a known word
    of four letters or more ("testkits", "vergelijkingstest")."""
    for i in range(4, len(word) - 3):
        head, tail = word[:i], word[i:]
        if tail in words and any(
            head.endswith(link) and head[: len(head) - len(link)] in words
            for link in ("", "s", "e", "en")
            if len(head) - len(link) >= 4
        ):
            return True
    return False


def known_words() -> frozenset[str]:
    """The Dutch and English word lists, lower case, also without diacritics (read once,
    about a second; warm() reads them in the background)."""
    with _LOCK:
        if not _LISTS:
            out: set[str] = set()
            for lang in LANGUAGES:
                path = files("spellchecker") / "resources" / f"{lang}.json.gz"
                with gzip.open(str(path), "rt", encoding="utf-8") as f:
                    out.update(json.load(f))
            out.update([fold(w) for w in out if not w.isascii()])
            _LISTS.append(frozenset(out))
        return _LISTS[0]


def warm() -> None:
    """Read the word lists in a background thread (before the model's first sentence)."""
    if not _LISTS:
        threading.Thread(target=known_words, daemon=True).start()


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _cut_copy(words: list[str], source: list[str]) -> bool:
    """The sentence copies the start of the source sentence (most of its own words, in
    order), ends in a few words of its own, and leaves most of the source's claim out."""
    if len(words) < 4 or len(source) <= len(words):
        return False
    blocks = difflib.SequenceMatcher(None, words, source, autojunk=False).get_matching_blocks()
    copied = sum(b.size for b in blocks)
    last = max((b for b in blocks if b.size), key=lambda b: b.a + b.size, default=None)
    if last is None or copied < COPIED_SHARE * len(words):
        return False
    tail = len(words) - (last.a + last.size)
    return 0 < tail <= INVENTED_TAIL and last.b + last.size < CLAIM_SHARE * len(source)
