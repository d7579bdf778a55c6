"""A normal wheel install works outside the checkout: prompts ship inside it.

The wheel is built from the checkout, installed without dependencies into a fresh virtual
environment in a temporary folder (the dependencies come from this environment's
site-packages, added as a plain path so its editable install of rag is not seen), and asked
a question about the shipped corpus from a working directory outside the checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from index_helpers import copy_index

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The python of a fresh venv with the rag wheel installed in it."""
    root = tmp_path_factory.mktemp("wheel")
    built = run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "-w", str(root / "dist"), str(REPO)], root,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next((root / "dist").glob("rag-*.whl"))
    made = run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], root)
    assert made.returncode == 0, made.stderr
    python = root / "venv" / "bin" / "python"
    site = run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], root)
    purelib = Path(site.stdout.strip())
    # the dependencies, as a path: .pth files inside it (the editable rag) are not processed
    (purelib / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    got = run([*pip, "--no-index", str(wheel)], root)
    assert got.returncode == 0, got.stderr[-2000:]
    return python


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path, tmp_path) -> None:
    out = run(
        [str(installed), "-c",
         "import rag, rag.answering.prompts as p; print(rag.__file__); print(p.prompts_dir())"],
        tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    module, prompts = out.stdout.split()
    assert not Path(module).is_relative_to(REPO), module
    assert not Path(prompts).is_relative_to(REPO) and (Path(prompts) / "system.txt").is_file()


def test_the_installed_package_answers_from_the_shipped_corpus(
    installed: Path, shipped_index: Path, tmp_path: Path
) -> None:
    index = copy_index(shipped_index, tmp_path / "moved-index")
    question = "Heeft het kabinet testkits van BGI gekocht?"
    out = run(
        [str(installed), "-m", "rag", "ask", question, "--mode", "quote", "--json",
         "--index", str(index)],
        tmp_path,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    answer = json.loads(out.stdout)
    assert not answer["refused"]
    assert answer["citations"][0]["unit_id"] == "001_f07640d600ade888#v8"
    assert "BGI" in answer["answer"]
