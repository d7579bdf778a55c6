"""`rag eval`: retrieval, citation, refusal and latency figures on a gold file, or the
2,033-pair retrieval benchmark with --qa-csv."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.errors import RagError
from rag.evaluation.report import fmt
from rag.settings import Settings
from rag.types import ANSWER_MODES, RETRIEVAL_MODES

EVAL_MODES = (*ANSWER_MODES, "retrieval")


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `rag eval`."""
    p = subparsers.add_parser(
        "eval",
        help="evaluate retrieval and answers on a gold file (or the 2,033-pair benchmark)",
        description="Evaluate on a gold JSONL file (format: eval/README.md), or run the "
        "2,033-pair retrieval benchmark with --qa-csv. Progress goes to stderr.",
    )
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--gold", metavar="FILE", help="gold JSONL file, e.g. eval/dev.jsonl")
    src.add_argument("--qa-csv", metavar="FILE", help="question/answer CSV benchmark")
    p.add_argument("--mode", choices=EVAL_MODES, help="answer mode, or retrieval only")
    p.add_argument(
        "--retrieval",
        choices=(*RETRIEVAL_MODES, "all"),
        help="retrieval mode (default: settings; 'all' only with --qa-csv)",
    )
    p.add_argument("-k", type=int, metavar="N", help="units given to the answerer")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N gold items / rows")
    p.add_argument(
        "--fold",
        choices=("A", "B"),
        help="only the gold items of one fold (choose settings on A, report on B)",
    )
    p.add_argument("--report", metavar="DIR", help="write report.md and recall_at_k.png here")
    p.add_argument(
        "--save-figures",
        metavar="FILE",
        help="store the metrics under this run's configuration in FILE (eval/dev_figures.json)",
    )
    add_index_flag(p)
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the evaluation the flags describe and print its figures."""
    _check_args(args)
    settings = settings_from(args)
    result = run_qa(args, settings) if args.qa_csv else run_gold(args, settings)
    result["command"] = command_line(args)
    if args.report:
        from rag.evaluation.report import write_report

        paths = write_report(args.report, result, result.pop("curves"))
        print(f"eval: report written to {', '.join(map(str, paths))}", file=sys.stderr)
    result.pop("curves", None)
    if args.save_figures:
        save_figures(Path(args.save_figures), result)
    if args.json:
        print_json(result)
    else:
        print(human(result))
    return 0


def run_gold(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """Evaluate the gold file; with --report also rank with the other retrieval modes."""
    from rag.evaluation.evaluate import Progress, curve, evaluate, summarize
    from rag.evaluation.gold import load_gold

    items = [i for i in load_gold(args.gold) if args.fold in (None, i.fold)][: args.limit]
    mode = args.mode or settings.answer.mode
    retrieval = args.retrieval or settings.retrieval.mode
    k = args.k or settings.retrieval.k
    settings = settings.override("retrieval", mode=retrieval, k=k)
    needs_embedder = bool(args.report) or retrieval != "bm25" or mode != "retrieval"
    side = open_side(settings, [i.question for i in items] if needs_embedder else None)
    index, retriever = side.index, side.retriever
    missing = sorted({ref.doc for item in items for ref in item.gold} - set(index.docs))
    if missing:
        raise RagError(
            f"the index in {settings.index.dir} lacks gold document(s) {', '.join(missing)}; "
            f"build one that holds them: `rag index build CORPUS --index {settings.index.dir}`"
        )
    answerer = side.answerer if mode != "retrieval" else None
    bar = Progress(len(items), f"eval {mode}/{retrieval}")
    records = evaluate(
        items, retriever, answerer, mode=mode, retrieval=retrieval, k=k, progress=bar
    )
    curves = {}
    if args.report:
        for other in RETRIEVAL_MODES:
            if other == retrieval:
                curves[other] = curve(records)
                continue
            bar = Progress(len(items), f"eval retrieval/{other}")
            curves[other] = curve(evaluate(items, retriever, retrieval=other, progress=bar))
    return {
        "source": args.gold,
        "gold": args.gold,
        "mode": mode,
        "retrieval": retrieval,
        "k": k,
        "limit": args.limit,
        "fold": args.fold,
        "items": len(items),
        "index_hash": index.hash,
        "settings": settings.to_dict(),
        "metrics": summarize(records),
        "per_question": [r.to_dict() for r in records],
        "curves": curves,
    }


def run_qa(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The 2,033-pair benchmark: recall@1/5/10 and MRR@10 per retrieval mode."""
    from rag.evaluation import qa_bench

    modes = RETRIEVAL_MODES if args.retrieval == "all" else (args.retrieval or "hybrid",)
    path = Path(args.qa_csv)
    pairs = qa_bench.load_pairs(path)
    folder = qa_bench.index_dir(settings, explicit=bool(args.index))
    from rag.cli.index import Bar
    from rag.embedders.load import LazyEmbedder

    embedder = LazyEmbedder(settings.embedder)  # loads only if the index must be built
    bar = Bar(sys.stderr)  # the stream at call time (pytest swaps it)
    try:
        built = qa_bench.ensure_index(path, folder, settings, embedder, progress=bar)
    finally:
        bar.close()
    settings = settings.override("index", dir=str(folder))
    if len(modes) == 1:
        settings = settings.override("retrieval", mode=modes[0])
    queries = pairs[: args.limit]
    side = open_side(settings, None if modes == ("bm25",) else [q.question for q in queries])
    index = side.index
    by_mode = qa_bench.run_modes(queries, pairs, side.retriever, modes)
    return {
        "source": str(path),
        "benchmark": qa_bench.QA_DOC,
        "mode": "retrieval",
        "retrieval": args.retrieval or modes[0],
        "limit": args.limit,
        "items": len(queries),
        "index_hash": index.hash,
        "index_dir": str(folder),
        "index_built": built,
        "settings": settings.to_dict(),
        "metrics": by_mode,
    }


def open_side(settings: Settings, queries: list[str] | None) -> Any:
    """The query side users run (rag/answering/side.py), its query embedder given the
    questions to embed in batches up front (None: BM25 only, no embedder)."""
    from rag.answering.side import open_query_side

    if queries is None:
        return open_query_side(settings, mode="bm25")
    print(f"eval: embedding {len(queries)} questions", file=sys.stderr)
    return open_query_side(settings, prefetch=queries)


def _check_args(args: argparse.Namespace) -> None:
    if args.limit is not None and args.limit <= 0:
        raise RagError(f"--limit {args.limit} must be a positive number of items; pass 1 or more")
    if args.k is not None and args.k <= 0:
        raise RagError(f"-k {args.k} must be a positive number of units; pass -k 1 or more")
    if args.gold and args.retrieval == "all":
        raise RagError("--retrieval all works only with --qa-csv; pick hybrid, bm25 or dense")
    if args.qa_csv and args.mode not in (None, "retrieval"):
        raise RagError("--qa-csv measures retrieval only; drop --mode or use --mode retrieval")
    if args.qa_csv and args.report:
        raise RagError("--report works with --gold; drop --report for --qa-csv")


def command_line(args: argparse.Namespace) -> str:
    """The canonical `rag eval ...` command that reproduces this run."""
    parts = ["rag"]
    if args.settings:
        parts += ["--settings", args.settings]
    parts += ["eval", "--gold", args.gold] if args.gold else ["eval", "--qa-csv", args.qa_csv]
    for flag, value in (
        ("--mode", args.mode),
        ("--retrieval", args.retrieval),
        ("-k", args.k),
        ("--limit", args.limit),
        ("--index", args.index),
        ("--report", args.report),
    ):
        if value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def figures_key(result: dict[str, Any]) -> str:
    """The configuration a stored figure belongs to, e.g. 'retrieval/hybrid/limit=8'."""
    limit = result.get("limit")
    return f"{result['mode']}/{result['retrieval']}/limit={limit if limit else 'all'}"


FIGURES_TOLERANCE = 0.05


def save_figures(path: Path, result: dict[str, Any]) -> None:
    """Merge this run's metrics into a JSON file of stored figures, keyed by configuration."""
    stored = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    # a rebuilt index on another CPU may rank a near-tie differently: allow that much drift
    stored.setdefault("tolerance", FIGURES_TOLERANCE)
    runs = stored.setdefault("runs", {})
    runs[figures_key(result)] = {
        "command": result["command"],
        "index_hash": result.get("index_hash"),
        "items": result.get("items"),
        "metrics": result["metrics"],
    }
    stored["runs"] = dict(sorted(runs.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"eval: figures stored in {path} under {figures_key(result)}", file=sys.stderr)


def human(result: dict[str, Any]) -> str:
    """A readable table of the figures (one column per retrieval mode for --qa-csv)."""
    head = [
        f"{result['source']}: {result['items']} items, mode {result['mode']}, "
        f"retrieval {result['retrieval']}",
        f"index {result.get('index_hash') or '-'}",
        "",
    ]
    qa = "benchmark" in result  # metrics are per retrieval mode
    tables = result["metrics"] if qa else {result["retrieval"]: result["metrics"]}
    names = list(next(iter(tables.values())))
    width = max(len(n) for n in names) + 2
    lines = [f"{'metric':<{width}}" + "".join(f"{mode:>10}" for mode in tables)]
    lines += [
        f"{name:<{width}}" + "".join(f"{fmt(t[name]):>10}" for t in tables.values())
        for name in names
    ]
    return "\n".join(head + lines)
