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


BGI, LETTER, ANSWERS, UTRECHT = (
    "001_f07640d600ade888", "003_54dab813ef9c6552", "004_cf4a3fa9a5a68e27",
    "000_ba7fe8d28f285051",
)  # fmt: skip
# reference answers of eval/dev.jsonl (d03, d11, d12, d23, d38, d41, d46, d52, d125, d131)
# with their questions and gold units, four kinds of document, Dutch and English; and
# perturbed copies: negation flipped, a number, name or Kamerstuk changed, another answer's
# claim appended
REFERENCES = {
    (BGI, "v5"): (
        "Heeft Den Haag Peking om raad gevraagd bij het invoeren van de lockdown?",
        "De Chinese overheid is niet om advies gevraagd over lockdowns.",
        [
            "De Chinese overheid is om advies gevraagd over lockdowns.",
            "De Amerikaanse overheid is niet om advies gevraagd over lockdowns.",
            "De Chinese overheid is in 2020 niet om advies gevraagd over lockdowns.",
        ],
    ),
    (BGI, "v30"): (
        "Bedreigt China ons militair op dit moment?",
        "Er is vooralsnog geen sprake van een directe militaire dreiging richting Europese staten.",
        [
            "Er is vooralsnog wel sprake van een directe militaire dreiging richting Europese "
            "staten.",
            "Er is vooralsnog geen sprake van een directe militaire dreiging richting Japan.",
        ],
    ),
    (BGI, "v35"): (
        "Heeft China ooit een wapen getest om satellieten neer te halen?",
        "China testte in 2007 een antisatellietwapen.",
        [
            "China testte in 2017 een antisatellietwapen.",
            "Rusland testte in 2007 een antisatellietwapen.",
        ],
    ),
    (BGI, "v87"): (
        "Gaat Nederland het één-China-beleid veranderen?",
        "Nee, het kabinet is niet voornemens het één-Chinabeleid te herzien.",
        [
            "Ja, het kabinet is voornemens het één-Chinabeleid te herzien.",
            "Nee, het kabinet is niet voornemens het één-Chinabeleid in 2022 te herzien.",
            "Nee, het kabinet is niet voornemens het één-Chinabeleid te herzien en de Chinese "
            "overheid is niet om advies gevraagd over lockdowns.",
        ],
    ),
    (BGI, "v33"): (  # a Kamerstuk that stands in the unit's footnote only
        "Welk Kamerstuk over de ruimte als militair domein wordt genoemd?",
        "Kamerstuk 24 446, nr. 74.",
        ["Kamerstuk 24 446, nr. 47.", "Kamerstuk 24 466, nr. 74."],
    ),
    (LETTER, "p6"): (
        "Steunt het kabinet de motie over export van surveillancetechnologie?",
        "Nee, het kabinet ontraadt de motie.",
        ["Nee, het kabinet ontraadt de motie niet."],
    ),
    (ANSWERS, "v3"): (
        "Namens hoeveel landen las Nederland zelf de verklaring over mensenrechten in China "
        "voor in de VN?",
        "Nederland las op 14 juni in de VN-Mensenrechtenraad een gezamenlijke verklaring voor "
        "namens 47 landen.",
        [
            "Nederland las op 14 juni in de VN-Mensenrechtenraad een gezamenlijke verklaring "
            "voor namens 48 landen.",
            "Nederland las op 14 juni in de VN-Mensenrechtenraad geen gezamenlijke verklaring "
            "voor namens 47 landen.",
            "Duitsland las op 14 juni in de VN-Mensenrechtenraad een gezamenlijke verklaring "
            "voor namens 47 landen.",
        ],
    ),
    (UTRECHT, "v3"): (
        "Is de Utrechtse delegatie in China gehackt?",
        "Tijdens de missie zijn geen cyberaanvallen bemerkt.",
        ["Tijdens de missie zijn cyberaanvallen bemerkt."],
    ),
    (BGI, "v58"): (
        "How many companies in the Netherlands are under Chinese control?",
        "In 2017, 470 companies in the Netherlands were under Chinese control, 3.5 percent of "
        "those under foreign control.",
        [
            "In 2017, 570 companies in the Netherlands were under Chinese control, 3.5 percent "
            "of those under foreign control.",
            "In 2017, 470 companies in the Netherlands were under American control, 3.5 "
            "percent of those under foreign control.",
        ],
    ),
    (LETTER, "p1"): (
        "Which motion led to the 2020 letter on exports of surveillance technology?",
        "The Karabulut motion, Kamerstuk 32 735, nr. 278.",
        [
            "The Karabulut motion, Kamerstuk 32 735, nr. 287.",
            "The Omtzigt motion, Kamerstuk 32 735, nr. 278.",
        ],  # fmt: skip
    ),
}


@pytest.fixture(scope="module")
def e5():
    from rag.embedders.e5 import E5Embedder

    return E5Embedder(threads=1)


def the_unit(doc: str, key: str) -> Unit:
    """A unit of a shipped document by its key ("v8", "p3")."""
    units = parse_file(REPO / "corpus" / f"{doc}.txt").units
    return next(u for u in units if u.unit_id.endswith("#" + key))


def with_model(units: list[Unit], e5, text: str) -> AnswerPipeline:
    """The pipeline over the units' documents with the real embedder, retrieving the given
    units only."""
    docs = {d: parse_file(REPO / "corpus" / f"{d}.txt") for d in {u.doc for u in units}}
    settings = Settings().override("answer", min_relevance=0.0)  # the unit is given: no gate
    return AnswerPipeline(
        settings, {d: doc.meta for d, doc in docs.items()},
        [u for doc in docs.values() for u in doc.units], FixedRetriever(units),
        lambda: ScriptedLLM(text), Prompts.load(), embedder=e5,
    )  # fmt: skip


def stream(units: list[Unit], question: str, e5, text: str) -> tuple[str, tuple]:
    """The model's text through the pipeline's streaming verification (write.py, the path
    every model sentence takes), with the units as its sources [1], [2], ... and nothing
    shown before it; what reached the user and the citations."""
    pipe = with_model(units, e5, text)
    hits = {n: Hit(rank=n, unit=u, score=1.0) for n, u in enumerate(units, 1)}
    built = Built("PROMPT", hits, 1, prefix="PROMPT")
    shown: list[str] = []
    sources = Sources(Ledger(pipe.address), None)
    emit = Emitter(shown.append, time.perf_counter(), {})
    verified_pieces(pipe, ScriptedLLM(text), built, question, emit, sources, ("", "-"))
    return "".join(shown), sources.ledger.citations()


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(REFERENCES), ids="-".join)
def test_reference_answers_reach_the_user_and_perturbed_ones_never(key, e5) -> None:
    question, reference, perturbed = REFERENCES[key]
    unit = the_unit(*key)
    shown, citations = stream([unit], question, e5, reference + " [1]")
    assert reference.rstrip(".") in shown and shown.rstrip().endswith("[1]")
    assert citations[0].unit_id == unit.unit_id
    assert citations[0].quoted  # its highlight: the source sentences that support it
    for wrong in perturbed:
        shown, citations = stream([unit], question, e5, wrong + " [1]")
        assert shown == "" and citations == (), wrong


@pytest.mark.slow
def test_a_reference_answer_cited_to_another_source_never_reaches_the_user(e5) -> None:
    question, reference, _ = REFERENCES[(BGI, "v5")]
    for other in (the_unit(BGI, "v9"), the_unit(ANSWERS, "v3")):
        shown, citations = stream([other], question, e5, reference + " [1]")
        assert shown == "" and citations == ()


@pytest.mark.slow
def test_a_marker_whose_source_does_not_support_the_sentence_is_dropped(e5) -> None:
    """Cited [1][2] where only [1] says it: the sentence stays with [1] alone, and [2] is
    not among the citations."""
    question, reference, _ = REFERENCES[(BGI, "v30")]
    gold, other = the_unit(BGI, "v30"), the_unit(BGI, "v9")
    shown, citations = stream([gold, other], question, e5, reference + " [1][2]")
    assert reference.rstrip(".") in shown and shown.rstrip().endswith("[1]") and "[2]" not in shown
    assert [c.unit_id for c in citations] == [gold.unit_id]
    shown, citations = stream([other, gold], question, e5, reference + " [1][2]")
    assert shown.rstrip().endswith("[1]") and [c.unit_id for c in citations] == [gold.unit_id]


@pytest.mark.slow
def test_a_copied_source_heading_before_a_reference_answer_is_left_out(e5) -> None:
    """What SmolLM2 writes: its source's heading on a line, then the sentence."""
    question, reference, _ = REFERENCES[(BGI, "v5")]
    heading = "Bronnen: [1] Antwoord 5 op Kamervragen 2021Z13647 (lid Kerseboom, FvD), 2021\n"
    shown, citations = stream([the_unit(BGI, "v5")], question, e5, heading + reference + " [1]")
    assert shown == "-\n" + reference + " [1]" and citations[0].quoted  # "-": the intro


@pytest.mark.slow
def test_an_english_reference_answer_follows_the_quote_in_generate_mode(e5) -> None:
    """End to end through ask(): the quote first, then the model's verified sentence."""
    question, reference, perturbed = REFERENCES[(BGI, "v58")]
    unit = the_unit(BGI, "v58")
    answer = with_model([unit], e5, reference + " [1]").ask(question, k=1)
    assert answer.mode_used == "generate" and "«" in answer.answer
    assert answer.answer.rstrip().endswith(reference + " [1]")
    wrong = with_model([unit], e5, perturbed[0] + " [1]").ask(question, k=1)
    assert wrong.mode_used == "quote" and perturbed[0][:20] not in wrong.answer


def test_a_refusal_under_a_filter_says_the_filter_may_be_the_cause(bgi) -> None:
    prompts = Prompts.load()
    question = "Wat kost een nieuwe brug over de Waal bij Nijmegen?"
    plain = pipeline(bgi, ScriptedLLM("")).ask(question, k=3, mode="quote")
    assert plain.refused and prompts.refusal_filter["nl"] not in plain.answer
    filtered = pipeline(bgi, ScriptedLLM("")).ask(
        question, k=3, mode="quote", filters=Filters(kinds=("letter",))
    )
    assert filtered.refused and prompts.refusal_filter["nl"] in filtered.answer


@pytest.mark.slow
def test_a_written_acknowledgement_never_reaches_the_user(e5) -> None:
    """SmolLM2 copies "Ja, het kabinet is bekend met het artikel." from Antwoord 27 en 28; it
    is supported, but to "Is it enough that Huawei is kept out of the core?" it reads as a
    yes: it is left out as the quote leaves it out (rag/answering/choose_ack.py)."""
    unit = the_unit(BGI, "v27-28")
    question = "Is het genoeg dat Huawei niet in de kern van het 5G-netwerk mag?"
    written = "Ja, het kabinet is bekend met het artikel. [1]"
    shown, citations = stream([unit], question, e5, written)
    assert shown == "" and citations == ()
    # the check itself supports it (a copy of the source): only the acknowledgement rule stops it
    assert with_model([unit], e5, written).support(written[:-4], unit, question).ok


@pytest.mark.slow
def test_a_broken_sentence_of_the_small_model_never_reaches_the_user(e5) -> None:
    """What SmolLM2 wrote in generate mode, each to the unit it cited: a cut copy with an
    invented ending, a clause stopping at 'zoals', a word no language has, a question. The
    support check reads their words and meaning; support_form.py stops them."""
    from test_support_form import WRITTEN  # tests/ is on the path (pytest's rootdir)

    for key, (written, _) in WRITTEN.items():
        shown, citations = stream([the_unit(BGI, key)], "", e5, written + " [1]")
        assert shown == "" and citations == (), written
