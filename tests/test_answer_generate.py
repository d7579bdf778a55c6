"""The generate pipeline with a scripted model: quote first, then only verified new sentences."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.analysis.sentences import split_sentences
from rag.answering.cite import Ledger, Sources
from rag.answering.llm import Token
from rag.answering.pipeline import AnswerPipeline
from rag.answering.prompts import Built, Prompts
from rag.answering.stream import Emitter
from rag.answering.write import verified_pieces
from rag.parsing import parse_file
from rag.settings import REPO, Settings
from rag.types import Filters, Hit, Unit

QUESTION = "Heeft het kabinet testkits van BGI gekocht?"


class ScriptedLLM:
    """The LocalLLM interface, writing a fixed text word by word; records its prompts."""

    def __init__(self, text: str) -> None:
        self.text, self.prompts = text, []
        self.lock = threading.Lock()
        self.n_ctx = 2048

    def count(self, text: str) -> int:
        return len(text.split())

    def chat_template(self) -> str | None:
        return None

    def stream(
        self, prompt: str, max_tokens: int | None = None, prefix: str = ""
    ) -> Iterator[Token]:
        assert prompt.startswith(prefix) and prefix
        self.prompts.append(prompt)
        for word in re.findall(r"\S+\s*", self.text):
            yield Token(word, time.perf_counter())


class FixedRetriever:
    """The Retriever interface returning the same units, in order, for any question."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units

    def search(self, query: str, k: int = 5, mode: str = "hybrid", filters: Filters | None = None):
        return [Hit(rank=i, unit=u, score=1.0 / i) for i, u in enumerate(self.units[:k], 1)]


@pytest.fixture(scope="module")
def bgi() -> tuple[dict, list[Unit]]:
    doc = parse_file(REPO / "corpus" / "001_f07640d600ade888.txt")
    units = {u.unit_id.rsplit("#", 1)[1]: u for u in doc.units}
    return {doc.meta.doc: doc.meta}, [units["v8"], units["v9"], units["v7"]]


def pipeline(bgi, llm: ScriptedLLM) -> AnswerPipeline:
    docs, hits = bgi
    all_units = list(parse_file(REPO / "corpus" / "001_f07640d600ade888.txt").units)
    return AnswerPipeline(
        Settings(), docs, all_units, FixedRetriever(hits), lambda: llm, Prompts.load()
    )


HUAWEI = "Welke maatregelen nam het kabinet tegen Huawei in 5G-netwerken?"


@pytest.fixture(scope="module")
def huawei() -> tuple[dict, list[Unit]]:
    """Antwoord 27 en 28 (long: the quote is cut) and Antwoord 29."""
    doc = parse_file(REPO / "corpus" / "001_f07640d600ade888.txt")
    units = {u.unit_id.rsplit("#", 1)[1]: u for u in doc.units}
    return {doc.meta.doc: doc.meta}, [units["v27-28"], units["v29"]]


def test_quote_comes_first_then_a_verified_new_sentence(huawei) -> None:
    llm = ScriptedLLM(
        "Het kabinet heeft een stevig pakket aan aanvullende maatregelen aangekondigd [1]. "
        "Het kabinet heeft 40.000 antennes van Huawei verboden [1]. "
        "Deze regeling wordt naar verwachting eind september 2021 gepubliceerd [1]."
    )
    shown: list[str] = []
    answer = pipeline(huawei, llm).ask(HUAWEI, k=2, on_text=shown.append)
    quote_intro = Prompts.load().quote_intro["nl"]
    assert shown[0].startswith(quote_intro) and "«" in shown[0]  # the quote, before the model
    assert "september 2021" not in shown[0]  # otherwise the last sentence proves nothing
    assert len(llm.prompts) == 1
    text = answer.answer
    assert "40.000" not in text  # the invented sentence never reaches the user
    assert text.count("stevig pakket") == 1  # repeats the quote: dropped
    assert "Deze regeling wordt naar verwachting eind september 2021 gepubliceerd. [1]" in text
    assert answer.mode_used == "generate"
    assert text == "".join(shown)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text)}
    assert markers == {c.n for c in answer.citations}
    assert answer.citations[0].address.startswith("Antwoord 27 en 28 op Kamervragen 2021Z13647")


def test_a_sentence_that_repeats_the_quote_is_not_shown_twice(bgi) -> None:
    prompts = Prompts.load()
    quote_only = pipeline(bgi, ScriptedLLM("")).ask(QUESTION, k=3, mode="quote")
    quoted = re.search(r"«(.*?)»", quote_only.answer, re.S).group(1)
    first = re.split(r"(?<=\.) ", quoted)[0]
    answer = pipeline(bgi, ScriptedLLM(f"{first} [1]")).ask(QUESTION, k=3)
    assert answer.mode_used == "quote"
    assert prompts.model_intro["nl"] not in answer.answer
    assert answer.answer == quote_only.answer


def test_a_new_supported_sentence_gets_the_model_heading_and_mode_generate(huawei) -> None:
    prompts = Prompts.load()
    quote_only = pipeline(huawei, ScriptedLLM("")).ask(HUAWEI, k=2, mode="quote")
    extra = "Deze regeling wordt naar verwachting eind september 2021 gepubliceerd [1]."
    assert "september 2021" not in quote_only.answer  # otherwise this test proves nothing
    answer = pipeline(huawei, ScriptedLLM(extra)).ask(HUAWEI, k=2)
    assert answer.mode_used == "generate"
    head, _, tail = answer.answer.partition("\n\n" + prompts.model_intro["nl"] + "\n")
    assert head == quote_only.answer
    assert tail.startswith("Deze regeling wordt") and tail.endswith(" [1]")
    # the highlight of the model's sentence is the source sentence that says it
    cited = answer.citations[0]
    assert any("eind september 2021" in s for s in split_sentences(cited.text)[6:7])
    assert 6 in cited.quoted and 6 not in quote_only.citations[0].quoted


def test_a_model_that_says_not_found_leaves_the_quote(bgi) -> None:
    answer = pipeline(bgi, ScriptedLLM("NIET GEVONDEN")).ask(QUESTION, k=3)
    assert answer.mode_used == "quote" and not answer.refused and "«" in answer.answer


def test_unrelated_question_is_refused_without_running_the_model(bgi, tmp_path: Path) -> None:
    llm = ScriptedLLM("Ja [1].")
    answer = pipeline(bgi, llm).ask("Wat kost een nieuwe brug over de Waal bij Nijmegen?", k=3)
    assert answer.refused and answer.citations == () and llm.prompts == []


def test_sources_reach_the_caller_before_the_model_runs_and_keep_their_numbers(bgi) -> None:
    llm = ScriptedLLM(
        "Daarna is er geen vervolgonderzoek gedaan met deze kits [1]. "
        "Alle monsters blijven in Nederland en er is geen data gedeeld [2]."
    )
    calls: list[tuple[tuple, int]] = []
    answer = pipeline(bgi, llm).ask(
        QUESTION, k=3, on_sources=lambda c: calls.append((c, len(llm.prompts)))
    )
    before = [c for c, prompts_then in calls if prompts_then == 0]
    assert before and before[0]  # the quote's sources, before the model was asked
    first = before[-1]  # the cards come first, then again with the quoted sentences marked
    assert first[0].n == 1 and first[0].quote and first[0].quote in first[0].text
    assert calls[-1][0] == answer.citations  # the last call is the final tuple
    for citations, _ in calls:  # a number never changes between calls
        for c in citations:
            assert answer.citations[c.n - 1].unit_id == c.unit_id
    cited = answer.citations[0]
    assert cited.quoted and all(isinstance(p, int) for p in cited.quoted)


def test_the_answer_records_the_question_it_was_read_with(bgi) -> None:
    answer = pipeline(bgi, ScriptedLLM("")).ask(
        "En wat deed het RIVM ermee?", k=3, mode="quote", context=QUESTION
    )
    assert answer.context == QUESTION and answer.to_dict()["context"] == QUESTION
    alone = pipeline(bgi, ScriptedLLM("")).ask("En wat deed het RIVM ermee?", k=3, mode="quote")
    assert alone.context == ""


# reference answers of eval/dev.jsonl (d03, d11, d12, d23) with their questions, and
# perturbed copies: negation flipped, a number or a name changed, another answer's claim added
REFERENCES = {
    "v5": (
        "Heeft Den Haag Peking om raad gevraagd bij het invoeren van de lockdown?",
        "De Chinese overheid is niet om advies gevraagd over lockdowns.",
        [
            "De Chinese overheid is om advies gevraagd over lockdowns.",
            "De Amerikaanse overheid is niet om advies gevraagd over lockdowns.",
            "De Chinese overheid is in 2020 niet om advies gevraagd over lockdowns.",
        ],
    ),
    "v30": (
        "Bedreigt China ons militair op dit moment?",
        "Er is vooralsnog geen sprake van een directe militaire dreiging richting Europese staten.",
        [
            "Er is vooralsnog wel sprake van een directe militaire dreiging richting Europese "
            "staten.",
            "Er is vooralsnog geen sprake van een directe militaire dreiging richting Japan.",
        ],
    ),
    "v35": (
        "Heeft China ooit een wapen getest om satellieten neer te halen?",
        "China testte in 2007 een antisatellietwapen.",
        [
            "China testte in 2017 een antisatellietwapen.",
            "Rusland testte in 2007 een antisatellietwapen.",
        ],
    ),
    "v87": (
        "Gaat Nederland het één-China-beleid veranderen?",
        "Nee, het kabinet is niet voornemens het één-Chinabeleid te herzien.",
        [
            "Ja, het kabinet is voornemens het één-Chinabeleid te herzien.",
            "Nee, het kabinet is niet voornemens het één-Chinabeleid in 2022 te herzien.",
            "Nee, het kabinet is niet voornemens het één-Chinabeleid te herzien en de Chinese "
            "overheid is niet om advies gevraagd over lockdowns.",
        ],
    ),
}


@pytest.fixture(scope="module")
def e5():
    from rag.embedders.e5 import E5Embedder

    return E5Embedder(threads=1)


def with_model(unit: Unit, e5, text: str) -> AnswerPipeline:
    """The pipeline over 001 with the real embedder, retrieving the given unit only."""
    doc = parse_file(REPO / "corpus" / "001_f07640d600ade888.txt")
    settings = Settings().override("answer", min_relevance=0.0)  # the unit is given: no gate
    return AnswerPipeline(
        settings, {doc.meta.doc: doc.meta}, list(doc.units), FixedRetriever([unit]),
        lambda: ScriptedLLM(text), Prompts.load(), embedder=e5,
    )  # fmt: skip


def stream(key: str, e5, text: str) -> tuple[str, tuple]:
    """The model's text through the pipeline's streaming verification (write.py, the path
    every model sentence takes), with nothing shown before it; what reached the user and
    the citations."""
    unit = next(
        u for u in parse_file(REPO / "corpus" / "001_f07640d600ade888.txt").units
        if u.unit_id.endswith("#" + key)
    )  # fmt: skip
    pipe = with_model(unit, e5, text)
    built = Built("PROMPT", {1: Hit(rank=1, unit=unit, score=1.0)}, 1, prefix="PROMPT")
    shown: list[str] = []
    sources = Sources(Ledger(pipe.address), None)
    emit = Emitter(shown.append, time.perf_counter(), {})
    verified_pieces(pipe, ScriptedLLM(text), built, REFERENCES[key][0], emit, sources, ("", "-"))
    return "".join(shown), sources.ledger.citations()


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(REFERENCES))
def test_reference_answers_reach_the_user_and_perturbed_ones_never(key: str, e5) -> None:
    _, reference, perturbed = REFERENCES[key]
    shown, citations = stream(key, e5, reference + " [1]")
    assert reference.rstrip(".") in shown and shown.rstrip().endswith("[1]")
    assert citations[0].quoted  # its highlight: the source sentences that support it
    for wrong in perturbed:
        shown, citations = stream(key, e5, wrong + " [1]")
        assert shown == "" and citations == (), wrong


def test_a_refusal_under_a_filter_says_the_filter_may_be_the_cause(bgi) -> None:
    prompts = Prompts.load()
    question = "Wat kost een nieuwe brug over de Waal bij Nijmegen?"
    plain = pipeline(bgi, ScriptedLLM("")).ask(question, k=3, mode="quote")
    assert plain.refused and prompts.refusal_filter["nl"] not in plain.answer
    filtered = pipeline(bgi, ScriptedLLM("")).ask(
        question, k=3, mode="quote", filters=Filters(kinds=("letter",))
    )
    assert filtered.refused and prompts.refusal_filter["nl"] in filtered.answer
