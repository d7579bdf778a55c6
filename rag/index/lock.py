"""One build at a time per index, across threads and processes.

A build holds two locks for its whole length: an in-process lock keyed by the resolved index
folder (threads of one process, e.g. two UI uploads), and an exclusive `fcntl.flock` on
`<index>/.lock` (other processes). The lock file holds the holder's pid, so a second build
can say whom it waits for, or fail fast naming it (wait=False). The kernel drops the flock
when its process dies: a killed build never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import RagError
from rag.index.format import LOCK, write_problem

_GUARD = threading.Lock()
_THREAD_LOCKS: dict[str, threading.Lock] = {}


def _thread_lock(folder: Path) -> threading.Lock:
    with _GUARD:
        return _THREAD_LOCKS.setdefault(str(folder.resolve()), threading.Lock())


def holder(folder: Path) -> str:
    """Who holds the build lock, as the lock file says ("pid 1234"), or "another build"."""
    try:
        text = (folder / LOCK).read_text(encoding="utf-8").strip()
    except OSError:
        return "another build"
    return f"pid {text}" if text.isdigit() else "another build"


@contextmanager
def build_lock(
    folder: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the build lock of an index folder (created if needed) for the with-block."""
    tlock = _thread_lock(folder)
    if not tlock.acquire(blocking=False):
        _waiting(folder, wait, on_wait, "another build in this process")
        tlock.acquire()
    try:
        fd = _flock(folder, wait, on_wait)
        try:
            _write_pid(fd)
            yield
        finally:
            os.close(fd)  # releases the flock
    finally:
        tlock.release()


def _flock(folder: Path, wait: bool, on_wait: Callable[[str], None] | None) -> int:
    """An fd of <folder>/.lock with the exclusive flock held."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                try:
                    _waiting(folder, wait, on_wait, holder(folder))
                except RagError:
                    os.close(fd)
                    raise
                fcntl.flock(fd, fcntl.LOCK_EX)
            if _same_file(fd, folder / LOCK):
                return fd
            os.close(fd)  # the lock file was replaced while we waited: lock the new one
    except OSError as exc:
        raise write_problem(folder, exc) from exc


def _write_pid(fd: int) -> None:
    """Name this process in the lock file (for a waiting build's message only)."""
    try:
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
    except OSError:
        pass  # a full disk: the build itself says so when it writes


def _same_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    fst = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (fst.st_dev, fst.st_ino)


def _waiting(folder: Path, wait: bool, on_wait: Callable[[str], None] | None, who: str) -> None:
    """Say that the build waits, or refuse when told not to wait."""
    if not wait:
        raise RagError(
            f"index {folder} is being built by {who}; wait for it to finish, or run again "
            "without --no-wait to wait"
        )
    if on_wait:
        on_wait(f"index {folder} is being built by {who}; waiting for it to finish")
