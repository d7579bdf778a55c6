"""Provincial letters: numbered questions (``1.`` .. ``4.``) each followed by its answer.

One number may hold several question/answer pairs (item 3 of 000): ``#v3`` and ``#v3.2``,
both with vraag=(3,). A question paragraph is one that ends with a question mark; statements
and links before it belong to the question, the paragraphs after it to the answer. A short
header ending in a colon opens a section: "Gemiste vraag GroenLinks:" holds an unnumbered
question (``#u1``, labelled after the header); "Vragen Partij van de Dieren:" introduces
context paragraphs (``#p1``...). The memo header (DATUM, AAN, VAN, ONDERWERP) is metadata.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from rag.parsing.text import Line
from rag.parsing.units import Body, paragraph_unit, qa_unit, question_unit
from rag.types import Unit

_SECTION = re.compile(r"^(?P<h>[^.?!:]{3,80}):$")
_ITEM = re.compile(r"^(?P<n>\d{1,2})[.)]\s+")
_MEMO = re.compile(r"^(?:DATUM|AAN|VAN|ONDERWERP)\b")
_SINGLE_QUESTION = re.compile(r"\bvraag\b", re.IGNORECASE)


@dataclass
class Segment:
    """Paragraphs under one number, one unnumbered question, or one context paragraph."""

    kind: str  # "item", "single" or "para"
    label: str
    number: int | None = None
    paras: list[tuple[str, list[Line]]] = field(default_factory=list)


def parse_units(body: Body) -> tuple[tuple[Line, ...], list[Unit]]:
    """The memo header lines and the units of a provincial letter, in document order."""
    preamble: list[Line] = []
    segments: list[Segment] = []
    section: Segment | None = None
    header = ""
    for lines in body.paragraphs(body.lines):
        text = body.render(lines)
        if _MEMO.match(text) and not segments:
            preamble += lines
        elif m := _SECTION.match(text):
            header = m["h"].strip()
            single = bool(_SINGLE_QUESTION.search(header))
            section = Segment("single", header) if single else None
            segments += [section] if section else []
        elif m := _ITEM.match(text):
            section = Segment("item", "", number=int(m["n"]))
            segments.append(section)
            section.paras.append((text[m.end() :], lines))
        elif section is not None:
            section.paras.append((text, lines))
        else:
            segments.append(Segment("para", header, paras=[(text, lines)]))
    return tuple(preamble), _units(body, segments)


def _units(body: Body, segments: list[Segment]) -> list[Unit]:
    units: list[Unit] = []
    singles = paras = 0
    for seg in segments:
        if seg.kind == "para":
            paras += 1
            label = f"Alinea {paras}" + (f" ({seg.label})" if seg.label else "")
            units.append(paragraph_unit(body, paras, seg.paras[0][1], label=label))
            continue
        for k, (question, answer) in enumerate(pairs(seg.paras), start=1):
            if seg.kind == "item":
                key = f"v{seg.number}" + (f".{k}" if k > 1 else "")
                label, vraag = key[1:], (seg.number,)
            else:
                singles += 1
                key, vraag = f"u{singles}", None
                label = seg.label + (f" ({k})" if k > 1 else "")
            units.append(_pair_unit(body, key, vraag, label, question, answer, seg.kind))
    return [replace(u, order=i) for i, u in enumerate(units)]


def _pair_unit(body: Body, key, vraag, label, question, answer, kind) -> Unit:
    q_text = "\n\n".join(t for t, _ in question)
    a_text = "\n\n".join(t for t, _ in answer)
    lines = [line for _, ls in question + answer for line in ls]
    if kind == "item":
        label = f"Vraag {label} / Antwoord {label}" if answer else f"Vraag {label}"
    if not answer:
        return question_unit(body, key, vraag, label, q_text, lines)
    return qa_unit(body, key, vraag, label, (q_text, a_text), lines)


def pairs(paras: list[tuple[str, list[Line]]]) -> list[tuple[list, list]]:
    """Split paragraphs into (question paragraphs, answer paragraphs) pairs."""
    out: list[tuple[list, list]] = []
    question: list = []
    answer: list = []
    for para in paras:
        asks = is_question(para[0])
        if asks and answer:
            out.append((question, answer))
            question, answer = [para], []
        elif not answer and (asks or not any(is_question(t) for t, _ in question)):
            question.append(para)
        else:
            answer.append(para)
    if question or answer:
        out.append((question, answer))
    return out


def is_question(text: str) -> bool:
    """A paragraph that ends with a question mark (before closing quotes)."""
    return text.rstrip(" \"'”’»").endswith("?")
