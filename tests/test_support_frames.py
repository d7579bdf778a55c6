"""The support check's negation rules for reporting frames ("Het kabinet kiest niet"), for
a denial's scope across "of", and for the source sentence a denial is compared with; on
sentences of the shipped corpus (the development set's reference answers and their
perturbed copies)."""

from __future__ import annotations

import pytest

from rag.analysis.sentences import split_sentences
from rag.answering.choose import SentenceVectors
from rag.answering.cite import quotable_text
from rag.answering.support import SupportChecker
from rag.answering.support_clauses import and_cut, denied, negations, segments, unbracket
from rag.answering.support_polarity import complement, negation_agrees
from rag.parsing import parse_file


@pytest.fixture(scope="module")
def docs(seed_paths) -> dict:
    return {name: parse_file(path) for name, path in seed_paths.items()}


def unit(docs, doc: str, key: str):
    return next(u for u in docs[doc].units if u.unit_id.endswith("#" + key))


def never(text: str) -> str:
    raise AssertionError(f"a reporting frame decides without the closest sentence: {text}")


def test_a_reporting_frame_says_what_it_says_the_source_says() -> None:
    """The complement of a frame is what follows its verb, without who it is about."""
    assert complement("Het kabinet kiest niet", False) == set()
    assert complement("er is geen antwoord in dit document.", False) == set()
    assert complement("Daarover zegt het kabinet niets", False) == set()
    said = complement("Het antwoord zegt niet dat Nederland om opheldering vraagt", False)
    assert said is not None and "nederland" in said and len(said) == 3
    assert complement("Van Helvert vroeg of zulke software", False) is None  # no frame


def test_a_denial_that_the_source_says_something_is_an_absence_claim(docs) -> None:
    """ "Het kabinet kiest niet" (Rusland or China: the answer names both threats) and "Het
    antwoord zegt niet dat Nederland om opheldering vraagt" (the answer does not say it) are
    true of their sources; their plain copies claim what the source does not say."""
    threats = split_sentences(unit(docs, "001_f07640d600ade888", "v93").answer)
    assert negation_agrees("Het kabinet kiest niet.", threats, never)
    assert not negation_agrees("Het kabinet kiest.", threats, never)
    assert not negation_agrees("Het kabinet kiest: Rusland.", threats, never)  # no intro
    zen = split_sentences(unit(docs, "004_cf4a3fa9a5a68e27", "v10").answer)
    sentence = "Het antwoord zegt niet dat Nederland om opheldering vraagt."
    assert negation_agrees(sentence, zen, never)
    assert not negation_agrees(sentence.replace("niet ", ""), zen, never)
    # a frame that introduces what follows makes no claim of its own
    assert negation_agrees("Het antwoord zegt: Nederland en de EU volgen de zaak.", zen, never)


def test_a_denial_reaches_past_of_to_the_verb_that_ends_the_clause(docs) -> None:
    """ "geen testkits of apparatuur van de BGI Group ingezet ... ten behoeve van de
    diagnostiek" denies the diagnostics too, so "BGI kits were used for diagnostics" says
    what the source denies."""
    parts = split_sentences(unit(docs, "001_f07640d600ade888", "v8").answer)
    rivm = next(p for p in parts if p.startswith("Het RIVM heeft geen testkits"))
    assert {"diagnostiek", "bgi"} <= denied(rivm)
    assert negation_agrees("No BGI kits were used for diagnostics.", parts, never, True)
    assert not negation_agrees("BGI kits were used for diagnostics.", parts, never, True)


def test_the_closest_sentence_is_looked_for_without_the_segments_negation(docs) -> None:
    """A claim and its denial are compared with the same source sentence."""
    parts = split_sentences(unit(docs, "001_f07640d600ade888", "v17").answer)
    asked: list[str] = []

    def closest(text: str) -> str:
        asked.append(text)
        return parts[0]

    negation_agrees("Het kabinet werkt niet aan een sociaalkredietsysteem.", parts, closest)
    negation_agrees("Het kabinet werkt aan een sociaalkredietsysteem.", parts, closest)
    assert asked == ["Het kabinet werkt aan een sociaalkredietsysteem."] * 2


@pytest.mark.slow
def test_a_denial_is_not_supported_by_a_source_that_denies_something_else(docs) -> None:
    """ "Het kabinet werkt niet aan een sociaalkredietsysteem naar Chinees model" (its own
    source: Vraag 20-21) against the answer on Chinese social credit (Vraag 17): the closest
    sentence found for the claim itself does not deny it, so the marker would be wrong."""
    from rag.embedders.e5 import E5Embedder

    metas = {d.meta.doc: d.meta for d in docs.values()}
    checker = SupportChecker(SentenceVectors(E5Embedder(threads=1)), docs=metas)
    sentence = "Het kabinet werkt niet aan een sociaalkredietsysteem naar Chinees model."
    own = checker.check(sentence, unit(docs, "001_f07640d600ade888", "v20-21"))
    assert own.reason != "negation differs"
    other = checker.check(sentence, unit(docs, "001_f07640d600ade888", "v17"))
    assert other.reason == "negation differs"


def test_a_short_aside_in_brackets_is_read_inside_its_clause(docs) -> None:
    """ "niet worden gezien als (voorbereiding op) de invoering" denies the preparation: the
    aside is read inline and "als" after "gezien" does not end the denial; "There is not
    (yet) one ..." keeps its negation with what it denies. A long aside stays a clause."""
    rapport = split_sentences(unit(docs, "001_f07640d600ade888", "v16").answer)
    study = next(p for p in rapport if "(voorbereiding op)" in p)
    assert {"voorbereid", "invoer"} <= denied(study)
    assert negation_agrees("Het is geen voorbereiding op invoering.", rapport, never)
    assert not negation_agrees("Het is een voorbereiding op invoering.", rapport, never)
    assert unbracket("There is not (yet) one system") == "There is not yet one system"
    kept = "gebruiken (welke onderdelen wordt niet openbaar gemaakt)"
    assert unbracket(kept) == kept
    long = "de producten (van andere dan de genoemde leveranciers) gebruiken"
    assert unbracket(long) == long
    assert unbracket("de Taskforce (TFEV) kondigde") == "de Taskforce TFEV kondigde"


def test_a_longer_tussen_a_en_b_stays_one_clause_and_a_privative_word_denies() -> None:
    """ "geen concurrentie tussen de waterstofleiding in de DRC en het transportnet" is one
    clause (its denial is not cut off at the "en"), and "het wegvallen van coronasteun"
    says what "geen coronasteunmaatregelen meer" says (sentences of the unseen PDFs)."""
    cut = and_cut("Er is geen concurrentie tussen de waterstofleiding in de DRC en het net.")
    assert ";" not in cut
    assert negations("het wegvallen van coronasteun") == 1
    assert negations("Het ontbreekt aan geld.") == 1 and negations("It lacks money.") == 1
    assert segments("De steun is niet weggevallen.") == [("De steun is niet weggevallen.", False)]


def by_words(parts: list[str]):
    """The source sentence sharing most words with a text (a stand-in for the embedder)."""

    def closest(text: str) -> str:
        mine = set(text.lower().split())
        return max(parts, key=lambda p: len(mine & set(p.lower().split())))

    return closest


def test_a_negated_main_clause_governs_its_dat_clause(docs) -> None:
    """ "Is de tijd niet gekomen, ..., dat u ... een veel hardere koers gaat varen?" does not
    say that the time has come: its dat-clause is read as negated, and what it denies is
    the clause's content (the check with the real embedder: test_support_check)."""
    parts = split_sentences(quotable_text(unit(docs, "002_6ae4c03786fa8873", "v15")))
    first = segments(parts[0])
    assert first[0][1] and first[-1][0].startswith("dat u") and first[-1][1]
    assert not first[1][1]  # the aside between them is its own, plain segment
    # a dat-clause after a plain main clause keeps its own polarity
    assert not segments("Het kabinet vindt, dat het zo is.")[1][1]
    assert segments("Het kabinet vindt, dat het niet zo is.")[1][1]
    # a clause joined by "en", and "dat" as a pronoun, are no dat-clause of the main clause
    joined = "Dat is niet gebeurd en dat maakt dat deze regels buiten toepassing blijven."
    assert [neg for _, neg in segments(joined, and_cut(joined))] == [True, False]
    pronoun = "Niemand weet wat de inflatie kan bereiken, dat hangt af van vele factoren."
    assert [neg for _, neg in segments(pronoun)] == [True, False]


def test_a_copy_of_a_sentence_with_a_negated_main_clause_agrees_with_it() -> None:
    """Answers of the 2,033 Kamervragen, each checked against itself: the sentence is also
    cut at "en", its source is not, and the two readings must still agree."""
    for text in (
        "Dat is niet gebeurd en dat maakt dat deze algemene milieuregels voor windparken "
        "buiten toepassing moeten worden gelaten.",
        "De politie wacht de uitkomsten van het onderzoek af en ziet op dit moment geen "
        "aanleiding om maatregelen te treffen tegen de betreffende medewerkers.",
        "Is de tijd niet gekomen, ook in het licht van de onthullingen, dat u samen met uw "
        "Europese collega's een veel hardere koers gaat varen tegenover China?",
    ):
        assert negation_agrees(text, [text], lambda _, t=text: t, nearest=by_overlap), text


def by_overlap(text: str, candidates) -> int:
    """The candidate sharing most words with the text (a stand-in for the embedder)."""
    mine = set(text.lower().split())
    return max(range(len(candidates)), key=lambda k: len(mine & set(candidates[k].lower().split())))


def test_the_rest_of_a_denial_without_its_negation_is_not_supported(docs) -> None:
    """ "Voor zover bekend bij het RIVM niet" says the source's "Voor zover bekend bij het
    RIVM zijn er geen medewerkers op sleutelposities ..."; with its "niet" left out, all
    that is left of it is the denial without its negation."""
    parts = split_sentences(quotable_text(unit(docs, "001_f07640d600ade888", "v11")))
    sentence = "Voor zover bekend bij het RIVM niet; medewerkers met een vertrouwensfunctie "
    sentence += "ondergaan bovendien altijd een veiligheidsonderzoek."
    assert negation_agrees(sentence, parts, by_words(parts))
    assert not negation_agrees(sentence.replace(" niet", ""), parts, by_words(parts))
