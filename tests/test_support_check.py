"""The support check of one sentence against one source: facts, negation, meaning."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rag.analysis.sentences import split_sentences
from rag.answering.choose import SentenceVectors
from rag.answering.support import (
    PER_SOURCE,
    WITH_ATTRIBUTION,
    Support,
    SupportChecker,
    SupportSettings,
    accepts,
    attributed,
    is_english,
    lexical_share,
)
from rag.answering.support_clauses import negations
from rag.answering.support_facts import garbled, missing_fact, numbers, unit_facts
from rag.answering.support_form import known_words
from rag.answering.support_polarity import negation_agrees
from rag.parsing import parse_file


@pytest.fixture(scope="module")
def docs(seed_paths) -> dict:
    return {name: parse_file(path) for name, path in seed_paths.items()}


@pytest.fixture(scope="module")
def units(docs) -> dict:
    return {u.unit_id.rsplit("#", 1)[1]: u for u in docs["001_f07640d600ade888"].units}


def unit(docs, doc: str, key: str):
    return next(u for u in docs[doc].units if u.unit_id.endswith("#" + key))


def test_numbers_are_read_without_their_separators() -> None:
    assert numbers("Kamerstuk 30 821, nr. 92 en 40.000 kits") == {"30821", "92", "40000"}
    assert numbers("19,6 miljard en 19.6 procent") == {"19.6"}
    assert numbers("bijna 51 duizend voltijdbanen") == {"51000"}


def test_every_fact_of_the_sentence_must_be_in_the_source(units) -> None:
    source = units["v8"].answer
    assert missing_fact("Er zijn 4 BGI-testkits besteld.", source) == ""
    assert missing_fact("Er zijn 40 BGI-testkits besteld.", source) == "40"
    assert missing_fact("Er zijn testkits van Huawei besteld.", source) == "Huawei"
    assert missing_fact("Zie 2021Z13647 over BGI.", source) == "2021Z13647"
    assert missing_fact("The Dutch RIVM ordered 4 kits from BGI in July.", source) == "July"
    # a code of letters and digits is one fact: "5B" is not "8B"
    assert missing_fact("De Long March 8B viel terug.", "de Long March 5B raket") == "8B"
    assert missing_fact("Met 20 andere landen.", "met twintig andere landen") == ""


def test_a_number_keeps_its_unit_of_measure_and_a_day_its_month() -> None:
    """ "1 meter" is not supported by a source with "8 meter" and a "1" elsewhere; "1 juli"
    not by "31 juli" (the unseen PDFs' calibration pairs had both kinds)."""
    source = "Artikel 1: een afstand van 8 meter. Op 31 juli 2023 en 1 december 2023."
    assert missing_fact("Een afstand van 1 meter.", source) == "1 meter"
    assert missing_fact("Een afstand van 8 meter.", source) == ""
    assert missing_fact("Op 1 juli 2023.", source) == "1 juli"
    assert missing_fact("On 1 December 2023.", source, english=True) == ""
    assert missing_fact("Over 1 artikel.", source) == ""  # not a unit: the number alone


def test_the_facts_of_a_unit_include_its_vraag_label_and_document_header(docs) -> None:
    """A sentence about a questions-only document names its member (in the header) and the
    question's number (its label); neither is in the question's text."""
    vraag9 = unit(docs, "002_6ae4c03786fa8873", "v9")
    sentence = "Ja, vraag 9 van lid Van Helvert (CDA)."
    assert missing_fact(sentence, vraag9.question) != ""
    facts = unit_facts(vraag9, docs["002_6ae4c03786fa8873"].meta)
    assert missing_fact(sentence, facts) == ""
    assert missing_fact("Ja, vraag 9 van lid Kerseboom.", facts) == "Kerseboom"
    # "vorig jaar november" in an answer of 2021 is November 2020
    v90 = unit(docs, "001_f07640d600ade888", "v90")
    assert "vorig jaar november" in v90.answer
    shared = "De leidraad is in november 2020 met de Kamer gedeeld."
    assert missing_fact(shared, unit_facts(v90)) == "2020"
    assert missing_fact(shared, unit_facts(v90, docs["001_f07640d600ade888"].meta)) == ""


def test_names_are_matched_across_spelling_and_language() -> None:
    source = "Onder de Overeenkomst van Parijs. Dit staat niet in de China notitie."
    assert missing_fact("There is no exemption under the Paris Agreement.", source, True) == ""
    assert missing_fact("Het staat niet in de Chinanotitie.", source) == ""
    assert (
        missing_fact("Een briefing met BZK.", "samen met het Ministerie van Binnenlandse Zaken")
        == ""
    )
    assert missing_fact("Under the Kyoto Protocol.", source, True) == "Kyoto"
    assert missing_fact("Het staat in de Japannotitie van Parijs.", source) == "Japannotitie"


def test_negation_is_counted_in_dutch_and_english_and_phrases_that_deny_nothing_are_not() -> None:
    assert negations("Er is geen onderzoek gedaan en niet gebruikt.") == 2
    assert negations("The kits were not used; there was no research.") == 2
    assert negations("Er is onderzoek gedaan.") == 0
    assert negations("Niet meer dan €22, niet alleen hier; niet-Chinese bedrijven.") == 0
    assert negations("Aanpassing was niet meer mogelijk.") == 1  # no longer: a denial
    assert negations("Nee, dat klopt.") == 0  # an answer particle
    assert negations("No cyber attacks were noticed.") == 1  # a determiner, no particle


def test_a_negation_must_agree_with_the_source_segment_it_says_again(units) -> None:
    parts = split_sentences(units["v8"].answer)

    def closest(text: str) -> str:
        raise AssertionError(f"every segment here shares words with the source: {text}")

    def agrees(sentence: str) -> bool:
        return negation_agrees(sentence, parts, closest)

    assert agrees("Het RIVM heeft geen BGI-testkits ingezet voor diagnostiek.")
    assert not agrees("Het RIVM heeft BGI-testkits ingezet voor diagnostiek.")
    assert agrees("Er zijn in totaal 4 BGI testkits besteld voor een vergelijkingstest.")
    assert not agrees("Er zijn in totaal 4 BGI testkits niet besteld voor een vergelijkingstest.")
    # two claims joined by "en": each is held to its own source segment
    assert not agrees(
        "Het RIVM heeft geen BGI-testkits ingezet voor diagnostiek en er is vervolgonderzoek "
        "gedaan met deze kits."
    )


def test_an_english_negation_is_found_beside_the_dutch_words_it_shares(docs) -> None:
    """ "computers"/"staff" match "computer"/"staf" by their stem: the source sentence's
    "geen computer" is the negation the English sentence says again."""
    parts = split_sentences(unit(docs, "000_ba7fe8d28f285051", "v3.2").answer)

    def closest(text: str) -> str:
        raise AssertionError(f"the segment shares words with the source: {text}")

    assert negation_agrees("Staff took no computers to China.", parts, closest, True)
    assert not negation_agrees("Staff took computers to China.", parts, closest, True)


def test_a_negated_paraphrase_no_segment_shows_must_agree_with_the_closest_sentence(
    docs,
) -> None:
    """ "Het staat dus niet in de Chinanotitie" shares no word with "Om die reden is dit niet
    als relevant punt opgenomen in de China notitie": the sentence closest in meaning decides."""
    parts = split_sentences(unit(docs, "001_f07640d600ade888", "v39").answer)
    negated = next(p for p in parts if p.startswith("Om die reden"))
    plain = next(p for p in parts if p.startswith("Ook de import"))
    sentence = "Het staat dus niet in de Chinanotitie."
    assert negation_agrees(sentence, parts, lambda _: negated)
    assert not negation_agrees(sentence, parts, lambda _: plain)


def test_a_plain_paraphrase_no_segment_shows_must_agree_with_the_closest_sentence(units) -> None:
    """The rule holds both ways: "dat is mogelijk door de complexe ketens" shares too few
    words with "Nee, dit is niet mogelijk" to be paired, and says what that sentence, the
    closest in meaning, denies."""
    parts = split_sentences(units["v63"].answer)
    denial = next(p for p in parts if p.startswith("Nee, dit is niet mogelijk"))
    sentence = "Nee, dat is niet mogelijk door de complexe ketens."
    assert negation_agrees(sentence, parts, lambda _: denial)
    assert not negation_agrees(sentence.replace("niet ", ""), parts, lambda _: denial)


def test_without_denies_what_follows(units) -> None:
    """ "zonder pasklaar draaiboek" says again "waarbij nog geen pasklaar draaiboek
    voorhanden is"; "zonder meer" denies nothing."""
    assert negations("Bij een nieuwe ziekte zonder pasklaar draaiboek.") == 1
    assert negations("A disease without a ready plan.") == 1
    assert negations("Dat kan zonder meer.") == 0
    parts = split_sentences(units["v4"].answer)
    pandemic = next(p for p in parts if "pasklaar draaiboek" in p)
    sentence = (
        "Bij een nieuwe ziekte zonder pasklaar draaiboek kunnen nieuwe maatregelen nodig zijn."
    )
    assert negation_agrees(sentence, parts, lambda _: pandemic)
    assert not negation_agrees(sentence.replace("zonder", "met een"), parts, lambda _: pandemic)


def test_the_clause_closest_in_meaning_decides_when_the_closest_sentence_is_negated(
    docs,
) -> None:
    """ "only a throwaway phone" shares no word with the source, and its closest sentence
    ("... geen computer meegenomen, in China niet van de provinciale e-mail gebruik gemaakt
    en alleen een wegwerptelefoon ...") is negated: its clause about the phone denies
    nothing, so an affirmative segment agrees with it, and a negated one does not."""
    parts = split_sentences(unit(docs, "000_ba7fe8d28f285051", "v3.2").answer)
    negated = next(p for p in parts if "geen computer" in p)

    def nearest(text: str, clauses: Sequence[str]) -> int:
        return next(i for i, c in enumerate(clauses) if "wegwerp" in c)

    sentence = "Yes, a security briefing; staff took no computers and only a throwaway phone."
    assert negation_agrees(sentence, parts, lambda _: negated, True, nearest)
    assert not negation_agrees(sentence, parts, lambda _: negated, True)  # the whole sentence
    denial = "Yes, a security briefing; staff took no computers and not a throwaway phone."
    assert not negation_agrees(denial, parts, lambda _: negated, True, nearest)
    flipped = "Yes, a security briefing; staff took computers and only a throwaway phone."
    assert not negation_agrees(flipped, parts, lambda _: negated, True, nearest)


def test_an_english_sentence_has_its_own_bar() -> None:
    """Cross-lingual cosines are lower and few English words can be found in Dutch."""
    for s in (PER_SOURCE, WITH_ATTRIBUTION):
        assert s.english_score < s.score
        between = (s.english_score + s.score) / 2
        assert accepts(Support(False, (), between, 0.0, english=True), s)
        assert not accepts(Support(False, (), between, 0.0), s)


def test_a_marker_stays_only_while_its_source_is_about_the_best() -> None:
    """Attribution: a source another prompt source beats by more than the margin loses its
    marker; a rival that does not support the sentence does not count."""
    s = SupportSettings(attribution_margin=0.02)
    cited = [Support(True, score=1.60), Support(True, score=1.55)]
    assert attributed(cited, [], s) == [True, False]
    assert attributed(cited[:1], [Support(True, score=1.61)], s) == [True]
    assert attributed(cited[:1], [Support(True, score=1.70)], s) == [False]
    assert attributed(cited[:1], [Support(False, score=1.90)], s) == [True]
    assert attributed([Support(False, score=1.9)], [], s) == [False]
    # the literal check (no embedder) has no scores: every supported marker stays
    assert attributed([Support(True), Support(True)], [Support(True)], s) == [True, True]


def test_a_garbled_copy_of_a_source_word_is_caught(units) -> None:
    source = units["v8"].answer
    assert garbled("Er zijn in totaal 4 BGI testkitts besteld.", source) == "testkitts"
    assert garbled("Er zijn in totaal 4 BGI testkits besteld.", source) == ""
    assert garbled("De kits zijn bestelde voor een vergelijking.", source) == ""  # inflection
    assert garbled("Het kabinet bestrijdt kinderarbeid.", "de bestrijding van kinderarbeid") == ""
    # SmolLM2 on the development set: a source word run on into no word
    source = "Herleidbare gegevens over patiënten worden niet vrijgegeven."
    assert garbled("Over patiëntekeken niets.", source) == "patientekeken"
    assert garbled("Herleidbare patiëntengegevens worden niet vrijgegeven.", source) == ""
    # a word of the language is no garbled copy, however close to a source word
    source = "waardoor de oplevering vier jaar opschuift"  # the unseen PDFs' h05
    assert garbled("De oplevering schuift vier jaar op.", source) == "schuift"
    assert garbled("De oplevering schuift vier jaar op.", source, known=known_words()) == ""
    assert garbled("De oplevering opschoeft.", source, known=known_words()) == "opschoeft"


def test_a_sentence_without_telling_function_words_has_the_questions_language() -> None:
    """ "Since 1 January 2022." has no function word of either language: it is English when
    the question is, and then "January" is no garbled Dutch word."""
    assert is_english("Since 1 January 2022.", "Since when has Atradius monitored them?")
    assert not is_english("Sinds 1 januari 2022.", "Sinds wanneer?")
    assert not is_english("Since 1 January 2022.")
    assert is_english("The kits were not used.", "Sinds wanneer?")  # its own words decide


def test_words_of_the_question_and_the_answer_particle_are_no_evidence(units) -> None:
    source = units["v8"].answer
    question = "Heeft het kabinet testkits van BGI gekocht?"
    assert lexical_share("Ja, het kabinet heeft testkits van BGI gekocht.", source, question) == 0
    assert lexical_share("Er zijn 4 testkits besteld.", source, question) == 1.0


@pytest.fixture(scope="module")
def checker(docs) -> SupportChecker:
    from rag.embedders.e5 import E5Embedder

    metas = {d.meta.doc: d.meta for d in docs.values()}
    return SupportChecker(SentenceVectors(E5Embedder(threads=1)), docs=metas)


@pytest.mark.slow
def test_a_paraphrase_is_supported_and_a_changed_fact_or_negation_is_not(units, checker) -> None:
    v8 = units["v8"]
    good = checker.check(
        "Na de vergelijkingstest is met de BGI-kits geen vervolgonderzoek gedaan.", v8
    )
    assert good.ok and good.positions  # the highlight is the supporting source sentence
    parts = split_sentences(v8.answer)
    assert any("vervolgonderzoek" in parts[i] for i in good.positions)
    # an English sentence is held to the same facts: a changed number is rejected
    wrong = checker.check("In total 14 BGI test kits were ordered for a comparison test.", v8)
    assert not wrong.ok and wrong.reason.startswith("not in source")
    flipped = checker.check(
        "Na de vergelijkingstest is met de BGI-kits wel vervolgonderzoek gedaan.", v8
    )
    assert not flipped.ok and flipped.reason == "negation differs"
    assert not checker.check("Er zijn in totaal 14 BGI testkits besteld.", v8).ok
    assert not checker.check("Er zijn in totaal 4 testkits van Huawei besteld.", v8).ok
    other = units["v27-28"]
    assert not checker.check(
        "Na de vergelijkingstest is met de BGI-kits geen vervolgonderzoek gedaan.", other
    ).ok
    english = checker.check("In total 4 BGI test kits were ordered for a comparison test.", v8)
    assert english.ok and english.english and english.score >= PER_SOURCE.english_score


@pytest.mark.slow
def test_a_negated_paraphrase_is_checked_against_the_closest_sentence(units, checker) -> None:
    """A negation whose words no source segment shares: e5 finds the sentence it says again
    ("... is dit niet ... opgenomen in de China notitie"), and one with none is rejected."""
    v39 = units["v39"]
    said = checker.check("Het staat dus niet in de Chinanotitie.", v39)
    assert said.reason != "negation differs"
    assert checker.check("De import telt niet mee.", v39).reason == "negation differs"


@pytest.mark.slow
def test_an_english_clause_is_checked_against_the_closest_source_clause(docs, checker) -> None:
    """e5 picks the clause of the negated source sentence that the English clause says again
    ("alleen een wegwerptelefoon"), so the faithful sentence passes the negation check."""
    v32 = unit(docs, "000_ba7fe8d28f285051", "v3.2")
    sentence = "Staff took no computers and only a throwaway phone."
    assert checker.check(sentence, v32).reason != "negation differs"
    flipped = checker.check("Staff took computers and only a throwaway phone.", v32)
    assert flipped.reason == "negation differs"


@pytest.mark.slow
def test_a_reference_to_a_footnote_is_supported_by_its_unit_only(docs, checker) -> None:
    """A bare Kamerstuk reference: its numbers stand in the unit's footnote, not its answer."""
    v33 = unit(docs, "001_f07640d600ade888", "v33")
    notes = " ".join(f.text for f in v33.footnotes)
    assert "24 446, nr. 74" in notes and "24 446" not in v33.answer
    question = "Welk Kamerstuk over de ruimte als militair domein wordt genoemd?"
    assert checker.check("Kamerstuk 24 446, nr. 74.", v33, question).ok
    assert not checker.check("Kamerstuk 24 446, nr. 75.", v33, question).ok
    v8 = unit(docs, "001_f07640d600ade888", "v8")
    assert not checker.check("Kamerstuk 24 446, nr. 74.", v8, question).ok


@pytest.mark.slow
def test_a_denial_turned_into_its_opposite_by_another_word_is_rejected(docs, checker) -> None:
    """SmolLM2 wrote "aangemoedigd" where the answer says "niet gestimuleerd": the sentence
    shares the source's words except the denied one, and the source closest in meaning
    denies it. "tussen Sonion en Huawei" is one thing, not two clauses."""
    v2 = unit(docs, "000_ba7fe8d28f285051", "v2")
    flipped = checker.check("Wij hebben de samenwerking tussen Sonion en Huawei aangemoedigd.", v2)
    assert not flipped.ok and flipped.reason == "negation differs"
    kept = "Wij hebben de samenwerking tussen Sonion en Huawei niet aangemoedigd."
    assert checker.check(kept, v2).ok


@pytest.mark.slow
def test_a_plain_copy_of_a_negated_question_is_rejected(docs, checker) -> None:
    """The member asked "Is de tijd niet gekomen, ..., dat u ... een veel hardere koers gaat
    varen tegenover China?": the reference answer that says so is supported; with its
    "niet" left out it asks whether the time has come, which the source does not."""
    v15 = unit(docs, "002_6ae4c03786fa8873", "v15")
    question = "Heeft een Kamerlid opgeroepen tot een hardere lijn tegen China?"
    sentence = "Ja, Van Helvert (CDA) vroeg of het niet tijd is om met Europese collega's een "
    sentence += "veel hardere koers tegenover China te varen."
    assert not checker.signals(sentence, v15, question).reason
    flipped = checker.signals(sentence.replace("niet ", ""), v15, question)
    assert flipped.reason == "negation differs"
