"""The model's sentences, verified one by one as they stream: each cited source must support
the sentence (rag/answering/support.py), a marker whose source does not is dropped, and the
sentence with it when none is left; a sentence that is no whole claim (a question, a cut
copy, a word no language has: support_form.py) fails whatever its support. Only what passes
reaches on_text."""

from __future__ import annotations

from typing import Any, Protocol

from rag.analysis.sentences import split_sentences
from rag.answering.choose_ack import acknowledgement
from rag.answering.cite import Cited, Sources, join_positions, quotable_text, repeats
from rag.answering.llm import LocalLLM
from rag.answering.stream import Emitter, sentences, timed
from rag.answering.support import Support, attributed
from rag.answering.support_form import broken, warm
from rag.types import Unit

MAX_FAILED = 2  # consecutive unsupported sentences before generation is abandoned


class Supporter(Protocol):
    """What the writer needs of the pipeline: the support check of one sentence and source."""

    def support(self, text: str, unit: Unit, question: str = "") -> Support:
        """Does the unit support the sentence?"""
        ...


def verified_pieces(
    pipe: Supporter,
    llm: LocalLLM,
    built: Any,
    question: str,
    emit: Emitter,
    sources: Sources,
    shown: tuple[str, str],
) -> list[Cited]:
    """Stream, verify each sentence as it completes, emit the supported new ones.

    Generation stops after MAX_FAILED sentences in a row fail the check: a small model
    that has gone off track does not come back. A supported sentence that only repeats
    the quote already shown, or only says an article is known (choose_ack.py), is dropped
    without counting as a failure.
    """
    said, intro = shown  # the text shown so far, and the heading of the model's part
    pieces: list[Cited] = []
    failed = 0
    warm()  # the word lists load while the model reads its prompt
    tokens = timed(llm.stream(built.text, prefix=built.prefix), emit)
    for sentence in sentences(tokens):
        cites = [n for n in sentence.cites if n in built.sources]
        cited = [quotable_text(built.sources[n].unit) for n in cites]
        whole = len(sentence.text) >= 12 and not broken(sentence.text, cited, question)
        backed = [
            (built.sources[n], pipe.support(sentence.text, built.sources[n].unit, question))
            for n in cites
        ] if whole else []  # fmt: skip
        backed = [(h, b) for h, b in backed if b.ok]  # a marker whose source fails drops
        if backed:  # a marker another prompt source beats is a mix-up: it drops too
            rivals = [pipe.support(sentence.text, s.unit, question)
                      for n, s in built.sources.items() if n not in cites]  # fmt: skip
            keep = attributed([b for _, b in backed], rivals)
            backed = [hb for hb, k in zip(backed, keep, strict=True) if k]
        failed = 0 if backed else failed + 1
        if failed >= MAX_FAILED:
            break
        if not backed or repeats(sentence.text, said):
            continue
        if acknowledgement(sentence.text.strip(), question):
            continue  # "Ja, het kabinet is bekend met het artikel." answers nothing asked
        marks = "".join(f" [{sources.ledger.number(h.unit)}]" for h, _ in backed)
        parts = [split_sentences(quotable_text(h.unit)) for h, _ in backed]
        quotes = tuple(
            join_positions(p, b.positions) for p, (_, b) in zip(parts, backed, strict=True)
        )
        piece = Cited(sentence.text.rstrip() + marks, tuple(h for h, _ in backed), quotes)
        emit(piece.text, sep=("\n\n" if emit.text else "") + intro + "\n" if not pieces else " ")
        for h, b in backed:  # the highlight: the source sentences that support it
            sources.ledger.mark(h.unit, b.positions)
        sources.publish()
        pieces.append(piece)
        said += " " + sentence.text
    return pieces
