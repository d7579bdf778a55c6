"""Reference normalisation: every written variant maps to one canonical key and back."""

from __future__ import annotations

import pytest

from rag.parsing.refs import display, find_keys, find_refs

VARIANTS = [
    ("Kamerstuk 32 761, nr. 152", ["kst-32761-152"]),
    ("Kamerstuk 35207, nr. 1", ["kst-35207-1"]),
    ("Kamerstukken 29 502, nr. 175 en 27 879 nr. 75", ["kst-29502-175", "kst-27879-75"]),
    ("Kamerstukken II 2019/20, 32 735, nr. 286", ["kst-32735-286"]),
    ("Kamerstukken ll 2023/24, 36 410 XVI, nr. 160", ["kst-36410-XVI-160"]),
    ("Kamerstuk 21 501-02, nr. 2241.", ["kst-21501-02-2241"]),
    ("zie 21 501-02, nr 874 en verder", ["kst-21501-02-874"]),
    ("Kamerstuk 34 926, nrs. 8, 9 en 11", ["kst-34926-8", "kst-34926-9", "kst-34926-11"]),
    (
        "Kamerstukken II, 25 424, nr. 679, nr. 684 en 685",
        ["kst-25424-679", "kst-25424-684", "kst-25424-685"],
    ),
    ("Kamerstuk 29 477, nrs. 3 t/m 5", ["kst-29477-3", "kst-29477-4", "kst-29477-5"]),
    ("Kamerstuk 30 821, nr. 72 en Kamerstuk 30 821, nr. 125.", ["kst-30821-72", "kst-30821-125"]),
    ("Tweede Kamer, vergaderjaar 2022–2023, 26 485, nr. 424", ["kst-26485-424"]),
    ("brief (36 471-64) op 7 juni 2024", ["kst-36471-64"]),
    (
        "(Aanhangsel Handelingen II 2018/19, nrs. 3894 en 3922)",
        ["ah-tk-20182019-3894", "ah-tk-20182019-3922"],
    ),
    ("Aanhangsel Handelingen, vergaderjaar 2023–2024, nr. 2147.", ["ah-tk-20232024-2147"]),
    ("Zie ook Aanhangsel Handelingen, vergaderjaar 2023–2024, 1028", ["ah-tk-20232024-1028"]),
    ("met kenmerk 2021Z13647.", ["kv-tk-2021Z13647"]),
    (
        "Kamervragen 2019D36814, 2019D23970 en 2020D05426",
        ["kv-tk-2019D36814", "kv-tk-2019D23970", "kv-tk-2020D05426"],
    ),
    ("ah-tk-20232024-1314", ["ah-tk-20232024-1314"]),
]


@pytest.mark.parametrize(("text", "keys"), VARIANTS)
def test_variant_normalises_to_canonical_keys(text: str, keys: list[str]) -> None:
    assert list(find_keys(text)) == keys


@pytest.mark.parametrize(
    "text",
    [
        "Kamerstuk 32 \n735, nr.\n286",  # split inside the dossier number and after nr.
        "Kamerstukken\nII 2019/20, 32 735,\nnr. 286",
        "Kamerstuk 32 735, nr. 286 en nogmaals Kamerstuk 32 735, nr. 286",  # no repeats
    ],
)
def test_reference_split_across_lines_or_repeated(text: str) -> None:
    assert find_keys(text) == ("kst-32735-286",)


def test_hyphenated_aanhangsel_across_lines() -> None:
    text = "(Aanhangsel Hande-\nlingen II 2018/19, nrs. 3894 en 3922)"
    assert find_keys(text) == ("ah-tk-20182019-3894", "ah-tk-20182019-3922")


@pytest.mark.parametrize(
    "text",
    [
        "Handelingen II 2019/20, nr. 47, Dertigledendebat",  # plenary report, not an Aanhangsel
        "op 29 januari 2020 tijdens het 30-leden debat",
        "COVID-19 en SARS-CoV-2 in 2021",
        "een bedrag van 12 345 euro",  # dossier-like number without nr.
        "Aanhangsel Handelingen II 2018/20, nr. 5",  # not consecutive years
    ],
)
def test_non_references_give_no_keys(text: str) -> None:
    assert find_keys(text) == ()


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("kst-32761-152", "Kamerstuk 32 761, nr. 152"),
        ("kst-21501-02-2241", "Kamerstuk 21 501-02, nr. 2241"),
        ("kst-36410-XVI-12", "Kamerstuk 36 410 XVI, nr. 12"),
        ("ah-tk-20182019-3894", "Aanhangsel Handelingen II 2018/19, nr. 3894"),
        ("kv-tk-2021Z13647", "kenmerk 2021Z13647"),
        ("kv-tk-2021D14200", "documentnummer 2021D14200"),
    ],
)
def test_display_forms(key: str, shown: str) -> None:
    assert display(key) == shown


def test_display_round_trips_through_find_refs() -> None:
    for key in ["kst-32761-152", "kst-21501-02-2241", "kst-36410-XVI-12", "ah-tk-20182019-3894"]:
        assert find_keys(display(key)) == (key,)


def test_display_rejects_a_malformed_key() -> None:
    with pytest.raises(ValueError, match="not a canonical reference key"):
        display("kst-123-4")


def test_refs_carry_kind_and_display_in_text_order() -> None:
    refs = find_refs("Zie Aanhangsel Handelingen II 2018/19, nr. 3894 en Kamerstuk 35 207, nr. 26.")
    assert [(r.key, r.kind) for r in refs] == [
        ("ah-tk-20182019-3894", "aanhangsel"),
        ("kst-35207-26", "kamerstuk"),
    ]
    assert refs[1].display == "Kamerstuk 35 207, nr. 26"
