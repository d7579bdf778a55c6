"""`rag parse PATH... [--json]`: parse documents and show their metadata and units.

Human output is an outline per document; ``--json`` prints one JSON object per unit per line
(with the document's metadata under ``meta``). A file that cannot be read gets a one-line
error on stderr and the other files are still parsed; the exit code is then non-zero.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rag.cli.common import add_json_flag, print_json
from rag.errors import RagError
from rag.types import Document, Person, Unit

FIRST_WORDS = 12


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register the `parse` command."""
    parser = subparsers.add_parser(
        "parse",
        help="parse .txt/.pdf documents and show their units",
        description="Parse parliamentary documents (.txt or .pdf; a folder means its .txt and "
        ".pdf files) and show metadata, units and references.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file or folder")
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Parse every file; errors go to stderr and make the exit code non-zero."""
    from rag.parsing import parse_file

    files, failed = expand_paths(args.paths)
    units = 0
    for path in files:
        try:
            doc = parse_file(path)
        except RagError as exc:
            print(f"rag: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        units += len(doc.units)
        if args.json:
            for unit in doc.units:
                print_json(unit_record(doc, unit))
        else:
            sys.stdout.write(outline(doc) + "\n")
    print(f"rag parse: {len(files)} file(s), {units} unit(s), {failed} failed", file=sys.stderr)
    return RagError.exit_code if failed else 0


def expand_paths(paths: list[str]) -> tuple[list[Path], int]:
    """Files to parse (a folder gives its .txt/.pdf files, sorted) and the number of bad paths."""
    from rag.parsing import SUFFIXES

    files: list[Path] = []
    failed = 0
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
            if not found:
                print(f"rag: error: {path}: no .txt or .pdf files in this folder", file=sys.stderr)
                failed += 1
            files += found
        else:
            files.append(path)  # parse_file reports a missing file or a wrong type
    return files, failed


def unit_record(doc: Document, unit: Unit) -> dict[str, Any]:
    """One JSON line: the unit's fields, display forms of its refs, and the document's meta."""
    record = unit.to_dict()
    record["ref_display"] = {key: doc.ref_index[key].display for key in unit.refs}
    record["meta"] = asdict(doc.meta)
    return record


def outline(doc: Document) -> str:
    """A readable outline: metadata, then one line per unit with its first words and refs."""
    m = doc.meta
    lines = [
        f"{m.doc}  [{m.kind}]  {m.source}",
        f"  title:     {m.title or '-'}",
        f"  date:      {m.date or '-'}   sent: {m.date_sent or '-'}",
        f"  kenmerk:   {m.kenmerk or '-'}   aanhangsel: {m.aanhangsel or '-'}",
        f"  dossiers:  {', '.join(m.dossiers) or '-'}   nr: {m.kamerstuk_nr or '-'}",
        f"  members:   {people(m.members)}",
        f"  ministers: {people(m.ministers)}",
        f"  refs:      {', '.join(doc.ref_index[k].display for k in m.refs) or '-'}",
        f"  units:     {len(doc.units)}",
    ]
    for unit in doc.units:
        body = re.sub(r"^Vraag [^\n]*\n", "", unit.question) or unit.text  # skip a heading line
        words = " ".join(body.split()[:FIRST_WORDS])
        lines.append(f"    {unit.label:<28} {words} ...")
        if unit.refs:
            lines.append(f"      refs: {', '.join(doc.ref_index[k].display for k in unit.refs)}")
    return "\n".join(lines)


def people(persons: tuple[Person, ...]) -> str:
    """ "Ceder (ChristenUnie), W.B. Hoekstra (minister van Buitenlandse Zaken)"."""
    parts = [f"{p.name} ({p.party or p.role})" if p.party or p.role else p.name for p in persons]
    return ", ".join(parts) or "-"
