"""Vraag/Antwoord documents: written questions, with or without their answers.

Headings stand alone on a line: ``Vraag 8``, ``Vraag 3, 4 en 5``, ``Vragen 3 t/m 5``,
``Antwoord``, ``Antwoord 8``, ``Antwoord vragen 20 en 21``, ``Antwoord op vraag 2 en 3``,
``Mededeling``. An answer covering several questions makes ONE unit (``#v20-21``) whose
question text is every question, each after its own heading line.

An answer that starts with a cross-reference (``Zie het antwoord op vraag 15.``) keeps its
verbatim text and gets the answer it points to appended after a visible tag::

    Zie het antwoord op vraag 15.

    [Antwoord 15:] Op dit moment is er (nog) geen sprake van ...

A ``Mededeling`` (a notice that the answers come later or elsewhere) becomes a paragraph unit
``#p1`` labelled "Mededeling"; the questions stay question units and the document's kind is
"questions".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.parsing.text import Line
from rag.parsing.units import (
    Body,
    numbers_key,
    numbers_text,
    paragraph_unit,
    qa_unit,
    question_unit,
    unit_refs,
)
from rag.types import Unit

_LIST = r"\d{1,3}(?:\s*(?:,|en|t/m|tot en met|-|–)?\s*\d{1,3})*"
Q_HEAD = re.compile(rf"^Vra(?:ag|gen)\s+(?P<nums>{_LIST})\s*[:.]?$")
A_HEAD = re.compile(
    rf"^Antwoord(?:en)?(?:\s+(?:op\s+|bij\s+)?(?:de\s+)?(?:vraag|vragen))?"
    rf"(?:\s+(?P<nums>{_LIST}))?\s*[:.]?$"
)
M_HEAD = re.compile(r"^Mededeling\s*[:.]?$")
SEE_ANSWER = re.compile(
    rf"^Zie\s+(?:ook\s+|allereerst\s+|tevens\s+)?(?:het\s+|de\s+)?antwoord(?:en)?\s+"
    rf"(?:op\s+|bij\s+)?(?:de\s+)?(?:vraag|vragen)\s+(?P<nums>{_LIST})"
)


@dataclass(frozen=True)
class Block:
    """A heading and the lines up to the next heading."""

    kind: str  # "Q", "A" or "M"
    nums: tuple[int, ...]
    lines: tuple[Line, ...]
    at: int  # index of the heading line


def parse_numbers(text: str) -> tuple[int, ...]:
    """ "3, 4 en 5" -> (3, 4, 5); "3 t/m 5" and "3-5" -> (3, 4, 5); "7, 8, 9 10 en 11" too."""
    out: list[int] = []
    for m in re.finditer(r"(t/m|tot en met|-|–)?\s*(\d+)", text):
        n = int(m[2])
        if m[1] and out and 0 < n - out[-1] <= 50:
            out.extend(range(out[-1] + 1, n + 1))
        elif n not in out:
            out.append(n)
    return tuple(out)


def heading(line: Line) -> tuple[str, tuple[int, ...]] | None:
    """("Q" | "A" | "M", numbers) when the line is a heading."""
    text = line.stripped
    if m := Q_HEAD.match(text):
        return "Q", parse_numbers(m["nums"])
    if m := A_HEAD.match(text):
        return "A", parse_numbers(m["nums"] or "")
    if M_HEAD.match(text):
        return "M", ()
    return None


def blocks(lines: tuple[Line, ...]) -> tuple[tuple[Line, ...], list[Block]]:
    """The lines before the first heading, and one block per heading."""
    heads = [(i, h) for i, line in enumerate(lines) if (h := heading(line))]
    if not heads:
        return lines, []
    out = []
    for j, (i, (kind, nums)) in enumerate(heads):
        end = heads[j + 1][0] if j + 1 < len(heads) else len(lines)
        out.append(Block(kind, nums, lines[i + 1 : end], i))
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
    return preamble, resolve_see_answer(units)


def _qa(body: Body, questions: list[Block], answer: Block) -> Unit:
    nums = tuple(sorted({n for q in questions for n in q.nums}))
    several = len(nums) > 1
    texts = []
    for q in questions:
        text = body.render(q.lines)
        texts.append(f"Vraag {numbers_text(q.nums)}\n{text}" if several else text)
    if several:
        label = f"Vraag {numbers_text(nums)} / Antwoord vragen {numbers_text(nums)}"
    else:
        label = f"Vraag {nums[0]} / Antwoord {nums[0]}"
    lines = [line for q in questions for line in q.lines] + list(answer.lines)
    parts = ("\n\n".join(texts), body.render(answer.lines))
    return qa_unit(body, numbers_key(nums), nums, label, parts, lines)


def _question(body: Body, q: Block) -> Unit:
    label = f"Vraag {numbers_text(q.nums)}"
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


def resolve_see_answer(units: list[Unit]) -> list[Unit]:
    """Append the referenced answer to answers that start with "Zie het antwoord op vraag N"."""
    by_number = {n: u for u in units if u.kind == "qa" for n in (u.vraag or ())}
    out = []
    for unit in units:
        m = SEE_ANSWER.match(unit.answer) if unit.kind == "qa" else None
        targets = []
        for n in parse_numbers(m["nums"]) if m else ():
            target = by_number.get(n)
            if target is not None and target is not unit and target not in targets:
                targets.append(target)
        out.append(_with_targets(unit, targets) if targets else unit)
    return out


def _with_targets(unit: Unit, targets: list[Unit]) -> Unit:
    answer = unit.answer
    for target in targets:
        nums = target.vraag or ()
        tag = f"Antwoord {nums[0]}" if len(nums) == 1 else f"Antwoord vragen {numbers_text(nums)}"
        answer += f"\n\n[{tag}:] {target.answer}"
    text = f"{unit.question}\n\n{answer}"
    refs = tuple(dict.fromkeys(unit_refs(text, unit.footnotes) + unit.refs))
    return replace(unit, answer=answer, text=text, refs=refs)
