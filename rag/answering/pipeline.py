"""The answer pipeline: retrieve, quote the government's own words, then add the model's
verified sentences (mode generate); refuse when no retrieved unit passes the evidence gate
(rag/answering/gate.py).

The verbatim quote with its address is what users come for, and it needs no model, so it is
shown first, as soon as retrieval is done. In generate mode the model then writes from the
same sources, and nothing it writes reaches the caller unverified: a sentence goes to on_text
only once it is complete, cites a source that was in the prompt, is supported by each source
it keeps a marker for (rag/answering/support.py) and adds something the quote did not say.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from rag.analysis.query import analyse, checked
from rag.analysis.sentences import split_sentences
from rag.analysis.terms import Analyzer
from rag.answering.address import address, province_of
from rag.answering.choose import (
    ChoiceSettings,
    SentenceVectors,
    choose,
    quote_order,
    sentence_scores,
)
from rag.answering.choose_ack import only_acknowledges
from rag.answering.cite import Cited, Ledger, OnSources, Sources, quotable_text
from rag.answering.corpus import Corpus
from rag.answering.gate import GateSettings, also_cite, dense_of, follow_up, passes, strength
from rag.answering.llm import LocalLLM
from rag.answering.notes import notes_text, quoted_notes
from rag.answering.prompts import Prompts, build_prompt
from rag.answering.quote import Evidence, Quote, best_sentences
from rag.answering.stream import Emitter, OnText
from rag.answering.support import WITH_ATTRIBUTION, Support, SupportChecker
from rag.answering.verify import support as literal_support
from rag.answering.write import verified_pieces
from rag.embedders.base import Embedder
from rag.index.lexical import LexicalIndex, unit_text
from rag.settings import Settings
from rag.types import Answer, DocMeta, Filters, Hit, Query, Retriever, Unit

POINTER_WORDS = 25  # an answer this short that points elsewhere is quoted from there
MAX_SOURCES = 3  # units quoted at most (a further one only on its own evidence: gate.also_cite)


class AnswerPipeline:
    """The Answerer of rag.types over one index; the model is loaded on first generate."""

    def __init__(
        self,
        settings: Settings,
        docs: dict[str, DocMeta],
        units: Sequence[Unit] | Corpus,
        retriever: Retriever,
        llm: Callable[[], LocalLLM],
        prompts: Prompts,
        index_hash: str = "",
        lexical: LexicalIndex | None = None,
        embedder: Embedder | None = None,
        questions: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.settings, self.docs, self.retriever = settings, docs, retriever
        self.llm, self.prompts, self.index_hash = llm, prompts, index_hash
        if not isinstance(units, Corpus):  # units in memory (tests, tools)
            units = Corpus.of_units(list(units), questions)
        if lexical is None:  # a pipeline over units that were never indexed (tests, tools)
            lexical = LexicalIndex.build(
                [unit_text(u) for u in units.units.values()], Analyzer(),
                settings.index.bm25_k1, settings.index.bm25_b,
            )  # fmt: skip
        self.analyzer = lexical.analyzer
        self.corpus, self.units = units, units.units
        self.evidence = Evidence(lexical, units.rows)
        self.provinces: dict[str, str | None] = {}  # doc -> its province, found on first use
        self.embedder = embedder
        self.questions = units.questions  # unit id -> its Vraag's vector (query role)
        self.vectors = SentenceVectors(embedder)
        a = settings.answer
        self.gate = GateSettings(lexical_only=a.min_relevance)
        self.choice = ChoiceSettings()
        self.checker: SupportChecker | None = None  # built on the first generated sentence
        self.threshold = a.support_threshold

    def quote_unit(self, unit: Unit) -> Unit:
        """The unit whose words answer: the unit itself, or for a question without an
        answer of its own (a Mededeling's questions, "Zie het antwoord op vraag 7") the
        unit it points to."""
        if unit.see_units and len((unit.answer or "").split()) <= POINTER_WORDS:
            return self.units.get(unit.see_units[0], unit)
        return unit

    def address(self, unit: Unit) -> str:
        """The unit's structural address."""
        meta = self.docs[unit.doc]
        if meta.kind == "provincial" and unit.doc not in self.provinces:
            texts = (u.text for u in self.corpus.doc_units(unit.doc))
            self.provinces[unit.doc] = province_of(texts)
        return address(unit, meta, self.provinces.get(unit.doc))

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
        timings, start = {}, time.perf_counter()
        query = self._embedded(analyse(checked(question, mode, k), self.analyzer, context))
        lang, emit = query.lang, Emitter(on_text, start, timings)
        ledger = Ledger(self.address)
        sources = Sources(ledger, on_sources)
        hits = self.retriever.search(query, k=k, mode=self.settings.retrieval.mode, filters=filters)
        timings["retrieve"] = time.perf_counter() - start
        passing = [h for h in hits if self.passes(query, h)]  # in the order they are quoted:
        close = self.vectors.closeness(query, self.quote_unit)  # choose.quote_order
        strong = quote_order(passing, self._sentences, query.text, close)
        pieces = self._quote(query, strong, emit, sources) if strong else []
        used = "quote" if pieces else "refuse"
        if pieces and mode == "generate":
            # the model writes from the quoted units only: those answered on their own
            # evidence, so its citations are never less precise than the quote's
            quoted = [piece.hits[0] for piece in pieces]
            written = self._generate(query, quoted, emit, timings, sources, pieces)
            used = "generate" if written else used
            pieces += written
        why = "" if pieces else "no_amount" if passing and not strong else "no_source"
        if why:  # a filter may hide it; units on the topic may not give what is asked
            notes = [self.prompts.refusal_filter[lang]] if filters not in (None, Filters()) else []
            notes += [self.prompts.refusal_amount[lang]] if why == "no_amount" else []
            emit(" ".join([self.prompts.refusal[lang], *notes]))
        timings["total"] = time.perf_counter() - start
        return Answer(
            question=query.text, answer=emit.text, refused=used == "refuse", mode_used=used,  # type: ignore[arg-type]
            citations=ledger.citations(), timings={k: round(v, 4) for k, v in timings.items()},
            lang=lang, index_hash=self.index_hash, context=context, refusal=why,  # type: ignore[arg-type]
        )  # fmt: skip

    def follow_up_context(self, question: str, previous: str) -> str:
        """previous when the question reads as its follow-up on the evidence, else ""
        (BM25 and coverage only, no model; rag/answering/gate.py follow_up)."""
        if not previous.strip() or not question.strip():
            return ""
        own, prev = self._analyse(question), self._analyse(previous)
        joint = analyse(question, self.analyzer, previous)
        found = follow_up(
            own, prev, joint, lambda q: self.retriever.search(q, k=5, mode="bm25"),
            lambda q, h: self.relevance(q, h), self.settings.answer.min_relevance,
        )  # fmt: skip
        return previous if found else ""

    def passes(self, query: Query, hit: Hit) -> bool:
        """True when the hit is evidence that the corpus answers the question (gate.py)."""
        coverage, asked = self.relevance(query, hit), self._asked(query, hit)
        return passes(coverage, dense_of(hit), asked, self.gate, query.lang)

    def _sentences(self, hit: Hit) -> list[str]:
        return split_sentences(quotable_text(self.quote_unit(hit.unit)))

    def strength(self, query: Query, hit: Hit) -> float:
        """The hit's evidence as one number (to compare hits that pass)."""
        return strength(
            self.relevance(query, hit), dense_of(hit), self._asked(query, hit), self.gate
        )

    def _asked(self, query: Query, hit: Hit) -> float | None:
        """Cosine of the question with the unit's own Vraag (None: no vectors for it)."""
        v = self.questions.get(hit.unit.unit_id)
        return None if v is None or query.vector is None else float(v @ query.vector)

    def _embedded(self, query: Query) -> Query:
        """The query with its vector (embedded once, read by retrieval and sentence choice)."""
        if self.embedder is None or query.vector is not None:
            return query
        vector = self.embedder.embed([query.search_text], "query")[0]
        return query.with_vector(np.asarray(vector, dtype=np.float32))

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
            pieces = verified_pieces(self, llm, built, query.text, emit, sources, (said, intro))
        timings["generate"] = time.perf_counter() - t0
        timings["prompt_tokens"] = built.tokens
        return pieces

    def support(self, text: str, unit: Unit, question: str = "") -> Support:
        """Does the unit support the sentence? (support.py; without an embedder the literal
        check of verify.py, highlighting the sentence that shares most words)."""
        if self.embedder is not None:
            if self.checker is None:
                words = self.corpus.vocabulary()
                self.checker = SupportChecker(
                    self.vectors, WITH_ATTRIBUTION, vocabulary=words, docs=self.docs
                )
            return self.checker.check(text, unit, question)
        if literal_support(text, unit.answer or unit.text, question) < self.threshold:
            return Support(False, reason="literal check")
        quotes = best_sentences(self.evidence, self._analyse(text), unit, 1)
        return Support(True, tuple(q.position for q in quotes))

    def _analyse(self, text: str) -> Query:
        return analyse(text, self.analyzer)

    def _quote(self, query: Query, hits: list[Hit], emit: Emitter, sources: Sources) -> list[Cited]:
        """Quote the first hit that passed the gate; a second or third unit only when it
        answers on its own evidence (gate.also_cite)."""
        top = self.quote_unit(hits[0].unit)

        def best(unit: Unit) -> float:  # its sentences' best cosine (embedded once, cached)
            cosine = sentence_scores(self.evidence, self.vectors, query, unit)[1]
            return float(cosine.max()) if cosine.size else 0.0

        def also(hit: Hit) -> bool:
            if only_acknowledges(self._sentences(hit), query.text):
                return False  # answers nothing (choose_ack.py)
            powers = (self.strength(query, hits[0]), self.strength(query, hit))
            return also_cite(top, self.quote_unit(hit.unit), powers, best, self.gate)

        chosen = [hits[0]] + [h for h in hits[1:] if also(h)][: MAX_SOURCES - 1]
        units = {}  # the quote units, each once, only those with a sentence to quote
        for hit in chosen:
            unit = self.quote_unit(hit.unit)
            if any(len(t) > 3 for t in split_sentences(quotable_text(unit))):
                units.setdefault(unit.unit_id, (hit, unit))
        if not units:
            return []
        for _, unit in units.values():
            sources.ledger.number(unit)
        sources.publish()  # the cards, before the sentences are chosen (that embeds them)
        pieces = []
        for hit, unit in units.values():
            quotes = choose(self.evidence, self.vectors, query, unit, self.choice)
            text = f"«{_join(quotes)}» [{sources.ledger.number(unit)}]"
            sentences = split_sentences(quotable_text(unit))
            notes = notes_text(quoted_notes(unit, sentences, [q.position for q in quotes]))
            text += f" {notes}" if notes else ""  # the Kamerstuk the quoted sentences cite
            sources.ledger.mark(unit, tuple(q.position for q in quotes))
            pieces.append(Cited(text, (replace(hit, unit=unit),), (_join(quotes),)))
        sources.publish()  # now with the quoted sentences marked
        intro = self.prompts.quote_intro[query.lang]
        emit(intro + "\n" + "\n".join(p.text for p in pieces))
        return pieces


def _join(quotes: list[Quote]) -> str:
    out = quotes[0].sentence
    for prev, q in zip(quotes, quotes[1:], strict=False):
        out += (" " if q.position == prev.position + 1 else " … ") + q.sentence
    return out
