"""A bounded soak: 20 rounds of concurrent builds, adds, removes and UI uploads (through the
page's own service and upload function) with a reader loading the index all the while.
Zero lost documents, zero false errors, and the index loads after every round."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

from index_helpers import HashEmbedder

from rag.cli.ui import make_service
from rag.index.build import build_index
from rag.index.load import load_index
from rag.parsing import parse_file
from rag.settings import Settings
from ui.upload import add_uploads

ROUNDS = 20
BASE = ("002_6ae4c03786fa8873", "003_54dab813ef9c6552")
TEMPLATE = "003_54dab813ef9c6552"
BUDGET_S = 400  # a bound on the whole soak, far above its usual length


def new_doc(folder: Path, key: str, template: str) -> Path:
    """A distinct document: the template letter with its own first paragraph."""
    path = folder / f"{key}.txt"
    path.write_text(f"Brief {key} over onderwerp {key}.\n\n{template}", encoding="utf-8")
    return path


def test_soak_concurrent_builds_adds_and_uploads(tmp_path, seed_paths) -> None:
    corpus, extra, inbox = tmp_path / "corpus", tmp_path / "extra", tmp_path / "inbox"
    for folder in (corpus, extra, inbox):
        folder.mkdir()
    for name in BASE:
        shutil.copy(seed_paths[name], corpus)
    template = seed_paths[TEMPLATE].read_text(encoding="utf-8")
    index = tmp_path / "index"
    settings = Settings().override("index", dir=str(index)).override("retrieval", mode="bm25")
    settings = settings.override("answer", mode="quote")
    embedder = HashEmbedder()
    build_index([corpus], settings, embedder, parse=parse_file)
    service = make_service(settings, build_embedder=embedder)
    expected, errors, loads = set(BASE), [], [0]
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                loaded = load_index(index)
                assert set(BASE) <= set(loaded.docs)
                loads[0] += 1
            except Exception as exc:  # noqa: BLE001 - any error of a reader is a false error
                errors.append(f"reader: {exc!r}")

    def run(name: str, job) -> None:
        try:
            job()
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{name}: {exc!r}")

    reader = threading.Thread(target=read)
    reader.start()
    t0 = time.perf_counter()
    try:
        for r in range(ROUNDS):
            added = new_doc(extra, f"1{r:02d}_add", template)
            folder = tmp_path / f"batch{r}"
            folder.mkdir()
            new_doc(folder, f"2{r:02d}_build", template)
            upload = new_doc(inbox, f"3{r:02d}_upload", template)
            jobs = {
                "add": lambda a=added: build_index([a], settings, embedder, parse=parse_file),
                "build": lambda f=folder: build_index([f], settings, embedder, parse=parse_file),
                "upload": lambda u=upload: _upload(service, u, index),
            }
            if r % 5 == 4:  # now and then a removal runs alongside
                gone = f"1{r - 1:02d}_add"
                jobs["remove"] = lambda g=gone: build_index(
                    [], settings, embedder, parse=parse_file, remove=(g,)
                )
                expected.discard(gone)
            threads = [threading.Thread(target=run, args=(n, j)) for n, j in jobs.items()]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            expected |= {f"1{r:02d}_add", f"2{r:02d}_build", f"3{r:02d}_upload"}
            after = load_index(index)  # the index loads after every round
            assert set(after.docs) == expected, f"round {r}: {set(after.docs) ^ expected}"
            assert time.perf_counter() - t0 < BUDGET_S, f"soak over budget at round {r}"
    finally:
        stop.set()
        reader.join()
    assert errors == []
    assert loads[0] >= ROUNDS  # the reader really read while the builds ran
    data = [p for p in index.iterdir() if p.name.startswith("data-")]
    assert len(data) == 1 and len(list((index / "uploads").iterdir())) == ROUNDS


def _upload(service, path: Path, index: Path) -> None:
    """What the page does with an uploaded file: check it, store it, build, reload."""
    current, _ = service.current()
    add_uploads([(path, path.name)], index, set(current.docs), service.build)
    service.reload()
