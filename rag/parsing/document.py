"""From pages of raw lines to a Document: footnotes, kind, units and metadata."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from rag.parsing import footnotes, kinds, letter, meta, provincial, qa
from rag.parsing.refs import find_keys, make_ref
from rag.parsing.text import (
    Line,
    hyphen_vocabulary,
    join_lines,
    layout_of,
    strip_page_numbers,
)
from rag.parsing.units import Body
from rag.types import DocKind, DocMeta, Document, Footnote, Unit


def parse_pages(pages: list[list[str]], raw: str, doc: str, source: str, sha256: str) -> Document:
    """Parse a document given as pages of lines; ``raw`` is the whole extracted text."""
    pages = [strip_page_numbers(page) for page in pages]
    pages, bodies, where = footnotes.extract(pages)
    vocab = frozenset(hyphen_vocabulary(raw))
    notes = {b.n: _footnote(b, vocab) for b in bodies}
    lines = tuple(_lines(pages, where))
    body = Body(doc=doc, lines=lines, layout=layout_of(lines), vocab=vocab, notes=notes)
    kind = kinds.detect(lines)
    preamble, units, extra = _structure(body, kind)
    units = [replace(u, order=i) for i, u in enumerate(units)]
    if kind == "answers" and not any(u.kind == "qa" for u in units):
        kind = "questions"  # a Mededeling instead of answers
    doc_meta = _meta(body, kind, preamble, extra, raw, source, sha256)
    return Document(meta=doc_meta, units=tuple(units), ref_index=_ref_index(doc_meta, units))


def sha256_of(data: bytes) -> str:
    """Hex SHA-256 of the file bytes."""
    return hashlib.sha256(data).hexdigest()


def _footnote(body: footnotes.NoteBody, vocab: frozenset[str]) -> Footnote:
    text = join_lines(body.lines, vocab)
    return Footnote(n=body.n, text=text, refs=find_keys(text), anchor=body.anchor)


def _lines(pages: list[list[str]], where: dict) -> list[Line]:
    """Flatten pages into Lines, with footnote numbers on their marker lines."""
    out: list[Line] = []
    for p, page in enumerate(pages):
        content = [i for i, text in enumerate(page) if text.strip()]
        if not content:
            continue
        first, last = content[0], content[-1]  # blank lines at page edges mean nothing
        for i in range(first, last + 1):
            notes = tuple(where.get((p, i), ()))
            text = footnotes.strip_brackets(page[i])
            out.append(Line(text=text, page=p, notes=notes, page_start=(i == first and bool(out))))
    return out


def _structure(body: Body, kind: DocKind) -> tuple[tuple[Line, ...], list[Unit], tuple]:
    """(preamble lines, units, closing lines) for the document's kind."""
    if kind in ("answers", "questions"):
        preamble, units = qa.parse_units(body)
        return preamble, units, ()
    if kind == "provincial":
        preamble, units = provincial.parse_units(body)
        return preamble, units, ()
    if kind == "letter":
        opening, text, closing = letter.letter_parts(body.lines)
        return opening, letter.paragraph_units(body, text), closing
    return (), letter.paragraph_units(body, body.lines), ()


def _meta(
    body: Body,
    kind: DocKind,
    preamble: tuple[Line, ...],
    closing: tuple[Line, ...],
    raw: str,
    source: str,
    sha256: str,
) -> DocMeta:
    head = body.render(preamble)
    head_lines = [line.text for line in preamble]
    dossiers, titles, nr = meta.kamerstuk_header(head_lines) if kind == "letter" else ((), (), None)
    ken = meta.kenmerk(head) or (meta.kenmerk(raw) if kind in ("answers", "questions") else None)
    ah = meta.aanhangsel(raw)
    ministers = meta.heading_ministers(head) + meta.signatures(head_lines)
    ministers += meta.signatures([line.text for line in closing])
    return DocMeta(
        doc=body.doc,
        kind=kind,
        title=_title(kind, head, titles, raw),
        date_sent=meta.date_sent(head) or meta.date_sent(raw),
        date=meta.date_of(head) or (meta.date_of(raw) if kind != "answers" else None),
        kenmerk=ken,
        dossiers=dossiers,
        kamerstuk_nr=nr,
        aanhangsel=ah,
        members=meta.members(head),
        ministers=tuple(dict.fromkeys(ministers)),
        source=source,
        sha256=sha256,
        refs=meta.self_refs(ken, ah, dossiers, nr),
    )


def _title(kind: DocKind, head: str, dossier_titles: tuple[str, ...], raw: str) -> str:
    if kind == "letter" and dossier_titles:
        return "; ".join(dossier_titles)
    if kind == "provincial" and (m := meta.memo_subject(raw)):
        return m
    return meta.subject(head) or meta.first_line(head or raw)


def _ref_index(doc_meta: DocMeta, units: list[Unit]) -> dict:
    keys = list(doc_meta.refs) + [key for unit in units for key in unit.refs]
    return {key: make_ref(key) for key in dict.fromkeys(keys)}
