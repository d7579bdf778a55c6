"""The cleaned body of a document and the constructors of its units.

``Body`` holds the document's lines after page headers and footnote bodies are gone; the
structural parsers (qa, provincial, letter) slice it and turn slices into ``Unit`` objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from rag.parsing.refs import find_keys
from rag.parsing.text import Layout, Line, paragraphs, render
from rag.types import Footnote, Unit


@dataclass(frozen=True)
class Body:
    """The running text of one document, ready to be cut into units."""

    doc: str
    lines: tuple[Line, ...]
    layout: Layout
    vocab: frozenset[str] = frozenset()
    notes: dict[int, Footnote] = field(default_factory=dict)

    def render(self, lines: Sequence[Line]) -> str:
        """Clean text of a slice of lines: paragraphs separated by a blank line."""
        return render(lines, self.layout, self.vocab)

    def paragraphs(self, lines: Sequence[Line]) -> list[list[Line]]:
        """The slice cut into paragraphs."""
        return paragraphs(lines, self.layout)

    def footnotes(self, lines: Sequence[Line]) -> tuple[Footnote, ...]:
        """Footnotes whose markers stand on these lines, in number order."""
        numbers = sorted({n for line in lines for n in line.notes})
        return tuple(self.notes[n] for n in numbers if n in self.notes)


def unit_refs(text: str, footnotes: Sequence[Footnote]) -> tuple[str, ...]:
    """Reference keys of a unit's text and then of its footnotes, without repeats."""
    keys = list(find_keys(text))
    for note in footnotes:
        keys += note.refs
    return tuple(dict.fromkeys(keys))


def qa_unit(
    body: Body,
    key: str,
    vraag: tuple[int, ...] | None,
    label: str,
    parts: tuple[str, str],
    lines: Sequence[Line],
) -> Unit:
    """A question with its answer; ``parts`` is (question, answer) as clean text."""
    question, answer = parts
    text = f"{question}\n\n{answer}"
    notes = body.footnotes(lines)
    return Unit(
        doc=body.doc,
        unit_id=f"{body.doc}#{key}",
        kind="qa",
        vraag=vraag,
        label=label,
        question=question,
        answer=answer,
        text=text,
        footnotes=notes,
        refs=unit_refs(text, notes),
    )


def question_unit(
    body: Body, key: str, vraag: tuple[int, ...] | None, label: str, question: str, lines
) -> Unit:
    """A question that has no answer in the document."""
    notes = body.footnotes(lines)
    return Unit(
        doc=body.doc,
        unit_id=f"{body.doc}#{key}",
        kind="question",
        vraag=vraag,
        label=label,
        question=question,
        text=question,
        footnotes=notes,
        refs=unit_refs(question, notes),
    )


def paragraph_unit(body: Body, n: int, lines: Sequence[Line], label: str = "") -> Unit:
    """Paragraph ``n`` (1-based) of a letter or plain document."""
    text = body.render(lines)
    notes = body.footnotes(lines)
    return Unit(
        doc=body.doc,
        unit_id=f"{body.doc}#p{n}",
        kind="paragraph",
        vraag=None,
        label=label or f"Alinea {n}",
        text=text,
        footnotes=notes,
        refs=unit_refs(text, notes),
    )


def numbers_key(numbers: Sequence[int]) -> str:
    """(8,) -> "v8"; (20, 21) -> "v20-21"; (3, 5) -> "v3+5" (not a run)."""
    nums = list(numbers)
    if len(nums) == 1:
        return f"v{nums[0]}"
    if nums == list(range(nums[0], nums[-1] + 1)):
        return f"v{nums[0]}-{nums[-1]}"
    return "v" + "+".join(str(n) for n in nums)
