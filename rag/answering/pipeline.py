"""The answer pipeline: retrieve, quote the government's own words, then add the model's
verified sentences (mode generate); refuse when no source covers the question.

The verbatim quote with its address is what users come for, and it needs no model, so it is
shown first, as soon as retrieval is done. In generate mode the model then writes from the
same sources, and nothing it writes reaches the caller unverified: a sentence goes to on_text
only once it is complete, cites a source that was in the prompt, passes the support check and
adds something the quote did not already say.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence

from rag.analysis.query import analyse
from rag.analysis.terms import Analyzer
from rag.answering.address import address, province_of
from rag.answering.cite import Cited, Ledger, OnSources, Sources
from rag.answering.llm import LocalLLM
from rag.answering.prompts import Prompts, build_prompt
from rag.answering.quote import Evidence, Quote, best_sentences
from rag.answering.stream import Emitter, OnText, sentences, timed
from rag.answering.verify import verified
from rag.errors import RagError
from rag.index.lexical import LexicalIndex, unit_text
from rag.settings import Settings
from rag.types import ANSWER_MODES, Answer, DocMeta, Filters, Hit, Query, Retriever, Unit

MAX_FAILED = 2  # consecutive unsupported sentences before generation is abandoned
# a second source is quoted only when it covers the question at least as well as the first
# (eval/dev.jsonl, quote mode: citation precision 0.53 at 0.8, 0.57 at 1.0, same recall)
SECOND_SOURCE = 1.0


class AnswerPipeline:
    """The Answerer of rag.types over one index; the model is loaded on first generate."""

    def __init__(
        self,
        settings: Settings,
        docs: dict[str, DocMeta],
        units: Sequence[Unit],
        retriever: Retriever,
        llm: Callable[[], LocalLLM],
        prompts: Prompts,
        index_hash: str = "",
        lexical: LexicalIndex | None = None,
    ) -> None:
        self.settings, self.docs, self.retriever = settings, docs, retriever
        self.llm, self.prompts, self.index_hash = llm, prompts, index_hash
        units = list(units)
        if lexical is None:  # a pipeline over units that were never indexed (tests, tools)
            lexical = LexicalIndex.build(
                [unit_text(u) for u in units], Analyzer(), settings.index.bm25_k1,
                settings.index.bm25_b,
            )  # fmt: skip
        self.analyzer = lexical.analyzer
        self.evidence = Evidence(lexical, [u.unit_id for u in units])
        self.provinces = _provinces(docs, units)

    def address(self, unit: Unit) -> str:
        """The unit's structural address."""
        return address(unit, self.docs[unit.doc], self.provinces.get(unit.doc))

    def ask(
        self,
        question: str,
        k: int = 5,
        mode: str = "generate",
        filters: Filters | None = None,
        on_text: OnText | None = None,
        context: str = "",
        on_sources: OnSources | None = None,
    ) -> Answer:
        """The verified answer (see the module docstring and rag.types.Answerer)."""
        query = analyse(_check(question, mode, k), self.analyzer, context)
        lang, timings, start = query.lang, {}, time.perf_counter()
        emit = Emitter(on_text, start, timings)
        ledger = Ledger(self.address)
        sources = Sources(ledger, on_sources)
        hits = self.retriever.search(query, k=k, mode=self.settings.retrieval.mode, filters=filters)
        timings["retrieve"] = time.perf_counter() - start
        # the corpus covers the question when any hit does; the sources stay in rank order
        # (quoting the first hit that passes instead cut citation precision: eval/RESULTS.md)
        covered = any(self.relevance(query, h) >= self.settings.answer.min_relevance for h in hits)
        strong = hits if covered else []
        pieces = self._quote(query, strong, emit, sources) if strong else []
        used = "quote" if pieces else "refuse"
        if strong and mode == "generate":
            written = self._generate(query, strong, emit, timings, sources, pieces)
            used = "generate" if written else used
            pieces += written
        if not pieces:
            emit(self.prompts.refusal[lang])
        timings["total"] = time.perf_counter() - start
        return Answer(
            question=query.text, answer=emit.text, refused=used == "refuse", mode_used=used,  # type: ignore[arg-type]
            citations=ledger.citations(), timings={k: round(v, 4) for k, v in timings.items()},
            lang=lang, index_hash=self.index_hash, context=context,
        )  # fmt: skip

    def follow_up_context(self, question: str, previous: str) -> str:
        """previous when the question reads as its follow-up on the evidence, else "".

        A follow-up: read together with the previous question, a unit covers both (the
        joint evidence is strong), while on its own the question's evidence is weak: no
        unit passes the gate, or its best unit says less about it than the joint one does
        and nothing about the previous question. BM25 and coverage only; no model runs.
        """
        if not previous.strip() or not question.strip():
            return ""
        own, prev = self._analyse(question), self._analyse(previous)
        joint = analyse(question, self.analyzer, previous)
        gate = self.settings.answer.min_relevance

        def best(query: Query) -> list[Hit]:
            return self.retriever.search(query, k=5, mode="bm25")

        both = max(
            (min(self.relevance(own, h), self.relevance(prev, h)) for h in best(joint)),
            default=0.0,
        )
        if both < gate:
            return ""  # read together nothing answers: a new question
        alone = best(own)
        if not alone or max(self.relevance(own, h) for h in alone) < gate:
            return previous
        top = alone[0]
        own_only = self.relevance(prev, top) < gate and self.relevance(own, top) <= both
        return previous if own_only else ""

    def relevance(self, query: Query, hit: Hit) -> float:
        """Evidence that the hit is about the question (coverage of the question's terms)."""
        return self.evidence.coverage(query, hit.unit.unit_id)

    def _generate(
        self,
        query: Query,
        hits: list[Hit],
        emit: Emitter,
        timings: dict,
        sources: Sources,
        shown: list[Cited],
    ) -> list[Cited]:
        llm = self.llm()
        gen = self.settings.generation
        t0 = time.perf_counter()

        def excerpt(hit: Hit) -> str:
            quotes = best_sentences(self.evidence, query, hit.unit, gen.source_sentences)
            return _join(quotes) if quotes else hit.unit.answer or hit.unit.text

        with llm.lock:
            built = build_prompt(
                self.prompts, query.text, query.lang, hits,
                {h.unit.unit_id: self.address(h.unit) for h in hits},
                llm.count, min(gen.prompt_budget, llm.n_ctx - gen.max_tokens), llm.chat_template(),
                excerpt,
            )  # fmt: skip
            said = " ".join(q for piece in shown for q in piece.quotes)
            intro = self.prompts.model_intro[query.lang]
            pieces = self._verified_pieces(llm, built, query.text, emit, sources, (said, intro))
        timings["generate"] = time.perf_counter() - t0
        timings["prompt_tokens"] = built.tokens
        return pieces

    def _verified_pieces(
        self,
        llm: LocalLLM,
        built,  # noqa: ANN001
        question: str,
        emit: Emitter,
        sources: Sources,
        shown: tuple[str, str],
    ) -> list[Cited]:
        """Stream, verify each sentence as it completes, emit the supported new ones.

        Generation stops after MAX_FAILED sentences in a row fail the check: a small model
        that has gone off track does not come back. A supported sentence that only repeats
        the quote already shown is dropped without counting as a failure.
        """
        said, intro = shown  # the text shown so far, and the heading of the model's part
        # a sentence must be backed by what the government answered (the Vraag's own words
        # are the member's claims); units without an answer back it with their text
        texts = {n: h.unit.answer or h.unit.text for n, h in built.sources.items()}
        pieces: list[Cited] = []
        failed = 0
        threshold = self.settings.answer.support_threshold
        tokens = timed(llm.stream(built.text, prefix=built.prefix), emit)
        for sentence in sentences(tokens):
            kept = verified([sentence], texts, threshold, question)
            failed = 0 if kept else failed + 1
            if failed >= MAX_FAILED:
                break
            for s in kept:
                if _repeats(s.text, said):
                    continue
                cited = tuple(built.sources[n] for n in s.cites)
                marks = "".join(f" [{sources.ledger.number(h.unit)}]" for h in cited)
                best = [
                    best_sentences(self.evidence, self._analyse(s.text), h.unit, 1) for h in cited
                ]
                quotes = tuple(_first(b) for b in best)
                piece = Cited(s.text.rstrip() + marks, cited, quotes)
                head = ("\n\n" if emit.text else "") + intro + "\n" if not pieces else " "
                emit(piece.text, sep=head)
                for h, b in zip(cited, best, strict=True):
                    sources.ledger.mark(h.unit, tuple(q.position for q in b))
                sources.publish()
                pieces.append(piece)
                said += " " + s.text
        return pieces

    def _analyse(self, text: str) -> Query:
        return analyse(text, self.analyzer)

    def _quote(self, query: Query, hits: list[Hit], emit: Emitter, sources: Sources) -> list[Cited]:
        n = self.settings.answer.quote_sentences
        best = hits[0]
        chosen = [best] + [
            h for h in hits[1:2]
            if self.relevance(query, h) >= SECOND_SOURCE * self.relevance(query, best)
        ]  # fmt: skip
        pieces = []
        for i, hit in enumerate(chosen):
            quotes = best_sentences(self.evidence, query, hit.unit, n if i == 0 else 1)
            if not quotes:
                continue
            text = f"«{_join(quotes)}» [{sources.ledger.number(hit.unit)}]"
            sources.ledger.mark(hit.unit, tuple(q.position for q in quotes))
            pieces.append(Cited(text, (hit,), (_join(quotes),)))
        if pieces:
            sources.publish()  # the cards can show before the quote text arrives
            intro = self.prompts.quote_intro[query.lang]
            emit(intro + "\n" + "\n".join(p.text for p in pieces))
        return pieces


_WORD = re.compile(r"\w+")


def _repeats(sentence: str, said: str) -> bool:
    """True when the text shown so far has all the sentence's words but at most one in ten."""
    shown = {w.lower() for w in _WORD.findall(said)}
    words = {w.lower() for w in _WORD.findall(sentence)}
    return bool(words) and len(words - shown) <= len(words) // 10


def _join(quotes: list[Quote]) -> str:
    out = quotes[0].sentence
    for prev, q in zip(quotes, quotes[1:], strict=False):
        out += (" " if q.position == prev.position + 1 else " … ") + q.sentence
    return out


def _first(quotes: list[Quote]) -> str:
    return quotes[0].sentence if quotes else ""


def _check(question: str, mode: str, k: int) -> str:
    if mode not in ANSWER_MODES:
        raise RagError(f"unknown answer mode {mode!r}; use --mode generate or --mode quote")
    if k <= 0:
        raise RagError(f"-k {k} must be a positive number of sources; pass -k 1 or more")
    cleaned = "".join(c for c in question if c.isprintable() or c in "\n\t").strip()
    if not cleaned:
        raise RagError(
            'the question is empty; ask it in words, e.g. rag ask "Wat zei het kabinet?"'
        )
    if len(cleaned) > 2000:
        raise RagError(f"the question has {len(cleaned)} characters; keep it under 2000")
    return cleaned


def _provinces(docs: dict[str, DocMeta], units: Sequence[Unit]) -> dict[str, str]:
    out = {}
    for doc, meta in docs.items():
        if meta.kind == "provincial":
            name = province_of(u.text for u in units if u.doc == doc)
            if name:
                out[doc] = name
    return out
