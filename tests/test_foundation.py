"""The package, its settings object and the CLI entry point."""

from __future__ import annotations

import subprocess
import sys

import pytest

from rag.errors import RagError
from rag.settings import Settings


def test_settings_reject_a_misspelt_key() -> None:
    with pytest.raises(RagError, match="unknown setting 'retrieval.kk'"):
        Settings.from_dict({"retrieval": {"kk": 3}})


def test_settings_nested_override() -> None:
    s = Settings.from_dict({"retrieval": {"k": 7}, "index": {"dir": "/tmp/x"}})
    assert s.retrieval.k == 7 and s.index.dir == "/tmp/x"
    assert s.override("retrieval", k=None).retrieval.k == 7
    assert s.override("retrieval", k=3).retrieval.k == 3


def test_settings_file_errors_name_the_fix(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[retrieval\n")
    with pytest.raises(RagError, match="not valid TOML"):
        Settings.load(bad)
    with pytest.raises(RagError, match="not found"):
        Settings.load(tmp_path / "missing.toml")


def test_python_dash_m_rag_shows_help() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "rag", "--help"], capture_output=True, text=True, check=True
    )
    assert "parliamentary" in out.stdout
