"""The one way to open the query side: index, query embedder, analyzer, retriever, answerer.

`rag ask`, `search`, `similar`, `eval`, `bench` and the UI all open it here, so what is
evaluated and benchmarked is what users run: the same index, the same query embedder (the
one the index was built with, its roles and prefixes from the manifest), the same analyzer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from rag.analysis.query import analyse, search_text
from rag.analysis.terms import Analyzer
from rag.answering.llm import ModelCache
from rag.answering.open import build_answerer
from rag.answering.pipeline import AnswerPipeline
from rag.answering.prompts import Prompts
from rag.embedders.base import Embedder
from rag.embedders.load import open_embedder, settings_for_name
from rag.embedders.prefetch import PrefetchedQueries
from rag.errors import RagError
from rag.index.lazy import LazyIndex
from rag.index.load import Index, load_index
from rag.index.manifest import rebuild_command
from rag.retrieval.hybrid import HybridRetriever
from rag.settings import EmbedderSettings, Settings
from rag.types import Query


@dataclass(frozen=True, eq=False)
class QuerySide:
    """Everything a question needs, opened once (the answerer on first use: over a large
    memory-mapped index retrieval needs none of the records it reads)."""

    settings: Settings
    index: Index | LazyIndex
    embedder: Embedder | None
    retriever: HybridRetriever
    make_answerer: Callable[[], AnswerPipeline] = field(repr=False)

    @cached_property
    def answerer(self) -> AnswerPipeline:
        """The answer pipeline over the index, built once."""
        return self.make_answerer()

    @property
    def analyzer(self) -> Analyzer:
        """The index's analyzer (stemmer and stopwords from its manifest)."""
        return self.index.lexical.analyzer

    def query(self, text: str, context: str = "") -> Query:
        """The question analysed once, with its vector when a dense side is there."""
        query = analyse(text, self.analyzer, context)
        if self.embedder is None:
            return query
        vector = self.embedder.embed([query.search_text], "query")[0]
        return query.with_vector(np.asarray(vector, dtype=np.float32))


def open_query_side(
    settings: Settings,
    mode: str = "hybrid",
    embedder: Embedder | None = None,
    models: ModelCache | None = None,
    prompts: Prompts | None = None,
    prefetch: Sequence[str] = (),
) -> QuerySide:
    """Load the index in settings.index.dir and open the query side over it.

    The embedder is loaded only for dense and hybrid modes, and by default it is the one
    the index was built with (settings.embedder.model overrides, and is then checked).
    With prefetch, those queries are embedded in batches up front (evaluation runs).
    """
    index = load_index(settings.index.dir)
    if embedder is None and mode != "bm25":
        embedder = query_embedder(index, settings.embedder)
    if embedder is not None and prefetch:  # evaluation: its questions embedded in batches
        embedder = PrefetchedQueries(embedder, [search_text(q) for q in prefetch])
    retriever = HybridRetriever(index, embedder, settings.retrieval)

    def answerer() -> AnswerPipeline:
        return build_answerer(settings, index, retriever, models, prompts)

    return QuerySide(settings, index, embedder, retriever, answerer)


def query_embedder(index: Index, settings: EmbedderSettings) -> Embedder:
    """The embedder for queries: the one the index was built with (its prefixes from the
    manifest), unless settings name another, which the retriever then checks."""
    if settings.model:
        return open_embedder(settings, "query")
    built = index.manifest.embedder
    settings = settings_for_name(
        built.name,
        replace(
            settings,
            query_prefix=settings.query_prefix or built.query_prefix,
            passage_prefix=settings.passage_prefix or built.passage_prefix,
        ),
    )
    try:
        return open_embedder(settings, "query")
    except RagError as exc:  # e.g. a model folder that is not on this machine
        fix = rebuild_command(index.manifest, index.dir, embedder="bundled:")
        raise RagError(
            f"index in {index.dir} was built with the embedder {built.name}, which cannot be "
            f"opened here ({exc}); rebuild it with `{fix}` (the bundled embedder) or "
            "pass --embedder with that model's folder"
        ) from exc
