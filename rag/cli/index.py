"""`rag index build [PATH...]` and `rag index info`: build the index, show what it holds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.embedders.load import LazyEmbedder, embedder_name
from rag.errors import RagError
from rag.index import format as mf
from rag.index.dense import FAISS_TYPES
from rag.settings import Settings


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `index` with its `build` and `info` subcommands."""
    parser = subparsers.add_parser("index", help="build the index or show what it holds")
    sub = parser.add_subparsers(dest="index_command", metavar="SUBCOMMAND", required=True)
    build = sub.add_parser("build", help="parse, embed and index documents (incremental)")
    build.add_argument("paths", nargs="*", metavar="PATH", help=".txt/.pdf files or folders")
    add_index_flag(build)
    build.add_argument(
        "--embedder",
        metavar="MODEL",
        help="minilm (bundled English MiniLM) or a sentence-transformers folder; "
        "default: the bundled multilingual-e5-small",
    )
    build.add_argument("--faiss", choices=FAISS_TYPES, help="flat (exact, default) or hnsw")
    build.add_argument(
        "--skip-bad", action="store_true", help="leave out files that fail to parse (warn)"
    )
    add_json_flag(build)
    build.set_defaults(func=run_build)
    info = sub.add_parser("info", help="show the manifest, counts and size of an index")
    add_index_flag(info)
    add_json_flag(info)
    info.set_defaults(func=run_info)


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen subcommand."""
    return int(args.func(args))


class Bar:
    """A one-line progress bar per stage on a stream (stderr)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage = stage
        filled = 24 * done // max(total, 1)
        self.stream.write(f"\r{stage:<16} [{'#' * filled}{'.' * (24 - filled)}] {done}/{total}")
        self.stream.flush()

    def close(self) -> None:
        """End the last line."""
        if self.stage:
            self.stream.write("\n")


def run_build(args: argparse.Namespace) -> int:
    """Build or update the index and report what was embedded."""
    from rag.index.build import build_index

    settings = build_settings(args)
    sources = args.paths or [settings.corpus_dir]
    bar = Bar()
    try:
        result = build_index(
            sources,
            settings,
            LazyEmbedder(settings.embedder),
            skip_bad=args.skip_bad,
            progress=bar,
        )
    finally:
        bar.close()
    for line in result.skipped:
        print(f"rag: warning: skipped {line}", file=sys.stderr)
    if result.recovered:
        print(f"rag: note: an earlier build was killed; {result.recovered}", file=sys.stderr)
    if args.json:
        print_json(result.to_dict())
        return 0
    print(
        f"index {result.dir}: {result.docs} documents, {result.units} units, "
        f"{result.passages} passages (hash {result.hash})\n"
        f"embedded {result.embedded} passages and {result.questions_embedded} questions, "
        f"reused {result.reused} passages, {result.seconds:.1f} s"
    )
    for what in ("added", "changed", "removed"):
        if getattr(result, what):
            print(f"{what}: {', '.join(getattr(result, what))}")
    return 0


def build_settings(args: argparse.Namespace) -> Settings:
    """Settings with --index, --embedder and --faiss applied."""
    settings = settings_from(args)
    if args.embedder:
        settings = settings.override("embedder", model=args.embedder)
        embedder_name(settings.embedder)  # a wrong name or folder fails before anything runs
    return settings.override("index", faiss_type=args.faiss)


def run_info(args: argparse.Namespace) -> int:
    """Show the manifest, counts and size; say whether the files check out."""
    folder = Path(settings_from(args).index.dir)
    manifest = mf.read_manifest(folder)
    try:
        mf.check_files(manifest, folder)
        status = "ok"
    except RagError as exc:
        status = str(exc)
    info = {
        "dir": str(folder),
        "hash": manifest.get("hash"),
        "status": status,
        "counts": manifest.get("counts", {}),
        "bytes": mf.index_size(folder),
        "manifest": manifest,
    }
    if args.json:
        print_json(info)
    else:
        print(describe(info))
    return 0 if status == "ok" else 1


def describe(info: dict[str, Any]) -> str:
    """Human-readable summary of an index."""
    m = info["manifest"]
    e, c, lex, d = m["embedder"], m["chunking"], m["lexical"], m["dense"]
    counts = info["counts"]
    lines = [
        f"index     {info['dir']}  hash {info['hash']}  format {m['format_version']}",
        f"built     {m.get('created', '?')}  status {info['status']}",
        f"embedder  {e['name']} (dim {e['dim']}) prefixes {e['query_prefix']!r} "
        f"{e['passage_prefix']!r}",
        f"chunking  {c['tokenizer']}: max {c['max_tokens']} overlap {c['overlap_tokens']} "
        f"header {c['header']}",
        f"lexical   bm25s {m['versions'].get('bm25s')} k1 {lex['k1']} b {lex['b']}, stemmer "
        f"{lex['stemmer']} (PyStemmer {lex['pystemmer_version']}), "
        f"{lex['stopwords_count']} stopwords sha256 {lex['stopwords_sha256'][:12]}",
        f"dense     faiss {m['versions'].get('faiss')} {d['type']} ({d['metric']})",
        f"counts    {counts.get('docs')} documents, {counts.get('units')} units, "
        f"{counts.get('passages')} passages, {counts.get('questions')} questions",
        f"size      {info['bytes'] / 1e6:.2f} MB",
        "sources",
    ]
    lines += [f"  {s['doc']}  {s['sha256'][:12]}  {s['path']}" for s in m.get("sources", [])]
    lines += [f"  skipped: {s}" for s in m.get("skipped", [])]
    return "\n".join(lines)
