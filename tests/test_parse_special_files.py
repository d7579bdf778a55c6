"""`rag parse` on a path that is not a regular file says what it is, in one line."""

from __future__ import annotations

import os

import pytest

from rag.cli.main import main


def test_a_fifo_is_named_as_such_not_as_missing(tmp_path, capsys) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert main(["parse", str(fifo)]) == 2
    err = capsys.readouterr().err
    assert "is not a regular file" in err and "does not exist" not in err


@pytest.mark.parametrize("name", ["missing.txt"])
def test_a_missing_file_still_says_it_does_not_exist(tmp_path, capsys, name) -> None:
    assert main(["parse", str(tmp_path / name)]) == 2
    assert "does not exist" in capsys.readouterr().err
