"""Units -> passages: a unit is embedded whole unless it is longer than the embedder reads.

Token counts come from the embedder's own tokenizer (its folder's ``tokenizer.json``, read
with the light ``tokenizers`` library), because that is what the embedder truncates at.
tiktoken was the first plan, but its encodings are downloaded on first use, which this
offline tool must never do. A folder without ``tokenizer.json`` falls back to a word
counter. Passages are cut at word starts, with an overlap, and keep their unit's id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from rag.types import DocMeta, Passage, Unit

Span = tuple[int, int]
WORD_RE = re.compile(r"\w+|[^\w\s]")
HEADER_STYLE = "title+label"  # stored in the manifest: what is put before the passage text
FIELDS = "text+question+answer"  # what is embedded per unit (rag.types.Passage.field)


class TokenSpans(Protocol):
    """Anything that splits text into tokens and gives their character spans."""

    name: str

    def spans(self, text: str) -> list[Span]:
        """Character (start, end) of every token, in order."""
        ...


class WordPieceSpans:
    """Token spans from a Hugging Face ``tokenizer.json`` (no truncation, no padding)."""

    def __init__(self, path: Path, name: str) -> None:
        from tokenizers import Tokenizer

        self.name = name
        self.tokenizer = Tokenizer.from_file(str(path))
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def spans(self, text: str) -> list[Span]:
        """Character spans of the word pieces of text."""
        return list(self.tokenizer.encode(text, add_special_tokens=False).offsets)


class WordSpans:
    """Fallback: words and punctuation marks (fewer than word pieces, so set max_tokens low)."""

    name = "words"

    def spans(self, text: str) -> list[Span]:
        """Character spans of the words and punctuation marks of text."""
        return [m.span() for m in WORD_RE.finditer(text)]


def token_spans_for(model_dir: Path, name: str) -> TokenSpans:
    """The tokenizer of an embedder folder, or the word fallback when it has none."""
    path = Path(model_dir) / "tokenizer.json"
    if path.is_file():
        return WordPieceSpans(path, f"tokenizer.json of {name}")
    return WordSpans()


@dataclass(frozen=True)
class Chunker:
    """Splits unit texts into passages of at most max_tokens tokens, overlapping."""

    tokens: TokenSpans
    max_tokens: int = 200
    overlap_tokens: int = 40

    def __post_init__(self) -> None:
        if not 0 <= self.overlap_tokens < self.max_tokens // 2:
            raise ValueError("overlap_tokens must be >= 0 and below half of max_tokens")

    def describe(self) -> dict:
        """The settings that decide passage boundaries (for the manifest)."""
        return {
            "tokenizer": self.tokens.name,
            "max_tokens": self.max_tokens,
            "overlap_tokens": self.overlap_tokens,
            "header": HEADER_STYLE,
            "fields": FIELDS,
        }

    def split(self, text: str) -> list[str]:
        """The text itself when short enough, else overlapping pieces cut at word starts."""
        spans = self.tokens.spans(text)
        if len(spans) <= self.max_tokens:
            return [text.strip()] if text.strip() else []
        return [text[spans[a][0] : spans[b - 1][1]].strip() for a, b in self.windows(text, spans)]

    def windows(self, text: str, spans: list[Span]) -> list[tuple[int, int]]:
        """Token index ranges [a, b) covering all spans, each at most max_tokens long."""
        starts = _word_starts(text, spans)
        out: list[tuple[int, int]] = []
        a, n = 0, len(spans)
        while True:
            b = min(a + self.max_tokens, n)
            if b < n:
                b = _last_start_in(starts, a + self.max_tokens // 2, b) or b
            out.append((a, b))
            if b >= n:
                return out
            a = _last_start_in(starts, a + 1, b - self.overlap_tokens) or b - self.overlap_tokens

    def passages(self, units: Iterable[Unit], first_id: int = 0) -> list[Passage]:
        """Passages of the units, numbered from first_id, each keeping its unit's id: the
        pieces of the running text, then the Vraag and the Antwoord whole (a user's question
        often resembles the member's question more than the answer; eval/RESULTS.md)."""
        out: list[Passage] = []
        for unit in units:
            pieces = [("text", piece) for piece in self.split(unit.text)]
            whole = [("question", unit.question.strip()), ("answer", unit.answer.strip())]
            if not unit.answer.strip() and not unit.question.strip():
                whole = [("answer", unit.text.strip())]  # a paragraph: the text whole
            for part, (field_, text) in enumerate(p for p in pieces + whole if p[1]):
                pid = first_id + len(out)
                out.append(Passage(pid, unit.unit_id, unit.doc, text, part, field_))
        return out


def _word_starts(text: str, spans: list[Span]) -> list[bool]:
    """For each token: does it begin a word (start of text or whitespace before it)?"""
    return [s == 0 or text[s - 1].isspace() for s, _ in spans]


def _last_start_in(starts: list[bool], low: int, high: int) -> int | None:
    """The largest i in [low, high] where a word begins, or None."""
    for i in range(min(high, len(starts) - 1), max(low, 1) - 1, -1):
        if starts[i]:
            return i
    return None


def header(unit: Unit, meta: DocMeta | None) -> str:
    """What is put before a passage when it is embedded: document title and unit label."""
    title = meta.title.strip() if meta else ""
    parts = [p for p in (title, unit.label.strip()) if p]
    return " | ".join(parts)


def embed_text(passage: Passage, unit: Unit, meta: DocMeta | None) -> str:
    """The text that is embedded for a passage: a text piece after its header; the Vraag
    and the Antwoord as they are."""
    if passage.field != "text":
        return passage.text
    head = header(unit, meta)
    return f"{head}\n{passage.text}" if head else passage.text
