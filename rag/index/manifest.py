"""The manifest: a typed, versioned record of what built an index and every file it holds.

`manifest.json` is also a build's commit point: it names the data subfolder of the current
version (`data`) and is replaced atomically (rag/index/format.py). Failed checks raise
RagError naming the fix. Paths are relative to the index folder, so a moved, copied or linked
index keeps working. An optional part (e.g. sentences.jsonl, sentence_vectors.npy) needs no
new field: it is a file of the data folder, listed in `files` like the others (a loader looks
for its name there), and older readers ignore files they do not know.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.settings import DEFAULT_INDEX

FORMAT = "rag-index"
ANSWER_VECTORS = "answer_vectors.npy"  # per unit, query role (absent in older builds)
FORMAT_VERSION = 2  # 2: data in a versioned subfolder, relative paths, inputs and exclusions
MANIFEST = "manifest.json"
BUNDLED_PREFIX = "bundled:"


@dataclass(frozen=True)
class EmbedderInfo:
    """The embedder that built the dense side (queries must use the same)."""

    name: str
    dim: int = 0
    version: str = ""
    query_prefix: str = ""
    passage_prefix: str = ""

    def same_model(self, other: EmbedderInfo) -> bool:
        """Same model and prefixes, whatever the dim (its vectors can be reused)."""
        return replace(self, dim=0) == replace(other, dim=0)


@dataclass(frozen=True)
class ChunkingInfo:
    """What decides passage boundaries."""

    tokenizer: str
    max_tokens: int
    overlap_tokens: int
    header: str
    fields: str = "text"  # what is embedded per unit (rag.types.Passage.field)


@dataclass(frozen=True)
class LexicalInfo:
    """BM25 parameters and the analyzer that made its terms (rows are units)."""

    stemmer: str
    pystemmer_version: str
    stopwords_sha256: str
    stopwords_count: int
    fold_diacritics: bool
    token_pattern: str
    k1: float
    b: float
    rows: str = "units"


@dataclass(frozen=True)
class DenseInfo:
    """The FAISS side (rows are passages)."""

    type: str
    metric: str = "inner_product"
    rows: str = "passages"


@dataclass(frozen=True)
class ParserInfo:
    """The parser module and a sha256 of its code (a change re-parses every file)."""

    module: str
    code_sha256: str


@dataclass(frozen=True)
class Counts:
    docs: int
    units: int
    passages: int
    questions: int


@dataclass(frozen=True)
class Location:
    """A path relative to the index folder (outside it also absolute: it resolves after a move)."""

    rel: str
    abs: str = ""  # empty for paths inside the index folder (a copy must not point back)

    @classmethod
    def of(cls, path: Path, folder: Path) -> Location:
        """Record path (absolute) as seen from the index folder (resolved)."""
        path, folder = Path(os.path.abspath(path)), folder.resolve()
        if path.resolve().is_relative_to(folder):  # also when named through a link to it
            return cls(path.resolve().relative_to(folder).as_posix())
        return cls(Path(os.path.relpath(path, folder)).as_posix(), str(path))

    def resolve(self, folder: Path) -> Path:
        """The path now: relative to the folder when that exists, else the absolute one."""
        rel = Path(os.path.normpath(folder.resolve() / self.rel))
        return rel if rel.exists() or not self.abs else Path(self.abs)


@dataclass(frozen=True)
class Source:
    """One indexed document's source file and the sha256 it had when indexed."""

    doc: str
    path: Location
    sha256: str


@dataclass(frozen=True)
class FileRecord:
    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """Everything that built an index and every file of its data folder."""

    data: str  # the data subfolder of this version, e.g. "data-20261201T235501-1234-ab12"
    created: str
    embedder: EmbedderInfo
    chunking: ChunkingInfo
    lexical: LexicalInfo
    dense: DenseInfo
    parser: ParserInfo
    counts: Counts
    versions: dict[str, str] = field(default_factory=dict)  # library -> version
    inputs: tuple[Location, ...] = ()  # files and folders the index is built from
    sources: tuple[Source, ...] = ()
    excluded: tuple[str, ...] = ()  # doc keys removed by `rag index remove`
    skipped: tuple[str, ...] = ()
    files: dict[str, FileRecord] = field(default_factory=dict)  # relative to the data folder
    hash: str = ""
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def source_sha(self) -> dict[str, str]:
        """doc -> sha256 of the source file it was built from."""
        return {s.doc: s.sha256 for s in self.sources}

    def identity_hash(self) -> str:
        """Short sha256 over the settings and the source checksums (not paths, not times)."""
        d = self.to_dict()
        ident = {k: d[k] for k in ("format", "format_version", "embedder", "chunking")}
        ident.update({k: d[k] for k in ("lexical", "dense", "parser")})
        ident["sources"] = [[s.doc, s.sha256] for s in self.sources]
        if ANSWER_VECTORS in self.files:  # searched with them: other results than without
            ident["answer_vectors"] = True
        blob = json.dumps(ident, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (the on-disk form)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        """The typed manifest; KeyError/TypeError when a field is missing or wrong."""
        return cls(
            data=str(d["data"]),
            created=str(d["created"]),
            embedder=EmbedderInfo(**d["embedder"]),
            chunking=ChunkingInfo(**d["chunking"]),
            lexical=LexicalInfo(**d["lexical"]),
            dense=DenseInfo(**d["dense"]),
            parser=ParserInfo(**d["parser"]),
            counts=Counts(**d["counts"]),
            versions=dict(d["versions"]),
            inputs=tuple(Location(**x) for x in d["inputs"]),
            sources=tuple(
                Source(s["doc"], Location(**s["path"]), s["sha256"]) for s in d["sources"]
            ),
            excluded=tuple(d["excluded"]),
            skipped=tuple(d["skipped"]),
            files={k: FileRecord(**v) for k, v in d["files"].items()},
            hash=str(d["hash"]),
            format=d["format"],
            format_version=d["format_version"],
        )


def rebuild_command(manifest: Manifest | None, folder: Path, embedder: str = "") -> str:
    """The `rag index build ...` command that rebuilds this index from what it knows."""
    parts = ["rag index build"]
    if Path(folder).resolve() != DEFAULT_INDEX.resolve():
        parts += ["--index", str(folder)]
    name = embedder or (manifest.embedder.name if manifest else "")
    if name and not name.startswith(BUNDLED_PREFIX):
        parts += ["--embedder", name]
    if manifest and manifest.dense.type != "flat":
        parts += ["--faiss", manifest.dense.type]
    return " ".join(parts)


def read_raw(folder: Path) -> dict[str, Any] | None:
    """The manifest as JSON, None when the folder has none; RagError when it is not JSON."""
    path = Path(folder) / MANIFEST
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (UnicodeDecodeError, OSError, json.JSONDecodeError) as exc:
        fix = rebuild_command(None, folder)
        raise RagError(f"{path} is corrupt or unreadable ({exc}); rebuild with `{fix}`") from exc
    return raw if isinstance(raw, dict) else {}


def read_manifest(folder: Path) -> Manifest:
    """The manifest of an index folder, checked for format and version."""
    folder = Path(folder)
    raw = read_raw(folder)
    if raw is None:
        what = "does not exist" if not folder.exists() else f"has no {MANIFEST}"
        fix = rebuild_command(None, folder)
        raise RagError(f"index folder {folder} {what}; build it with `{fix}`")
    check_format(raw, folder)
    try:
        return Manifest.from_dict(raw)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RagError(
            f"{folder / MANIFEST} is corrupt (field {exc}); rebuild with "
            f"`{rebuild_command(None, folder)}`"
        ) from exc


def check_format(raw: dict[str, Any], folder: Path) -> None:
    """Refuse a manifest of another format or format version, saying what to run."""
    fix = rebuild_command(None, folder)
    if raw.get("format") != FORMAT:
        raise RagError(f"{folder} does not hold a rag index; rebuild with `{fix}`")
    version = raw.get("format_version")
    if not isinstance(version, int) or version < FORMAT_VERSION:
        raise RagError(
            f"index in {folder} has format version {version}, older than {FORMAT_VERSION} "
            f"which this rag reads; rebuild it with `{fix}`"
        )
    if version > FORMAT_VERSION:
        raise RagError(
            f"index in {folder} has format version {version}, newer than {FORMAT_VERSION}: "
            f"it was built by a newer rag; update rag, or rebuild it with `{fix}`"
        )


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_files(manifest: Manifest, folder: Path) -> None:
    """Every file the manifest lists exists with its recorded size and sha256."""
    fix = rebuild_command(manifest, folder)
    data = Path(folder) / manifest.data
    for rel, record in manifest.files.items():
        path = data / rel
        try:  # a file removed meanwhile (a build committed) is missing, not a crash
            same = path.stat().st_size == record.bytes and sha256_file(path) == record.sha256
        except OSError:
            same = None
        if same is None or not path.is_file():
            raise RagError(f"index file {rel} is missing from {data}; rebuild with `{fix}`")
        if not same:
            fault = "is corrupt (checksum differs from the manifest)"
            raise RagError(f"index file {rel} in {data} {fault}; rebuild with `{fix}`")


def check_embedder(manifest: Manifest, name: str, dim: int, folder: Path) -> None:
    """Refuse a query embedder other than the one that built the index."""
    built = manifest.embedder
    if built.name == name and int(built.dim) == int(dim):
        return
    bundled = built.name.startswith(BUNDLED_PREFIX)
    same = "the default embedder (no --embedder)" if bundled else f"--embedder {built.name}"
    raise RagError(
        f"index in {folder} was built with {built.name} (dim {built.dim}), not {name} "
        f"(dim {dim}); rebuild with `{rebuild_command(manifest, folder, name)}` or use {same}"
    )
