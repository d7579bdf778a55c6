"""The 2,033-pair retrieval benchmark: index every answer, query with every question.

The CSV (columns ``anchor`` = question, ``positive`` = its answer, ``negative``) becomes one
unit per row: doc ``qa2033``, unit_id ``qa2033#<row>`` (0-based data row), kind ``qa``. The
same answer text occurs under several rows (1,814 distinct answers for 2,033 rows), so a
retrieved unit counts as relevant when its answer text equals the row's own answer:
identical texts cannot be ranked apart by any retriever.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rag.embedders.base import Embedder
from rag.embedders.load import embedder_name
from rag.errors import RagError
from rag.evaluation import metrics as m
from rag.evaluation.evaluate import DEPTH, Progress
from rag.index.manifest import ANSWER_VECTORS, read_manifest, sha256_file
from rag.settings import Settings
from rag.types import DocMeta, Document, Retriever, Unit

BuildProgress = Callable[[str, int, int], None]  # (stage, done, total), as build_index takes

QA_DOC = "qa2033"
COLUMNS = ("anchor", "positive")
QA_METRICS = ("recall@1", "recall@5", "recall@10", "mrr@10")


@dataclass(frozen=True)
class QaPair:
    """One benchmark row: a real Kamervraag and the answer it got."""

    row: int
    question: str
    answer: str


def load_pairs(path: str | Path) -> list[QaPair]:
    """Read the CSV; a missing file or column is a RagError naming the fix."""
    p = Path(path)
    if not p.is_file():
        raise RagError(f"benchmark file {p} not found; pass the CSV with --qa-csv")
    with open(p, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise RagError(
                f"{p} lacks the column(s) {', '.join(missing)}; the benchmark needs a CSV "
                "with columns anchor (question) and positive (answer)"
            )
        pairs = [
            QaPair(i, r["anchor"].strip(), r["positive"].strip()) for i, r in enumerate(reader)
        ]
    if not pairs:
        raise RagError(f"{p} holds no rows; pass the 2,033-pair CSV with --qa-csv")
    return pairs


def unit_id(row: int) -> str:
    """The unit id of a benchmark row."""
    return f"{QA_DOC}#{row}"


def qa_units(pairs: Sequence[QaPair]) -> list[Unit]:
    """One unit per row holding only the answer (the question is what we search with)."""
    return [
        Unit(
            doc=QA_DOC,
            unit_id=unit_id(p.row),
            kind="qa",
            vraag=None,
            label="",  # nothing but the answer is embedded (no header)
            answer=p.answer,
            text=p.answer,
            order=p.row,
        )
        for p in pairs
    ]


def relevant_ids(pairs: Sequence[QaPair]) -> dict[int, frozenset[str]]:
    """Per row: the unit ids whose answer text equals that row's answer (itself included)."""
    by_text: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        by_text[_norm(p.answer)].add(unit_id(p.row))
    return {p.row: frozenset(by_text[_norm(p.answer)]) for p in pairs}


def ranks_for(
    queries: Sequence[QaPair],
    relevant: dict[int, frozenset[str]],
    retriever: Retriever,
    mode: str,
    progress: Progress | None = None,
) -> list[int | None]:
    """Rank of the first relevant unit in the top 10 for each query row's question."""
    ranks = []
    for pair in queries:
        hits = retriever.search(pair.question, k=DEPTH, mode=mode)
        wanted = relevant[pair.row]
        ranks.append(m.first_match_rank([h.unit.unit_id in wanted for h in hits[:DEPTH]]))
        if progress:
            progress.step(str(pair.row))
    if progress:
        progress.close()
    return ranks


def run_modes(
    queries: Sequence[QaPair], pairs: Sequence[QaPair], retriever: Retriever, modes: Sequence[str]
) -> dict[str, dict[str, float | None]]:
    """recall@1/5/10 and MRR@10 per retrieval mode, querying with each query row."""
    relevant = relevant_ids(pairs)
    out = {}
    for mode in modes:
        bar = Progress(len(queries), f"qa {mode}")
        out[mode] = scores(ranks_for(queries, relevant, retriever, mode, bar))
    return out


def scores(ranks: Iterable[int | None]) -> dict[str, float | None]:
    """recall@1/5/10 and MRR@10 of a list of first-relevant ranks."""
    r = list(ranks)
    return {
        "recall@1": m.recall_at(r, 1),
        "recall@5": m.recall_at(r, 5),
        "recall@10": m.recall_at(r, 10),
        "mrr@10": m.mrr_at(r, 10),
    }


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- the benchmark's own index --------------------------------------------------------------

SOURCE_NAME = f"{QA_DOC}.txt"  # build_index takes .txt/.pdf; the staged copy of the CSV


def parse_csv(path: Path) -> Document:
    """The benchmark CSV as one pseudo-document (the `parse` collaborator of build_index)."""
    pairs = load_pairs(path)
    return Document(meta=DocMeta(doc=QA_DOC, kind="plain"), units=tuple(qa_units(pairs)))


def index_dir(settings: Settings, explicit: bool) -> Path:
    """The benchmark index folder: --index DIR itself, else index-qa/ beside the main index."""
    main = Path(settings.index.dir)
    return main if explicit else main.parent / "index-qa"


def is_current(folder: Path, csv_path: Path, settings: Settings) -> bool:
    """True when folder holds a benchmark index of this very CSV built with these settings."""
    try:
        manifest = read_manifest(folder)
    except RagError:
        return False
    from rag.index.build import default_chunker
    from rag.index.incremental import parser_identity

    e, lex = manifest.embedder, manifest.lexical
    want = settings.embedder
    return (
        list(manifest.source_sha().items()) == [(QA_DOC, sha256_file(csv_path))]
        # the parser identity hashes this module's code: editing it rebuilds the index
        and manifest.parser == parser_identity(parse_csv)
        and asdict(manifest.chunking) == default_chunker(settings).describe()
        and e.name == embedder_name(want)
        and (e.query_prefix, e.passage_prefix) == (want.query_prefix, want.passage_prefix)
        and (lex.stemmer, lex.k1, lex.b)
        == (settings.index.stemmer, settings.index.bm25_k1, settings.index.bm25_b)
        and manifest.dense.type == settings.index.faiss_type
        # built before the units' query-role answer vectors: the build adds them
        and (folder / manifest.data / ANSWER_VECTORS).is_file()
    )


def ensure_index(
    csv_path: Path,
    folder: Path,
    settings: Settings,
    embedder: Embedder,
    progress: BuildProgress | None = None,
) -> bool:
    """Build the benchmark index in folder unless it is current; True when it was built."""
    if is_current(folder, csv_path, settings):
        return False
    from rag.index.build import build_index

    # build_index reads .txt/.pdf files keyed by stem: stage a copy named qa2033.txt (same
    # bytes, so the manifest's sha256 is the CSV's).
    stage = folder.with_name(f".{folder.name}.src-{os.getpid()}")
    stage.mkdir(parents=True, exist_ok=True)
    try:
        source = stage / SOURCE_NAME
        shutil.copyfile(csv_path, source)
        settings = settings.override("index", dir=str(folder))
        build_index(
            [source], settings, embedder, parse=parse_csv, progress=progress, replace_all=True
        )
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return True
