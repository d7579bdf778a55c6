"""Kamervraag formulas come out of what retrieval reads; a user's own question stays."""

from __future__ import annotations

from rag.analysis.scaffold import strip_scaffold
from rag.analysis.terms import Analyzer


def test_formulas_addressed_to_the_minister_are_removed() -> None:
    question = (
        "Bent u bekend met het\nbericht «Gemeenten kampen met tekort aan jeugdzorg»?[2 ]\n"
        "Kunt u aangeven hoeveel gemeenten een tekort hebben? Zo ja, welke? Zo nee,\n"
        "waarom niet?\nDeelt u de mening dat de wachtlijsten korter moeten?"
    )
    stripped = strip_scaffold(question)
    assert "«Gemeenten kampen met tekort aan jeugdzorg»" in stripped
    assert "hoeveel gemeenten een tekort hebben?" in stripped
    assert "de wachtlijsten korter moeten?" in stripped
    terms = set(Analyzer().tokens(stripped))
    for scaffold in ("Bent u bekend met het bericht", "Kunt u aangeven", "Zo nee", "Deelt"):
        assert not set(Analyzer().tokens(scaffold)) & terms, scaffold
    assert "[2 ]" not in stripped


def test_requests_and_opinions_keep_their_topic() -> None:
    assert strip_scaffold("Bent u bereid om de regels aan te passen?") == (
        "de regels aan te passen?"
    )
    assert strip_scaffold("Klopt het dat er 4 testkits zijn besteld?") == (
        "er 4 testkits zijn besteld?"
    )
    assert strip_scaffold("Hoe kijkt u aan tegen de stijging van de huren?") == (
        "de stijging van de huren?"
    )
    assert strip_scaffold("Heeft u kennisgenomen van het artikel «Onder de radar»?") == (
        "«Onder de radar»?"
    )


def test_a_users_question_is_left_as_it_is() -> None:
    for question in (
        "Deelt het kabinet de zorg over digitale surveillance?",
        "Heeft het kabinet testkits van BGI gekocht?",
        "Did the Dutch government buy COVID test kits from BGI?",
        "Waarom zat viroloog Koopmans in het OMT?",
    ):
        assert strip_scaffold(question) == question


def test_a_question_that_is_only_formula_is_kept_whole() -> None:
    assert (
        strip_scaffold("Wat is uw reactie op dit bericht?") == "Wat is uw reactie op dit bericht?"
    )
    assert strip_scaffold("Zo nee, waarom niet?") == "Zo nee, waarom niet?"


def test_the_query_searches_without_the_formulas_and_keeps_what_was_typed() -> None:
    from rag.analysis.query import analyse, search_text

    typed = "Bent u bekend met het bericht «Chinese spionage in Nederland»? Zo ja, wat doet u?"
    query = analyse(typed, Analyzer())
    assert query.text == typed
    assert query.search_text == search_text(typed) == strip_scaffold(typed)
    assert "bekend" not in query.search_text and "spionage" in query.search_text
    assert not {"bekend", "bericht"} & set(query.terms)
    follow = analyse("En wat doet u ertegen?", Analyzer(), context=typed)
    assert "Chinese spionage" in follow.search_text and "Bent u" not in follow.search_text
