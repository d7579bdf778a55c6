"""`rag search QUERY`: the top units for a query, with filters, as text or JSON lines."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.errors import RagError
from rag.settings import Settings
from rag.types import RETRIEVAL_MODES as MODES
from rag.types import Filters, Hit

DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
SNIPPET_CHARS = 220
MAX_QUERY = 2000


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `search`."""
    parser = subparsers.add_parser("search", help="find the units that answer a query")
    parser.add_argument("query", help="the question or keywords (Dutch or English)")
    parser.add_argument("-k", type=int, help="number of hits (default 5)")
    parser.add_argument("--mode", choices=MODES, help="hybrid (default), bm25 or dense")
    parser.add_argument("--doc", nargs="+", action="extend", default=[], help="only these docs")
    parser.add_argument("--kind", nargs="+", action="extend", default=[], help="document kinds")
    parser.add_argument(
        "--from", dest="date_from", metavar="DATE", help="from date (YYYY[-MM[-DD]])"
    )
    parser.add_argument("--to", dest="date_to", metavar="DATE", help="to date (YYYY[-MM[-DD]])")
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
    start, end = _date(args.date_from, "--from", low=True), _date(args.date_to, "--to", low=False)
    filters = Filters(docs=tuple(args.doc), kinds=tuple(args.kind), date_from=start, date_to=end)
    return None if filters == Filters() else filters


def _date(value: str | None, flag: str, low: bool) -> str | None:
    """An ISO date; YYYY or YYYY-MM widened to the first or last day it covers."""
    if value is None:
        return None
    if not DATE_RE.match(value):
        raise RagError(f"{flag} {value!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    pad = ("-01", "-01") if low else ("-12", "-31")
    while value.count("-") < 2:
        value += pad[value.count("-")]
    try:
        _check_day(value)
    except ValueError as exc:
        raise RagError(f"{flag} {value!r} is not a real date ({exc}); write YYYY-MM-DD") from exc
    return value


def _check_day(value: str) -> None:
    """ValueError unless value is a calendar date; a month end like 2021-02-31 is clamped."""
    import calendar
    import datetime

    y, m, d = (int(x) for x in value.split("-"))
    if not 1 <= m <= 12:
        raise ValueError(f"month {m}")
    last = calendar.monthrange(y, m)[1]
    if d == 31 and last < 31:
        return  # widened month end ("2021-02" -> up to 2021-02-31): still that month
    datetime.date(y, m, d)


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
    if len(query) > MAX_QUERY:
        raise RagError(f"the query has {len(query)} characters; keep it under {MAX_QUERY}")
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
