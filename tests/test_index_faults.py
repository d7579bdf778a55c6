"""Faults of the environment during a build: full disk, read-only folder, permission denied,
a file that vanishes, special files, wrong settings. Each is one line that names the
problem and the fix, a non-zero exit, and an index that still loads as it was."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from index_helpers import HashEmbedder

from rag.cli.main import main
from rag.errors import RagError
from rag.index import format as fmt
from rag.index import incremental
from rag.index.build import build_index
from rag.index.load import load_index
from rag.parsing import parse_file
from rag.settings import FAISS_TYPES, Settings

SEEDS = ("002_6ae4c03786fa8873", "003_54dab813ef9c6552")
NEW = "004_cf4a3fa9a5a68e27"


@pytest.fixture
def env(tmp_path, seed_paths) -> dict[str, Path]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in SEEDS:
        shutil.copy(seed_paths[name], corpus)
    new = tmp_path / "new"
    new.mkdir()
    shutil.copy(seed_paths[NEW], new)
    index = tmp_path / "index"
    build([corpus], index)
    return {"corpus": corpus, "new": new / f"{NEW}.txt", "index": index}


def build(paths, index: Path, **kw):
    settings = Settings().override("index", dir=str(index))
    return build_index(list(paths), settings, HashEmbedder(), parse=kw.pop("parse", parse_file),
                       **kw)  # fmt: skip


def unchanged(index: Path, before: str) -> None:
    """The index loads, as it was, and no data folder of the failed build is left."""
    loaded = load_index(index)
    assert loaded.hash == before
    assert [p.name for p in index.iterdir() if p.name.startswith("data-")] == [loaded.manifest.data]


def one_line(exc: pytest.ExceptionInfo, *words: str) -> None:
    text = str(exc.value)
    assert "\n" not in text and "; " in text and all(w in text for w in words), text


def test_a_full_disk_names_the_problem_and_keeps_the_index(env, monkeypatch) -> None:
    before = load_index(env["index"]).hash
    real = fmt.write_jsonl

    def full(path, rows):
        real(path, rows[:1])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(fmt, "write_jsonl", full)
    with pytest.raises(RagError) as exc:
        build([env["new"]], env["index"])
    one_line(exc, "no space left", "free space")
    monkeypatch.undo()
    unchanged(env["index"], before)


def test_a_read_only_index_folder(env, monkeypatch) -> None:
    before = load_index(env["index"]).hash

    def refuse(path, *args, **kw):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(fmt.Path, "mkdir", refuse)  # the new data folder cannot be made
    with pytest.raises(RagError) as exc:
        build([env["new"]], env["index"])
    one_line(exc, "cannot write to the index folder", "make it writable")
    monkeypatch.undo()
    unchanged(env["index"], before)


def test_a_really_read_only_index_on_a_tmpfs(env, tmp_path) -> None:
    """The same on a real read-only file system (needs root to mount; skipped otherwise)."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                      capture_output=True).returncode != 0:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here")
    try:
        shutil.copytree(env["index"], mnt / "index")
        before = load_index(mnt / "index").hash
        subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
        with pytest.raises(RagError) as exc:
            build([env["new"]], mnt / "index")
        one_line(exc, "cannot write to the index folder", "Read-only file system")
        assert load_index(mnt / "index").hash == before
        subprocess.run(["mount", "-o", "remount,rw", str(mnt)], check=True)
        full = mnt / "filler"  # now fill the disk: the build fails on a real ENOSPC
        with open(full, "wb") as fh:
            try:
                while True:
                    fh.write(b"\0" * 65536)
            except OSError:
                pass
        with pytest.raises(RagError) as exc:
            build([env["new"]], mnt / "index")
        one_line(exc, "no space left")
        full.unlink()
        unchanged(mnt / "index", before)
        assert build([env["new"]], mnt / "index").added == (NEW,)
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_an_unreadable_source(env, monkeypatch) -> None:
    before = load_index(env["index"]).hash
    target = env["new"]
    os.chmod(target, 0)
    if os.geteuid() == 0:  # root reads anything: make the read fail as it would for a user
        real = incremental.sha256_file

        def denied(path):
            if Path(path) == target.resolve():
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real(path)

        monkeypatch.setattr(incremental, "sha256_file", denied)
    with pytest.raises(RagError) as exc:
        build([target], env["index"])
    one_line(exc, "permission denied", "chmod")
    unchanged(env["index"], before)


def test_a_file_that_vanishes_mid_build(env) -> None:
    before = load_index(env["index"]).hash
    shutil.copy(env["new"], env["corpus"])
    doomed = env["corpus"] / f"{SEEDS[1]}.txt"  # listed, then deleted before it is read
    doomed.write_text(doomed.read_text("utf-8") + "\nNieuw.\n", "utf-8")

    def parse(path: Path):
        doomed.unlink(missing_ok=True)
        return parse_file(path)

    with pytest.raises(RagError) as exc:
        build([], env["index"], parse=parse)
    one_line(exc, "disappeared during the build", "build again")
    unchanged(env["index"], before)


def test_special_files_are_refused_or_skipped_never_read(env) -> None:
    before = load_index(env["index"]).hash
    fifo = env["corpus"] / "pipe.txt"
    os.mkfifo(fifo)
    signal.alarm(60)  # a read of the FIFO would block forever
    try:
        for special in (fifo, Path("/dev/zero")):
            with pytest.raises(RagError) as exc:
                build([special], env["index"])
            one_line(exc, "not a regular file")
        unchanged(env["index"], before)
        result = build([], env["index"])  # a FIFO inside a corpus folder is skipped
        assert result.added == () and result.hash == before
    finally:
        signal.alarm(0)


BAD_SETTINGS = [
    ({"index": {"faiss_type": "ivfx"}}, "index.faiss_type", "one of flat, hnsw"),
    ({"retrieval": {"fusion": "sum"}}, "retrieval.fusion", "weighted, rrf"),
    ({"retrieval": {"mode": "fuzzy"}}, "retrieval.mode", "hybrid"),
    ({"answer": {"mode": "poem"}}, "answer.mode", "generate, quote"),
    ({"embedder": {"max_tokens": 0}}, "embedder.max_tokens", "positive"),
    ({"embedder": {"batch_size": -1}}, "embedder.batch_size", "positive"),
    ({"embedder": {"overlap_tokens": 100}}, "embedder.overlap_tokens", "below half"),
    ({"embedder": {"overlap_tokens": -1}}, "embedder.overlap_tokens", "zero or more"),
    ({"embedder": {"max_tokens": "200"}}, "embedder.max_tokens", "whole number"),
    ({"embedder": {"threads": 2.5}}, "embedder.threads", "whole number"),
    ({"index": {"bm25_b": 1.5}}, "index.bm25_b", "between 0 and 1"),
    ({"index": {"bm25_k1": True}}, "index.bm25_k1", "a number"),
    ({"index": {"stemmer": "klingon"}}, "index.stemmer", "PyStemmer"),
    ({"index": {"dir": 3}}, "index.dir", "a str"),
    ({"retrieval": []}, "retrieval", "table"),
    ({"generation": {"temperature": -0.5}}, "generation.temperature", "zero or more"),
]


@pytest.mark.parametrize(("data", "key", "must"), BAD_SETTINGS, ids=[b[1] for b in BAD_SETTINGS])
def test_wrong_settings_are_one_line(data, key, must) -> None:
    with pytest.raises(RagError) as exc:
        Settings.from_dict(data)
    one_line(exc, f"setting {key} =", must, "fix it")


def test_wrong_settings_through_the_cli_leave_the_index_alone(env, tmp_path, capsys) -> None:
    before = load_index(env["index"]).hash
    bad = tmp_path / "bad.toml"
    bad.write_text("[embedder]\nmax_tokens = 64\noverlap_tokens = 64\n", "utf-8")
    code = main(["--settings", str(bad), "index", "build", "--index", str(env["index"])])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "overlap_tokens" in err
    assert "internal error" not in err
    unchanged(env["index"], before)


def test_the_settings_know_every_faiss_type_the_index_builds() -> None:
    from rag.index.dense import FAISS_TYPES as BUILT

    assert set(BUILT) <= set(FAISS_TYPES)
