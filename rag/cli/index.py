"""`rag index build|add|remove|info`: keep the index up to date, show what it holds.

`build` rebuilds from everything the index knows (its inputs, what was added, what was
uploaded) plus any PATHs; `add` adds PATHs; `remove` drops documents; none drops a document
unless told. Each prints what changed.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from rag.cli.common import add_index_flag, add_json_flag, print_json, settings_from
from rag.embedders.load import LazyEmbedder, embedder_name
from rag.errors import RagError
from rag.index import format as mf
from rag.index.dense import FAISS_TYPES
from rag.index.manifest import Manifest, check_files, read_manifest
from rag.settings import Settings


def add(subparsers: argparse._SubParsersAction) -> None:
    """Register `index` with its `build`, `add`, `remove` and `info` subcommands."""
    parser = subparsers.add_parser("index", help="build the index or show what it holds")
    sub = parser.add_subparsers(dest="index_command", metavar="SUBCOMMAND", required=True)
    build = sub.add_parser(
        "build", help="bring the index up to date with everything it knows, plus PATHs"
    )
    build.add_argument("paths", nargs="*", metavar="PATH", help=".txt/.pdf files or folders")
    build.add_argument(
        "--replace",
        action="store_true",
        help="the index holds exactly PATHs and its uploads (drops the rest)",
    )
    _build_flags(build)
    build.set_defaults(func=run_build)
    add_cmd = sub.add_parser("add", help="add documents (files or folders) to the index")
    add_cmd.add_argument("paths", nargs="+", metavar="PATH", help=".txt/.pdf files or folders")
    _build_flags(add_cmd)
    add_cmd.set_defaults(func=run_build, replace=False)
    remove = sub.add_parser("remove", help="remove documents from the index by key")
    remove.add_argument("docs", nargs="+", metavar="DOC", help="document keys (file names)")
    _build_flags(remove)
    remove.set_defaults(func=run_build, replace=False, paths=[])
    info = sub.add_parser("info", help="show the manifest, counts and size of an index")
    add_index_flag(info)
    add_json_flag(info)
    info.set_defaults(func=run_info)


def _build_flags(parser: argparse.ArgumentParser) -> None:
    add_index_flag(parser)
    parser.add_argument(
        "--embedder",
        metavar="MODEL",
        help="minilm (bundled English MiniLM) or a sentence-transformers folder; "
        "default: the bundled multilingual-e5-small",
    )
    parser.add_argument(
        "--faiss",
        choices=FAISS_TYPES,
        help="flat (exact, default), hnsw, or ivf (for 10^5+ units: memory-mapped lists, "
        "PQ codes re-scored exactly from 20,000 passages on; docs/SCALE.md)",
    )
    parser.add_argument(
        "--skip-bad", action="store_true", help="leave out files that fail to parse (warn)"
    )
    parser.add_argument(
        "--no-wait", action="store_true", help="fail at once when another build runs"
    )
    add_json_flag(parser)


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
    """Build, add or remove, and report what changed."""
    from rag.index.build import build_index

    settings = build_settings(args)
    bar = Bar()

    def waiting(message: str) -> None:
        print(f"rag: {message}", file=sys.stderr, flush=True)

    try:
        result = build_index(
            args.paths,
            settings,
            LazyEmbedder(settings.embedder),
            skip_bad=args.skip_bad,
            progress=bar,
            replace_all=args.replace,
            remove=tuple(getattr(args, "docs", ())),
            wait=not args.no_wait,
            on_wait=waiting,
        )
    finally:
        bar.close()
    for line in result.skipped:
        print(f"rag: warning: skipped {line}", file=sys.stderr)
    for path in result.missing:
        print(f"rag: note: input {path} no longer exists; its documents are kept", file=sys.stderr)
    if args.json:
        print_json(result.to_dict())
    else:
        print(describe_build(result))
    return 0


def describe_build(result: Any) -> str:
    """What a build did, in lines: totals, then each kind of change."""
    lines = [
        f"index {result.dir}: {result.docs} documents, {result.units} units, "
        f"{result.passages} passages (hash {result.hash})",
        f"added {len(result.added)}, changed {len(result.changed)}, removed "
        f"{len(result.removed)}, unchanged {len(result.unchanged)}, kept {len(result.kept)}; "
        f"embedded {result.embedded} passages and {result.questions_embedded} questions, "
        f"reused {result.reused} passages, {result.seconds:.1f} s",
    ]
    for what in ("added", "changed", "removed"):
        if getattr(result, what):
            lines.append(f"{what}: {', '.join(getattr(result, what))}")
    if result.kept:
        lines.append(f"kept (source gone; `rag index remove` drops): {', '.join(result.kept)}")
    return "\n".join(lines)


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
    manifest, status = index_status(folder)
    info = {
        "dir": str(folder),
        "hash": manifest.hash,
        "status": status,
        "counts": asdict(manifest.counts),
        "bytes": mf.index_size(folder, manifest),
        "manifest": manifest.to_dict(),
    }
    if args.json:
        print_json(info)
    else:
        print(describe(manifest, info))
    return 0 if status == "ok" else 1


def index_status(folder: Path) -> tuple[Manifest, str]:
    """The current manifest and "ok", or what is wrong with the files it lists."""
    problem = ""
    for _ in range(5):  # a build that commits meanwhile removes the files we check: again
        manifest = read_manifest(folder)
        try:
            check_files(manifest, folder)
            return manifest, "ok"
        except RagError as exc:
            problem = str(exc)
            if read_manifest(folder).data == manifest.data:
                break
    return manifest, problem


def describe(m: Manifest, info: dict[str, Any]) -> str:
    """Human-readable summary of an index."""
    e, c, lex, d, n = m.embedder, m.chunking, m.lexical, m.dense, m.counts
    folder = Path(info["dir"])
    lines = [
        f"index     {info['dir']}  hash {m.hash}  format {m.format_version}  data {m.data}",
        f"built     {m.created}  status {info['status']}",
        f"embedder  {e.name} (dim {e.dim}) prefixes {e.query_prefix!r} {e.passage_prefix!r}",
        f"chunking  {c.tokenizer}: max {c.max_tokens} overlap {c.overlap_tokens} header {c.header}",
        f"lexical   bm25s {m.versions.get('bm25s')} k1 {lex.k1} b {lex.b}, stemmer "
        f"{lex.stemmer} (PyStemmer {lex.pystemmer_version}), "
        f"{lex.stopwords_count} stopwords sha256 {lex.stopwords_sha256[:12]}",
        f"dense     faiss {m.versions.get('faiss')} {d.type} ({d.metric})",
        f"counts    {n.docs} documents, {n.units} units, {n.passages} passages, "
        f"{n.questions} questions",
        f"size      {info['bytes'] / 1e6:.2f} MB",
        "inputs",
    ]
    lines += [f"  {loc.resolve(folder)}" for loc in m.inputs]
    lines += ["sources"]
    lines += [f"  {s.doc}  {s.sha256[:12]}  {s.path.resolve(folder)}" for s in m.sources]
    lines += [f"  removed: {doc}" for doc in m.excluded]
    lines += [f"  skipped: {s}" for s in m.skipped]
    return "\n".join(lines)
