"""Vraag/Antwoord documents: written questions, with or without their answers.

Headings stand alone on a line: ``Vraag 8``, ``Vraag 3, 4 en 5``, ``Vragen 3 t/m 5``,
``Antwoord``, ``Antwoord 8``, ``Antwoord vragen 20 en 21``, ``Antwoord op vraag 2 en 3``,
``Mededeling``. An answer covering several questions makes ONE unit (``#v20-21``). Under one
combined heading ("Vraag 3, 4 en 5") the question text is the text after it; questions with
headings of their own start with the first question (its heading is in the label) and keep
the later headings ("...\n\nVraag 21\n...").
Labels use the document's words: "Vraag 3, 4 en 5 / Antwoord 3, 4 en 5" where the document says
"Antwoord 3, 4 en 5", "Antwoord vragen 20 en 21" where it says that.

An answer that points to another answer ("Zie het antwoord op vraag 15.", "Zoals aangegeven in
het antwoord op vraag 4, ...") keeps only its own text; ``see_units`` holds the unit ids it
points to, so a citation can link them without putting words in this unit's mouth.

A ``Mededeling`` (a notice that the answers come later or elsewhere) becomes a paragraph unit
``#p1`` labelled "Mededeling"; the questions stay question units, each with the Mededeling in
``see_units``, and the document's kind is "questions".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.parsing.dutch import NUMBER_LIST, numbers_text, parse_numbers
from rag.parsing.text import Line
from rag.parsing.units import Body, numbers_key, paragraph_unit, qa_unit, question_unit
from rag.types import Unit

_LIST = NUMBER_LIST
Q_HEAD = re.compile(rf"^(?P<words>Vra(?:ag|gen))\s+(?P<nums>{_LIST})\s*[:.]?$")
A_HEAD = re.compile(
    rf"^(?P<words>Antwoord(?:en)?(?:\s+(?:op\s+|bij\s+)?(?:de\s+)?(?:vraag|vragen))?)"
    rf"(?:\s+(?P<nums>{_LIST}))?\s*[:.]?$"
)
M_HEAD = re.compile(r"^Mededeling\s*[:.]?$")
# "Zie het antwoord op vraag 15", "in mijn antwoord op vraag 2", "de antwoorden op vragen 4 en 5"
SEE_ANSWER = re.compile(
    rf"\bantwoord(?:en)?\s+(?:(?:op|bij)\s+)?(?:de\s+)?(?:vraag|vragen)\s+(?P<nums>{_LIST})",
    re.IGNORECASE,
)
# ... unless the answer meant is another document's: "vraag 2 van het lid X", "in de brief van"
_ELSEWHERE = re.compile(
    r"\s*(?:van\s+(?:het\s+lid|de\s+leden|de\s+vragen|uw\s+Kamer)|\(?(?:in\s+)?(?:de|het|mijn)\s+(?:brief|Aanhangsel)"
    r"|\(?Aanhangsel|\(?Kamerstuk)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Block:
    """A heading and the lines up to the next heading."""

    kind: str  # "Q", "A" or "M"
    nums: tuple[int, ...]
    lines: tuple[Line, ...]
    at: int  # index of the heading line
    words: str = ""  # the heading's words before its numbers: "Vraag", "Antwoord vragen"


def heading(line: Line) -> tuple[str, tuple[int, ...], str] | None:
    """("Q" | "A" | "M", numbers, the heading's words) when the line is a heading."""
    text = line.stripped
    if m := Q_HEAD.match(text):
        return "Q", parse_numbers(m["nums"]), m["words"]
    if m := A_HEAD.match(text):
        return "A", parse_numbers(m["nums"] or ""), m["words"]
    if M_HEAD.match(text):
        return "M", (), "Mededeling"
    return None


def blocks(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], list[Block]]:
    """The lines before the first heading, and one block per heading."""
    heads = [(i, h) for i, line in enumerate(lines) if (h := heading(line))]
    if not heads:
        return lines, []
    out = []
    for j, (i, (kind, nums, words)) in enumerate(heads):
        end = heads[j + 1][0] if j + 1 < len(heads) else len(lines)
        out.append(Block(kind, nums, lines[i + 1 : end], i, words))
    return lines[: heads[0][0]], out


def has_questions(lines: tuple[Line, ...]) -> bool:
    """True when the text has at least one ``Vraag N`` heading."""
    return any(heading(line) and heading(line)[0] == "Q" for line in lines)


def has_answers(lines: tuple[Line, ...]) -> bool:
    """True when the text has at least one ``Antwoord`` heading."""
    return any(heading(line) and heading(line)[0] == "A" for line in lines)


def parse_units(body: Body) -> tuple[tuple[Line, ...], list[Unit]]:
    """The preamble lines and the units of a Vraag/Antwoord document, in document order."""
    preamble, parts = blocks(body.lines)
    placed: list[tuple[int, Unit]] = []
    pending: list[Block] = []
    for block in parts:
        if block.kind == "Q":
            pending.append(block)
        elif block.kind == "A":
            answered = [q for q in pending if set(q.nums) & set(block.nums)] or pending
            pending = [q for q in pending if q not in answered]
            if answered:
                placed.append((answered[0].at, _qa(body, answered, block)))
        else:
            placed.append((block.at, paragraph_unit(body, 1, block.lines, label="Mededeling")))
    placed += [(q.at, _question(body, q)) for q in pending]
    units = [u for _, u in sorted(placed, key=lambda item: item[0])]
    units = _unique_ids([replace(u, order=i) for i, u in enumerate(units)])
    return preamble, link_answers(units)


def _qa(body: Body, questions: list[Block], answer: Block) -> Unit:
    nums = tuple(sorted({n for q in questions for n in q.nums}))
    # the first heading is in the label ("Vraag 20 en 21"), so the text starts with the
    # question; a later question keeps its own heading, as in the document ("Vraag 21\n...")
    texts = [body.render(questions[0].lines)] + [
        f"{q.words} {numbers_text(q.nums)}\n{body.render(q.lines)}" for q in questions[1:]
    ]
    words = questions[0].words if len(questions) == 1 else "Vraag"
    label = f"{words} {numbers_text(nums)} / {answer.words} {numbers_text(answer.nums or nums)}"
    lines = [line for q in questions for line in q.lines] + list(answer.lines)
    parts = ("\n\n".join(texts), body.render(answer.lines))
    return qa_unit(body, numbers_key(nums), nums, label, parts, lines)


def _question(body: Body, q: Block) -> Unit:
    label = f"{q.words} {numbers_text(q.nums)}"
    return question_unit(body, numbers_key(q.nums), q.nums, label, body.render(q.lines), q.lines)


def _unique_ids(units: list[Unit]) -> list[Unit]:
    """A repeated question number gets ``.2``, ``.3`` so every unit_id stays unique."""
    seen: dict[str, int] = {}
    out = []
    for unit in units:
        seen[unit.unit_id] = seen.get(unit.unit_id, 0) + 1
        if seen[unit.unit_id] > 1:
            unit = replace(unit, unit_id=f"{unit.unit_id}.{seen[unit.unit_id]}")
        out.append(unit)
    return out


def link_answers(units: list[Unit]) -> list[Unit]:
    """Fill ``see_units``: the answers an answer points to, the Mededeling for open questions."""
    by_number = {n: u.unit_id for u in units if u.kind == "qa" for n in (u.vraag or ())}
    notice = next((u.unit_id for u in units if u.label == "Mededeling"), None)
    out = []
    for unit in units:
        if unit.kind == "qa":
            see = [by_number.get(n) for n in answer_references(unit.answer)]
            see = [uid for uid in dict.fromkeys(see) if uid and uid != unit.unit_id]
        else:
            see = [notice] if notice and unit.kind == "question" else []
        out.append(replace(unit, see_units=tuple(see)) if see else unit)
    return out


def answer_references(text: str) -> tuple[int, ...]:
    """Question numbers whose answers ``text`` points to, in order of mention."""
    found: list[int] = []
    for m in SEE_ANSWER.finditer(text):
        if not _ELSEWHERE.match(text, m.end()):
            found += [n for n in parse_numbers(m["nums"]) if n not in found]
    return tuple(found)
