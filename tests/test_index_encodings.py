"""Text files in the encodings Dutch users produce are read as the same text: a real seed
(é, ë, ï, curly quotes, no-break spaces) re-encoded as UTF-8 with and without BOM, UTF-16
LE/BE with BOM (Windows Notepad), Windows-1252 and Latin-1, parsed and indexed."""

from __future__ import annotations

from pathlib import Path

import pytest
from index_helpers import HashEmbedder

from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.parsing import parse_file
from rag.settings import Settings

SEED = "004_cf4a3fa9a5a68e27"
EURO = "\nDe kosten bedragen € 2,5 miljoen, aldus de minister: “zo’n bedrag is redelijk”.\n"
# Latin-1 has no curly quotes, euro sign or dashes: such files use the straight forms
LATIN1_SAFE = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR", "–": "-"})
ENCODINGS = [
    ("utf-8", lambda t: t.encode("utf-8")),
    ("utf-8 with BOM", lambda t: t.encode("utf-8-sig")),
    ("utf-16 LE with BOM", lambda t: b"\xff\xfe" + t.encode("utf-16-le")),
    ("utf-16 BE with BOM", lambda t: b"\xfe\xff" + t.encode("utf-16-be")),
    ("windows-1252", lambda t: t.encode("cp1252")),
]


@pytest.fixture(scope="module")
def text(seed_paths) -> str:
    return seed_paths[SEED].read_text(encoding="utf-8") + EURO


def units_of(path: Path) -> list[tuple[str, str]]:
    return [(u.unit_id, u.text) for u in parse_file(path).units]


@pytest.mark.parametrize(("name", "encode"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_each_encoding_reads_as_the_same_text(name, encode, text, tmp_path) -> None:
    reference = tmp_path / "ref" / f"{SEED}.txt"
    reference.parent.mkdir()
    reference.write_text(text, encoding="utf-8")
    encoded = tmp_path / f"{SEED}.txt"
    encoded.write_bytes(encode(text))
    got = units_of(encoded)
    assert got == units_of(reference)
    joined = " ".join(t for _, t in got)
    assert all(ch in joined for ch in "éëï’“”€"), "a special character was lost"
    assert "\ufeff" not in joined and "Ã" not in joined  # no BOM, no mojibake


def test_latin1_reads_as_the_same_text(text, tmp_path) -> None:
    plain = text.translate(LATIN1_SAFE)
    reference = tmp_path / "ref.txt"
    reference.write_text(plain, encoding="utf-8")
    encoded = tmp_path / "latin.txt"
    encoded.write_bytes(plain.encode("latin-1"))
    assert [u.text for u in parse_file(encoded).units] == [
        u.text for u in parse_file(reference).units
    ]
    assert "ë" in " ".join(u.text for u in parse_file(encoded).units)


def test_an_index_of_every_encoding_finds_the_same_words(text, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, (_, encode) in enumerate(ENCODINGS):
        (corpus / f"{n}_{SEED}.txt").write_bytes(encode(text))
    settings = Settings().override("index", dir=str(tmp_path / "index"))
    build_index([corpus], settings, HashEmbedder(), parse=parse_file)
    index = load_index(settings.index.dir)
    texts = {}
    for unit in index.units.values():
        texts.setdefault(unit.doc, []).append(unit.text)
    assert len(texts) == len(ENCODINGS) and len({tuple(v) for v in texts.values()}) == 1


def test_utf32_and_bomless_utf16_are_refused_as_binary(text, tmp_path) -> None:
    for n, data in enumerate((text.encode("utf-32"), text.encode("utf-16-le"))):
        path = tmp_path / f"{n}.txt"
        path.write_bytes(data)
        with pytest.raises(RagError, match="binary file"):
            parse_file(path)
