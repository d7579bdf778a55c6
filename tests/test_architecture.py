"""The layout is the pipeline: stage packages import only earlier stages, with no cycles.

The order below is the data flow of docs/ARCHITECTURE.md; `rag.types`, `rag.errors` and
`rag.settings` are the shared base every stage may use. Imports are read with ast (module
level and inside functions alike), so a lazy import against the direction fails too.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STAGES = [
    "base",  # rag.types, rag.errors, rag.settings
    "rag.analysis",
    "rag.parsing",
    "rag.embedders",
    "rag.index",
    "rag.retrieval",
    "rag.answering",
    "rag.evaluation",
    "rag.bench",
    "ui",
    "rag.cli",
]
BASE = {"rag", "rag.types", "rag.errors", "rag.settings"}
ENTRY = {"rag.__main__"}  # `python -m rag` is the command line
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60


def modules() -> dict[str, Path]:
    """Every module of the rag and ui packages, by dotted name."""
    found = {}
    for top in ("rag", "ui"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def stage_of(module: str) -> int:
    """Position of a module's stage in the data flow."""
    if module in BASE:
        return 0
    if module in ENTRY:
        return len(STAGES) - 1
    for i, stage in enumerate(STAGES[1:], start=1):
        if module == stage or module.startswith(stage + "."):
            return i
    raise AssertionError(f"{module} belongs to no stage; add it to a stage package")


def imports(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """The project modules a module imports (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            subs = [f"{base}.{a.name}" for a in node.names]
            # `from pkg import submodule` depends on the submodule, not on pkg's own code
            targets = subs + ([] if all(t in known for t in subs) else [base])
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(path, name, known) for name, path in known.items()}


def test_every_import_goes_to_an_earlier_or_the_same_stage():
    wrong = []
    for module, targets in graph().items():
        for target in targets:
            if target in ("rag",):
                continue
            if stage_of(target) > stage_of(module):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports against the data flow: " + ", ".join(sorted(wrong))


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if nxt == "rag":
                continue
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles: " + "; ".join(cycles)


def test_the_direction_check_catches_a_backward_import(tmp_path):
    # the checker itself must fail on a stage importing a later one
    assert stage_of("rag.index.build") < stage_of("rag.retrieval.hybrid")
    assert stage_of("ui.app") < stage_of("rag.cli.ui")
    with pytest.raises(AssertionError):
        stage_of("rag.somewhere_new")


def test_modules_and_functions_stay_small():
    big, long = [], []
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            big.append(f"{name} ({text.count(chr(10))} lines)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name} ({length} lines)")
    assert not big, "modules over 300 lines: " + ", ".join(big)
    assert not long, "functions over 60 lines: " + ", ".join(long)


def test_architecture_doc_names_existing_modules():
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:rag|ui)/[\w/]+\.py)`", doc))
    assert len(named) >= 10, "the architecture doc names too few modules"
    missing = sorted(p for p in named if not (ROOT / p).is_file())
    assert not missing, "docs/ARCHITECTURE.md names modules that do not exist: " + str(missing)
    for stage in STAGES[1:]:
        folder = stage.replace(".", "/") + "/"
        assert folder in doc, f"docs/ARCHITECTURE.md does not mention the stage {folder}"
