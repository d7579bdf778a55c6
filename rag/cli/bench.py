"""`rag bench`: speed and memory, each figure printed next to its baseline, in one run."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.errors import RagError
from rag.settings import REPO, Settings

PARTS = ("cold", "warm", "build", "scale", "ui")
DEFAULT_QA = REPO.parent / "shared" / "data" / "kamervragen-qa-2033.csv"
DEFAULT_SIZES = "10000,100000,1000000"
DEFAULT_PDFS = REPO.parent / "shared" / "data" / "aanhangsel-pdfs"
WARM_QUERIES = 200


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `bench`."""
    parser = subparsers.add_parser("bench", help="speed and memory figures next to baselines")
    parser.add_argument("--runs", type=int, default=5, help="cold `rag ask` runs (median)")
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="scale-run corpus sizes")
    parser.add_argument("--qa-csv", default=str(DEFAULT_QA), help="the 2,033-pair CSV")
    parser.add_argument("--cache", help="scale-run cache folder (default ~/.cache/rag/scale)")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}"
    )
    add_index_flag(parser)
    add_json_flag(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the chosen parts and print them side by side with their baselines."""
    parts = _parts(args.only)
    sizes = _sizes(args.sizes)
    if args.runs <= 0:
        raise RagError(f"--runs {args.runs} must be a positive number")
    settings = settings_from(args)
    if parts == ["ui"]:  # the chat page alone needs no 2,033-answer index
        return _ui(settings, args.json)
    qa_csv = Path(args.qa_csv)
    if not qa_csv.is_file():
        raise RagError(f"benchmark CSV {qa_csv} not found; pass it with --qa-csv FILE")
    result: dict[str, Any] = {"machine": _machine(), "index_dir": settings.index.dir}
    qa_dir = _qa_index(qa_csv, settings) if "warm" in parts else Path()  # scale needs none
    from rag.bench import run as bench

    if "cold" in parts:
        _say("cold: import sentence_transformers and rag ask (e5 index, MiniLM index)")
        minilm = str(_minilm_index(settings))
        result["cold"] = {
            "import_sentence_transformers_s": round(bench.time_import_sentence_transformers(), 3),
            "ask": bench.cold_ask(bench.SAMPLE_QUESTION, settings.index.dir, runs=args.runs),
            "ask_quote": bench.cold_ask(
                bench.SAMPLE_QUESTION, settings.index.dir, mode="quote", runs=args.runs
            ),
            "ask_quote_minilm": bench.cold_ask(
                bench.SAMPLE_QUESTION, minilm, mode="quote", runs=args.runs
            ),
        }
    if "warm" in parts:
        _say("warm: retrieval per stage and answers")
        result["warm"] = _warm(settings, qa_dir, qa_csv)
    if "build" in parts:
        from rag.bench import embedders

        _say("build: the shipped corpus from scratch, with e5 and with MiniLM")
        result["build"] = {
            "shipped_e5": embedders.build(settings.corpus_dir),
            "shipped_minilm": embedders.build(settings.corpus_dir, embedders.MINILM),
        }
    if "scale" in parts:
        _say(f"scale: {', '.join(map(str, sizes))} units of real sentences")
        result["scale"] = _scale(settings, qa_csv, sizes, args.cache)
    if "ui" in parts:
        _say("ui: Vraag to the first source card, through the running page")
        from rag.bench.ui_latency import ui_latency

        result["ui"] = ui_latency(settings.index.dir)
    if args.json:
        print_json(result)
    else:
        print(render({k: v for k, v in result.items() if k != "ui"}))
        if "ui" in result:
            from rag.bench.ui_latency import render as render_ui

            print(render_ui(result["ui"]))
    return 0


def _ui(settings: Settings, as_json: bool) -> int:
    from rag.bench.ui_latency import render as render_ui
    from rag.bench.ui_latency import ui_latency

    _say("ui: Vraag to the first source card, through the running page")
    result = {"machine": _machine(), "index_dir": settings.index.dir}
    result["ui"] = ui_latency(settings.index.dir)
    if as_json:
        print_json(result)
    else:
        print(render_ui(result["ui"]))
    return 0


def _warm(settings: Settings, qa_dir: Path, qa_csv: Path) -> dict[str, Any]:
    from rag.answering.side import open_query_side
    from rag.bench import run as bench
    from rag.evaluation.qa_bench import load_pairs

    queries = [p.question for p in load_pairs(qa_csv)[:WARM_QUERIES]]
    out: dict[str, Any] = {}
    folders = {
        "shipped": Path(settings.index.dir),
        "shipped_minilm": _minilm_index(settings),
        "qa2033": qa_dir,
        "qa2033_minilm": _qa_index(qa_csv, settings.override("embedder", model="minilm")),
    }
    for name, folder in folders.items():
        side = open_query_side(settings.override("index", dir=str(folder)))
        out[f"retrieval_{name}"] = bench.warm_retrieval(
            side.index, side.embedder, settings.retrieval, queries
        )
    out["answer"] = bench.warm_answer(settings, list(bench.WARM_QUESTIONS))
    return out


def _scale(settings: Settings, qa_csv: Path, sizes: list[int], cache: str | None) -> dict:
    from rag.analysis.terms import Analyzer
    from rag.bench.scale import CACHE, scale_run
    from rag.embedders.load import LazyEmbedder

    embedder = LazyEmbedder(settings.embedder)
    analyzer = Analyzer(stemmer_name=settings.index.stemmer)
    folder = Path(cache).expanduser() if cache else CACHE
    return scale_run(folder, sizes, qa_csv, DEFAULT_PDFS, embedder, analyzer, say=_say)


def _minilm_index(settings: Settings) -> Path:
    """The shipped corpus indexed with MiniLM beside the main index (the baseline)."""
    from rag.bench.embedders import ensure_minilm_index

    folder = Path(settings.index.dir).with_name(Path(settings.index.dir).name + "-minilm")
    return ensure_minilm_index(settings.corpus_dir, folder)


def _qa_index(qa_csv: Path, settings: Settings) -> Path:
    """The 2,033-answer index beside the main one (one per embedder), built once if missing
    or stale."""
    from rag.cli.index import Bar
    from rag.embedders.load import LazyEmbedder
    from rag.evaluation import qa_bench

    folder = qa_bench.index_dir(settings, explicit=False)
    if settings.embedder.model:
        folder = folder.with_name(f"{folder.name}-{settings.embedder.model}")
    bar = Bar()
    try:
        qa_bench.ensure_index(qa_csv, folder, settings, LazyEmbedder(settings.embedder), bar)
    finally:
        bar.close()
    return folder


def _parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise RagError(
            f"unknown bench part {bad[0] if bad else text!r}; use --only {','.join(PARTS)}"
        )
    return parts


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        sizes = []
    if not sizes or min(sizes) < 1000:
        raise RagError(f"--sizes {text!r} must be comma-separated sizes of at least 1000")
    return sizes


def _machine() -> dict[str, Any]:
    import os
    import platform

    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def render(result: dict[str, Any]) -> str:
    """The figures as aligned text, each next to its baseline and target."""
    from rag.bench.report import render_text

    return render_text(result)
