"""The bad-input battery: every case is a one-line error naming problem and fix, a non-zero
exit code, no traceback, and an index byte-identical to before. docs/RELIABILITY.md lists
the cases; test_the_list_in_the_docs_matches_this_battery keeps the two in step."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from rag.cli.main import main
from rag.settings import REPO

pytestmark = pytest.mark.slow
SEEDS = ("001_f07640d600ade888", "003_54dab813ef9c6552", "004_cf4a3fa9a5a68e27")
Q = "Heeft het kabinet testkits van BGI gekocht?"


def tree_hash(folder: Path) -> str:
    """sha256 over every file's relative path and bytes (not the lock file: it names the pid
    of the last build that ran, even one that failed)."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != ".lock"):
        h.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return h.hexdigest()


def blank_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    with path.open("wb") as fh:
        writer.write(fh)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A real index of three seeds, and a folder of bad inputs."""
    root = tmp_path_factory.mktemp("battery")
    corpus = root / "corpus"
    corpus.mkdir()
    for name in SEEDS:
        shutil.copy(REPO / "corpus" / f"{name}.txt", corpus)
    index = root / "index"
    assert main(["index", "build", str(corpus), "--index", str(index)]) == 0
    bad = root / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "spaces.txt").write_text("  \n\t\n   ", encoding="utf-8")
    (bad / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (bad / "latin.txt").write_bytes(b"\xff\xfe\x00\x00caf\xe9 \xc3\x28" * 50)
    (bad / "truncated.pdf").write_bytes((REPO / "corpus" / f"{SEEDS[1]}.txt").read_bytes()[:0]
                                        + b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")  # fmt: skip
    blank_pdf(bad / "scan.pdf")
    (bad / "notes.docx").write_bytes(b"PK\x03\x04 word")
    with (bad / "huge.txt").open("wb") as fh:  # 50 MB, sparse: no disk cost
        fh.truncate(50 * 2**20)
    (bad / "a").mkdir()
    (bad / "b").mkdir()
    for sub in ("a", "b"):
        shutil.copy(REPO / "corpus" / f"{SEEDS[1]}.txt", bad / sub / "same.txt")
    (bad / "nodocs").mkdir()
    (bad / "gold_bad_json.jsonl").write_text('{"id": "x",\n', encoding="utf-8")
    (bad / "gold_missing_keys.jsonl").write_text('{"id": "x"}\n', encoding="utf-8")
    item = {"id": "x", "question": "Wat?", "lang": "nl", "answerable": True,
            "gold": [{"doc": "999_onbekend", "vraag": [1]}], "must_mention": [],
            "reference_answer": ""}  # fmt: skip
    (bad / "gold_unknown_doc.jsonl").write_text(json.dumps(item) + "\n", encoding="utf-8")
    dup = json.dumps({**item, "gold": [{"doc": SEEDS[0], "vraag": [8]}]})
    (bad / "gold_dup.jsonl").write_text(dup + "\n" + dup + "\n", encoding="utf-8")
    (bad / "gold_empty.jsonl").write_text("\n\n", encoding="utf-8")
    (bad / "fake.gguf").write_bytes(b"GGUF\x03\x00\x00\x00" + b"\x00" * 64)
    (bad / "text.gguf").write_text("not a model", encoding="utf-8")
    (bad / "model_dir").mkdir()
    (bad / "file_not_dir").write_text("x", encoding="utf-8")
    foreign = bad / "foreign"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("mine", encoding="utf-8")
    os.mkfifo(bad / "pipe.txt")  # a reader of it would hang until a writer comes
    for name, text in SETTINGS.items():
        (bad / f"{name}.toml").write_text(text, encoding="utf-8")
    return {"index": index, "bad": bad, "corpus": corpus}


SETTINGS = {  # settings files that are wrong in some way
    "s_faiss": '[index]\nfaiss_type = "ivfx"\n',
    "s_overlap": "[embedder]\nmax_tokens = 50\noverlap_tokens = 50\n",
    "s_negative": "[embedder]\nbatch_size = -4\n",
    "s_zero": "[retrieval]\ncandidates = 0\n",
    "s_type": '[retrieval]\nk = "five"\n',
    "s_fusion": '[retrieval]\nfusion = "sum"\n',
    "s_section": "embedder = 3\n",
    "s_stemmer": '[index]\nstemmer = "klingon"\n',
}

# (case id, argv with {index} {bad} {corpus} placeholders, expected text in the error)
CASES = [
    ("parse: empty file", "parse {bad}/empty.txt", "the file is empty"),
    ("parse: whitespace only", "parse {bad}/spaces.txt", "the file is empty"),
    ("parse: binary named .txt", "parse {bad}/binary.txt", "binary file"),
    ("parse: invalid UTF-8", "parse {bad}/latin.txt", "binary file"),
    ("parse: truncated PDF", "parse {bad}/truncated.pdf", "complete, unencrypted PDF"),
    ("parse: PDF without text layer", "parse {bad}/scan.pdf", "no text layer"),
    ("parse: 50 MB text file", "parse {bad}/huge.txt", "over the 20 MB limit"),
    ("parse: unsupported type", "parse {bad}/notes.docx", "unsupported file type"),
    ("parse: missing file", "parse {bad}/nope.txt", "does not exist"),
    ("parse: path with ..", "parse {bad}/../../nope/x.txt", "does not exist"),
    ("index build: missing source", "index build {bad}/nope --index {index}", "does not exist"),
    ("index build: empty file", "index build {bad}/empty.txt --index {index}", "--skip-bad"),
    ("index build: binary .txt", "index build {bad}/binary.txt --index {index}", "binary file"),
    ("index build: truncated PDF", "index build {bad}/truncated.pdf --index {index}", "PDF"),
    ("index build: 50 MB file", "index build {bad}/huge.txt --index {index}", "20 MB limit"),
    ("index build: same name in two folders", "index build {bad}/a {bad}/b --index {index}",
     "same document key"),
    ("index build: duplicate file", "index build {corpus} {corpus}/001_f07640d600ade888.txt "
     "--index {index}", None),
    ("index build: folder without documents", "index build {bad}/nodocs --index {index}",
     "no .txt or .pdf files"),
    ("index build: target is a file", "index build {corpus} --index {bad}/file_not_dir",
     "is a file, not a folder"),
    ("index build: target holds other files", "index build {corpus} --index {bad}/foreign",
     "is not a rag index"),
    ("index build: unknown embedder folder",
     "index build {corpus} --index {index} --embedder {bad}/model_dir",
     "not a sentence-transformers folder"),
    ("index build: FIFO as source", "index build {bad}/pipe.txt --index {index}",
     "not a regular file"),
    ("index build: /dev/zero as source", "index build /dev/zero --index {index}",
     "not a regular file"),
    ("index add: missing file", "index add {bad}/nope.txt --index {index}", "does not exist"),
    ("index remove: unknown document", "index remove 999_onbekend --index {index}",
     "holds no document"),
    ("settings: unknown faiss_type",
     "--settings {bad}/s_faiss.toml index build {corpus} --index {index}", "index.faiss_type"),
    ("settings: overlap not below max_tokens",
     "--settings {bad}/s_overlap.toml index build {corpus} --index {index}", "overlap_tokens"),
    ("settings: negative size",
     "--settings {bad}/s_negative.toml index build {corpus} --index {index}", "batch_size"),
    ("settings: zero size", "--settings {bad}/s_zero.toml search BGI --index {index}",
     "retrieval.candidates"),
    ("settings: wrong type", "--settings {bad}/s_type.toml search BGI --index {index}",
     "retrieval.k"),
    ("settings: unknown fusion", "--settings {bad}/s_fusion.toml search BGI --index {index}",
     "retrieval.fusion"),
    ("settings: section that is not a table",
     "--settings {bad}/s_section.toml search BGI --index {index}", "[embedder] table"),
    ("settings: unknown stemmer",
     "--settings {bad}/s_stemmer.toml index build {corpus} --index {index}", "index.stemmer"),
    ("search: empty query", "search '' --index {index}", "the query is empty"),
    ("search: whitespace query", "search $'   \t ' --index {index}", "the query is empty"),
    ("search: 100,000-character query", "search {long} --index {index}", "keep it under"),
    ("search: k of 0", "search BGI -k 0 --index {index}", "must be a positive"),
    ("search: unknown mode", "search BGI --mode fuzzy --index {index}", "invalid choice"),
    ("search: missing index folder", "search BGI --index {bad}/noindex", "does not exist"),
    ("search: folder that is not an index", "search BGI --index {bad}/nodocs",
     "has no manifest.json"),
    ("search: bad date filter", "search BGI --from 2021-13-45 --index {index}", "date"),
    ("search: a word as date", "search BGI --to gisteren --index {index}", "DD-MM-YYYY"),
    ("search: reversed date range", "search BGI --from 2023 --to 2021 --index {index}",
     "reversed"),
    ("ask: reversed date range", "ask {q} --from 2023 --to 2021 --mode quote --index {index}",
     "reversed"),
    ("search: unknown document filter", "search BGI --doc nope --index {index}", "nope"),
    ("similar: empty question", "similar '' --index {index}", "empty"),
    ("ask: empty question", "ask '' --index {index}", "the question is empty"),
    ("ask: whitespace question", "ask $'  \n ' --index {index}", "the question is empty"),
    ("ask: control characters only", "ask $'\\x00\\x01\\x07' --index {index}",
     "the question is empty"),
    ("ask: 100,000-character question", "ask {long} --index {index}", "keep it under 2000"),
    ("ask: unknown --model path", "ask {q} --model {bad}/none.gguf --index {index}",
     "not found"),
    ("ask: --model that is not a GGUF", "ask {q} --model {bad}/text.gguf --index {index}",
     "is not a GGUF model file"),
    ("ask: GGUF header without a model", "ask {q} --model {bad}/fake.gguf --index {index}",
     "cannot load"),
    ("ask: k of 0", "ask {q} -k 0 --index {index}", "must be a positive"),
    ("ask: unknown mode", "ask {q} --mode poem --index {index}", "invalid choice"),
    ("ask: missing index", "ask {q} --index {bad}/noindex", "does not exist"),
    ("eval: missing gold file", "eval --gold {bad}/none.jsonl --index {index}", "not found"),
    ("eval: malformed JSON line", "eval --gold {bad}/gold_bad_json.jsonl --index {index}",
     "line 1: not valid JSON"),
    ("eval: line with missing keys", "eval --gold {bad}/gold_missing_keys.jsonl --index {index}",
     "missing keys"),
    ("eval: binary gold file", "eval --gold {bad}/binary.txt --index {index}", "not UTF-8"),
    ("eval: gold file without items", "eval --gold {bad}/gold_empty.jsonl --index {index}",
     "holds no items"),
    ("eval: duplicate ids", "eval --gold {bad}/gold_dup.jsonl --index {index}", "repeats line"),
    ("eval: gold document not in the index",
     "eval --gold {bad}/gold_unknown_doc.jsonl --mode retrieval --index {index}",
     "lacks gold document"),
    ("eval: limit of 0", "eval --gold {bad}/gold_dup.jsonl --limit 0 --index {index}",
     "positive number"),
    ("eval: missing benchmark CSV", "eval --qa-csv {bad}/none.csv --index {bad}/qa", "not found"),
]  # fmt: skip


def argv_of(template: str, env: dict[str, Path]) -> list[str]:
    """Split the template like a shell (quotes, $'..' escapes) and fill the placeholders."""
    import shlex

    parts = []
    for token in re.findall(r"\$'[^']*'|'[^']*'|\S+", template):
        if token.startswith("$'"):
            parts.append(token[2:-1].encode().decode("unicode_escape"))
        else:
            parts.extend(shlex.split(token) or [""])
    fill = {"index": str(env["index"]), "bad": str(env["bad"]), "corpus": str(env["corpus"]),
            "long": "waarom " * 16_667, "q": Q}  # fmt: skip
    return [p.format(**fill) if "{" in p else p for p in parts]


@pytest.mark.parametrize(("case", "template", "expected"), CASES, ids=[c[0] for c in CASES])
def test_bad_input(case, template, expected, env, capsys) -> None:
    before = tree_hash(env["index"])
    capsys.readouterr()
    try:
        code = main(argv_of(template, env))
    except SystemExit as exc:  # argparse
        code = exc.code
    err = capsys.readouterr().err
    after = tree_hash(env["index"])
    if expected is None:  # accepted: the same file named twice is one document, not two
        from rag.index.load import load_index

        assert code == 0 and sorted(load_index(env["index"]).docs) == sorted(SEEDS)
        assert main(["index", "build", str(env["corpus"]), "--index", str(env["index"])]) == 0
        return
    assert after == before, f"{case}: the index changed"
    assert code not in (0, None), f"{case}: exit code {code}"
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("rag")]
    assert lines and expected in lines[0], f"{case}: {err!r}"
    assert len(lines[0]) < 400 and ("; " in lines[0] or "--help" in lines[0]), lines[0]


def test_the_list_in_the_docs_matches_this_battery() -> None:
    doc = (REPO / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    for case, _, _ in CASES:
        assert f"| {case} |" in doc, f"docs/RELIABILITY.md lacks the case {case!r}"


def data_of(folder: Path) -> Path:
    """The data folder of the index's current version."""
    return folder / json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["data"]


def _zero_faiss_middle(folder: Path) -> None:
    path = data_of(folder) / "dense.faiss"
    data = bytearray(path.read_bytes())
    data[100:1000] = b"\x00" * 900
    path.write_bytes(bytes(data))


def _other_embedder(folder: Path) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["embedder"] = {**manifest["embedder"], "name": "intfloat/multilingual-e5-large"}
    path.write_text(json.dumps(manifest), encoding="utf-8")


def _units_not_a_file(folder: Path) -> None:
    (data_of(folder) / "units.jsonl").unlink()
    (data_of(folder) / "units.jsonl").mkdir()


def _binary_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_bytes(b"\xff\xfe garbage")


# (case id, how the copy of the index is damaged, command, expected text in the error)
DAMAGED = [
    ("search: corrupt FAISS file", _zero_faiss_middle, "search", "dense.faiss"),
    ("ask: corrupt FAISS file", _zero_faiss_middle, "ask", "dense.faiss"),
    ("search: manifest from another embedder", _other_embedder, "search",
     "neither a local folder nor a bundled model"),
    ("search: unreadable units file", _units_not_a_file, "search", "units.jsonl is missing"),
    ("ask: manifest that is not text", _binary_manifest, "ask", "manifest.json is corrupt"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "damage", "command", "expected"), DAMAGED,
                         ids=[c[0] for c in DAMAGED])  # fmt: skip
def test_damaged_index(case, damage, command, expected, env, tmp_path, capsys) -> None:
    folder = tmp_path / "index"
    shutil.copytree(env["index"], folder)
    damage(folder)
    before = tree_hash(folder)
    capsys.readouterr()
    code = main([command, Q, "--index", str(folder)])
    err = capsys.readouterr().err
    assert tree_hash(folder) == before, f"{case}: the damaged index was changed"
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], f"{case}: {err!r}"
    fixes = ("rebuild with `rag index build", "pass --embedder", "pass a sentence-transformers")
    assert any(fix in lines[0] for fix in fixes), lines[0]


def test_the_damaged_index_cases_are_in_the_docs() -> None:
    doc = (REPO / "docs" / "RELIABILITY.md").read_text(encoding="utf-8")
    for case, *_ in DAMAGED:
        assert f"| {case} |" in doc, f"docs/RELIABILITY.md lacks the case {case!r}"
