"""One build at a time per index: concurrent builds in threads and processes lose nothing,
a second build waits (or fails fast naming the holder), readers never see a false error."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from index_helpers import HashEmbedder

from rag.cli.index import index_status
from rag.cli.main import main
from rag.errors import RagError
from rag.index.build import build_index
from rag.index.load import load_index
from rag.index.lock import build_lock
from rag.parsing import parse_file
from rag.settings import Settings

SEEDS = ("000_ba7fe8d28f285051", "002_6ae4c03786fa8873", "003_54dab813ef9c6552",
         "004_cf4a3fa9a5a68e27")  # fmt: skip
TESTS = Path(__file__).parent


@pytest.fixture
def folders(tmp_path, seed_paths) -> dict[str, Path]:
    """One folder per seed (each a separate source), and an index path."""
    out = {}
    for name in SEEDS:
        (tmp_path / name).mkdir()
        shutil.copy(seed_paths[name], tmp_path / name)
        out[name] = tmp_path / name / f"{name}.txt"
    out["index"] = tmp_path / "index"
    return out


def settings_for(index: Path) -> Settings:
    return Settings().override("index", dir=str(index))


def build(paths, index: Path, **kw):
    return build_index(list(paths), settings_for(index), HashEmbedder(), parse=parse_file, **kw)


def test_two_builds_in_threads_keep_both_documents(folders) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    start, errors = threading.Barrier(2), []

    def run(name: str) -> None:
        start.wait()
        try:
            build([folders[name]], index)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in SEEDS[1:3]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(load_index(index).docs) == sorted(SEEDS[:3])
    assert [p.name for p in index.iterdir() if p.name.startswith("data-")] == [
        load_index(index).manifest.data
    ]


BUILD_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from index_helpers import HashEmbedder
from rag.index.build import build_index
from rag.parsing import parse_file
from rag.settings import Settings
settings = Settings().override("index", dir={index!r})
build_index([{source!r}], settings, HashEmbedder(), parse=parse_file)
"""


def test_two_builds_in_two_processes_keep_both_documents(folders) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                BUILD_SCRIPT.format(tests=str(TESTS), index=str(index), source=str(folders[name])),
            ],
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for name in (SEEDS[1], SEEDS[3])
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert sorted(load_index(index).docs) == sorted([SEEDS[0], SEEDS[1], SEEDS[3]])


HOLD_SCRIPT = """
import sys, time
from pathlib import Path
from rag.index.lock import build_lock
with build_lock(Path({index!r})):
    print("held", flush=True)
    time.sleep({seconds})
"""


def hold_lock(index: Path, seconds: float) -> subprocess.Popen:
    """Another process that holds the index's build lock for a while."""
    code = HOLD_SCRIPT.format(index=str(index), seconds=seconds)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_build_waits_and_says_so(folders) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    holder = hold_lock(index, 1.5)
    said: list[str] = []
    t0 = time.perf_counter()
    result = build([folders[SEEDS[1]]], index, on_wait=said.append)
    waited = time.perf_counter() - t0
    holder.wait()
    assert result.added == (SEEDS[1],) and waited > 0.8
    assert len(said) == 1 and f"pid {holder.pid}" in said[0] and "waiting" in said[0]


def test_no_wait_fails_fast_naming_the_holder(folders, capsys) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    before = load_index(index).hash
    holder = hold_lock(index, 3)
    t0 = time.perf_counter()
    code = main(["index", "add", str(folders[SEEDS[1]]), "--index", str(index), "--no-wait"])
    err = capsys.readouterr().err
    assert code == 2 and time.perf_counter() - t0 < 2
    assert f"being built by pid {holder.pid}" in err and err.count("\n") == 1
    holder.kill()
    holder.wait()
    assert load_index(index).hash == before  # a killed holder leaves no stale lock:
    assert build([folders[SEEDS[1]]], index, wait=False).added == (SEEDS[1],)


def test_no_wait_in_the_same_process(folders) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    with build_lock(index):  # e.g. an upload's build running in another thread
        errors: list[Exception] = []
        thread = threading.Thread(target=lambda: _catch(errors, index, folders[SEEDS[1]]))
        thread.start()
        thread.join(timeout=30)
    assert len(errors) == 1 and "another build in this process" in str(errors[0])


def _catch(errors: list, index: Path, source: Path) -> None:
    try:
        build([source], index, wait=False)
    except RagError as exc:
        errors.append(exc)


def test_reads_during_builds_never_fail(folders) -> None:
    """A reader loads the index in a loop while builds commit new versions (and delete the
    old data folders); every load succeeds and sees a complete index."""
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    stop, loads, errors = threading.Event(), [], []

    def read() -> None:
        while not stop.is_set():
            try:
                loaded = load_index(index)
                loads.append(len(loaded.docs))
                status = index_status(index)[1]  # what `rag index info` reports
                if status != "ok":
                    errors.append(status)
            except Exception as exc:  # noqa: BLE001 - any error here is the failure
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(6):  # add and remove a document: each commit replaces the data folder
            if n % 2 == 0:
                build([folders[SEEDS[1]]], index)
            else:
                build([], index, remove=(SEEDS[1],))
    finally:
        stop.set()
        reader.join()
    assert errors == [] and len(loads) > 3 and set(loads) <= {1, 2}


def test_a_killed_build_leaves_no_stale_lock_or_data(folders) -> None:
    index = folders["index"]
    build([folders[SEEDS[0]]], index)
    stray = index / "data-killed-build"
    stray.mkdir()
    (stray / "units.jsonl").write_text("{", encoding="utf-8")
    holder = hold_lock(index, 30)
    os.kill(holder.pid, 9)
    holder.wait()
    result = build([folders[SEEDS[1]]], index, wait=False)
    assert result.added == (SEEDS[1],) and not stray.exists()
