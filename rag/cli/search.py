"""`rag search QUERY`: the top units for a query, with filters, as text or JSON lines."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from rag.analysis.dates import FORMS, date_range, parse_date
from rag.analysis.query import MAX_QUESTION
from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.errors import RagError
from rag.settings import Settings
from rag.types import RETRIEVAL_MODES as MODES
from rag.types import Filters, Hit

SNIPPET_CHARS = 220


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `search`."""
    parser = subparsers.add_parser("search", help="find the units that answer a query")
    parser.add_argument("query", help="the question or keywords (Dutch or English)")
    parser.add_argument("-k", type=int, help="number of hits (default 5)")
    parser.add_argument("--mode", choices=MODES, help="hybrid (default), bm25 or dense")
    parser.add_argument("--doc", nargs="+", action="extend", default=[], help="only these docs")
    parser.add_argument("--kind", nargs="+", action="extend", default=[], help="document kinds")
    parser.add_argument("--from", dest="date_from", metavar="DATE", help=f"from date ({FORMS})")
    parser.add_argument("--to", dest="date_to", metavar="DATE", help=f"to date ({FORMS})")
    add_common_flags(parser)
    parser.set_defaults(func=run)


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """--index, --embedder and --json, shared with `rag similar`."""
    add_index_flag(parser)
    parser.add_argument(
        "--embedder", metavar="MODEL_DIR", help="query embedder (default: the index's own)"
    )
    add_json_flag(parser)


def query_settings(args: argparse.Namespace) -> Settings:
    """Settings with --index, --embedder, -k and --mode applied."""
    settings = settings_from(args)
    settings = settings.override("embedder", model=getattr(args, "embedder", None))
    return settings.override("retrieval", k=args.k, mode=getattr(args, "mode", None))


def filters_from(args: argparse.Namespace) -> Filters | None:
    """Filters from --doc, --kind, --from and --to (None when none is given)."""
    start, end = _dates(args.date_from, args.date_to)
    filters = Filters(docs=tuple(args.doc), kinds=tuple(args.kind), date_from=start, date_to=end)
    return None if filters == Filters() else filters


def _dates(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """--from/--to as ISO days (rag.analysis.dates, the same rules as the UI); flag in errors."""
    for flag, value, is_end in (("--from", start, False), ("--to", end, True)):
        if value is not None:
            try:
                parse_date(value, end=is_end)
            except RagError as exc:
                raise RagError(f"{flag} {exc}") from exc
    return date_range(start, end)


def run(args: argparse.Namespace) -> int:
    """Search and print the hits."""
    from rag.answering.side import open_query_side

    settings = query_settings(args)
    check_query(args.query, settings.retrieval.k)
    filters = filters_from(args)  # argument errors before the index is loaded
    mode = settings.retrieval.mode
    side = open_query_side(settings, mode=mode)
    hits = side.retriever.search(args.query, k=settings.retrieval.k, mode=mode, filters=filters)
    index = side.index
    for hit in hits:
        meta = index.docs.get(hit.unit.doc)
        if args.json:
            print_json(hit_dict(hit, meta.title if meta else "", index.hash))
        else:
            print(describe(hit, meta.kenmerk if meta else None, args.query))
    if not hits:
        print("no matching units", file=sys.stderr)
    return 0


def check_query(query: str, k: int) -> None:
    """RagError for an empty or oversized query or a k below 1."""
    if not query or not query.strip():
        raise RagError('the query is empty; search for words, e.g. rag search "testkits BGI"')
    if len(query) > MAX_QUESTION:
        raise RagError(f"the query has {len(query)} characters; keep it under {MAX_QUESTION}")
    if k < 1:
        raise RagError(f"-k {k} must be a positive number of hits; pass -k 1 or more")


def hit_dict(hit: Hit, title: str, index_hash: str) -> dict[str, Any]:
    """One hit as a JSON-ready dict."""
    u = hit.unit
    return {
        "rank": hit.rank,
        "doc": u.doc,
        "unit_id": u.unit_id,
        "vraag": list(u.vraag) if u.vraag is not None else None,
        "label": u.label,
        "kind": u.kind,
        "score": hit.score,
        "scores": hit.scores,
        "title": title,
        "text": u.text,
        "index_hash": index_hash,
    }


def describe(hit: Hit, kenmerk: str | None, query: str) -> str:
    """Rank, label, document and a snippet, for people."""
    where = f"{hit.unit.doc}" + (f" (kenmerk {kenmerk})" if kenmerk else "")
    head = f"{hit.rank:>2}. {hit.unit.label} - {where}  [{hit.score:.4f}]"
    return f"{head}\n    {snippet(hit.unit.text, query)}"


def snippet(text: str, query: str, chars: int = SNIPPET_CHARS) -> str:
    """About `chars` characters of text around the first query word it contains."""
    flat = " ".join(text.split())
    words = sorted({w for w in re.findall(r"\w{4,}", query.lower())}, key=len, reverse=True)
    at = min((i for w in words if (i := flat.lower().find(w)) >= 0), default=0)
    start = max(0, at - chars // 3)
    start = flat.rfind(" ", 0, start) + 1 if start else 0
    piece = flat[start : start + chars]
    return ("..." if start else "") + piece + ("..." if start + chars < len(flat) else "")
