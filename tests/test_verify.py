"""The support check, sentence splitting and streaming verification, on real seed text."""

from __future__ import annotations

from rag.analysis.sentences import split_sentences
from rag.answering.llm import Token
from rag.answering.stream import sentences as _sentences
from rag.answering.verify import Sentence, parse_sentence, support
from rag.parsing import parse_file


def antwoord_8(seed_paths) -> str:
    units = parse_file(seed_paths["001_f07640d600ade888"]).units
    return next(u for u in units if u.vraag == (8,)).answer


def test_a_faithful_sentence_is_supported_and_an_invented_one_is_not(seed_paths) -> None:
    source = antwoord_8(seed_paths)
    assert support("Het RIVM heeft geen testkits van de BGI Group ingezet.", source) >= 0.8
    assert support("Het RIVM heeft 40 testkits van BGI ingezet.", source) == 0.0  # number
    assert support("Het RIVM werkt samen met Huawei aan testkits.", source) == 0.0  # name
    assert support("De minister vindt vaccins belangrijk voor iedereen.", source) < 0.5


def test_garbled_near_copies_are_not_supported(seed_paths) -> None:
    """Sentences SmolLM2 wrote on the development set: near-copies of the source with a
    word garbled or a phrase cut short. Each shares most words with its source."""
    units = {
        u.unit_id.rsplit("#", 1)[1]: u for u in parse_file(seed_paths["004_cf4a3fa9a5a68e27"]).units
    }
    source = antwoord_8(seed_paths)
    assert support("Er zijn in totaal 4 BGI testkitts besteld, zoals.", source) == 0.0
    assert support("Er zijn in totaal 4 BGI testkits besteld.", source) >= 0.8
    for unit in units.values():
        answer = unit.answer or ""
        if "privébedrijven die via apps" in answer:
            garbled = "Er zijn privébedrijmen die via apps (financiële) diensteligheer aanbieden."
            assert support(garbled, answer) == 0.0
            faithful = "Er zijn privébedrijven die via apps (financiële) diensten aanbieden."
            assert support(faithful, answer) >= 0.8
            break
    else:
        raise AssertionError("the sociaal-kredietsysteem answer is not in the seed")


def test_words_of_the_question_alone_prove_nothing(seed_paths) -> None:
    source = antwoord_8(seed_paths)
    question = "Heeft het kabinet testkits van BGI gekocht?"
    assert support("Het kabinet heeft testkits van BGI gekocht.", source, question) == 0.0


def test_sentences_keep_markers_and_abbreviations() -> None:
    text = "Zie Kamerstuk 32 735, nr. 278. Ja. [1] Minister S.A.M. Kaag schreef dit [2]. Nee"
    assert split_sentences(text) == [
        "Zie Kamerstuk 32 735, nr. 278.",
        "Ja. [1]",
        "Minister S.A.M. Kaag schreef dit [2].",
        "Nee",
    ]


def test_streamed_sentences_wait_for_their_marker() -> None:
    pieces = ["Er zijn geen", " labs.", " [", "1]", " Daarna", " niets. [2]"]
    got = list(_sentences(Token(p, 0.0) for p in pieces))
    assert [(s.text, s.cites) for s in got] == [
        ("Er zijn geen labs.", (1,)),
        ("Daarna niets.", (2,)),
    ]


def test_streaming_stops_when_the_model_says_not_found() -> None:
    got = list(_sentences(Token(p, 0.0) for p in ["NIET GEVONDEN", ". Iets anders. [1]"]))
    assert got == []


def test_a_heading_the_model_copies_from_its_prompt_is_not_part_of_the_sentence() -> None:
    """SmolLM2 often starts with its source's heading ("Bronnen: [1] Antwoord 9 op ...,
    2021") on a line of its own; the sentence checked and shown is the line after it."""
    raw = (
        "Bronnen: [1] Antwoord 9 op Kamervragen 2021Z13647 (lid Kerseboom, FvD), 2021\n"
        "Herleidbare gegevens worden niet vrijgegeven. [2]"
    )
    assert parse_sentence(raw) == Sentence("Herleidbare gegevens worden niet vrijgegeven.", (1, 2))
    # a sentence that ends its line is kept, also when another follows
    two = "Er zijn geen labs.\nDaarna niets [1]."
    assert parse_sentence(two).text == "Er zijn geen labs. Daarna niets."
