"""Shared fixtures. Heavy models load once per session; the network is blocked."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
SHARED = REPO.parent / "shared"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _is_loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        return host in ("localhost", "::1") or host.startswith("127.")
    return isinstance(address, (str, bytes))  # unix sockets are local


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection to somewhere other than loopback fails the test."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        if not _is_loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def seed_paths() -> dict[str, Path]:
    """The five shipped documents, keyed by file name without extension."""
    return {p.stem: p for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.skip("../shared/data is not beside the repo")
    return path


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped corpus indexed once per session with the real bundled embedder.

    Read-only for tests: a test that changes an index copies it first (`copy_index`); an
    incremental build of the copy reuses every vector, so it costs no embedding.
    """
    from rag.cli.main import main

    folder = tmp_path_factory.mktemp("shipped") / "index"
    assert main(["index", "build", str(CORPUS), "--index", str(folder)]) == 0
    return folder


@pytest.fixture(scope="session")
def shipped_side(shipped_index: Path):
    """The query side over the shipped index (hybrid), opened once per session."""
    from rag.answering.side import open_query_side
    from rag.settings import Settings

    return open_query_side(Settings().override("index", dir=str(shipped_index)), "hybrid")
