"""Evaluation reports: a Markdown file with the figures and a PNG of recall@k curves.

Both are rendered from the plain result dict that `rag eval --json` prints, so a report can
be traced to its index (manifest hash) and settings. matplotlib is imported only to plot.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

Curves = dict[str, list[float | None]]  # retrieval mode -> recall@k for k = 1..10


def fmt(value: Any, digits: int = 3) -> str:
    """A metric for a table: fixed decimals, '-' when not measured."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def metrics_table(metrics: dict[str, Any]) -> str:
    """A two-column Markdown table of metric name and value."""
    rows = ["| metric | value |", "| --- | ---: |"]
    rows += [f"| {name} | {fmt(value)} |" for name, value in metrics.items()]
    return "\n".join(rows)


def curves_table(curves: Curves) -> str:
    """recall@k per retrieval mode, one row per mode, k = 1..10 as columns."""
    k_max = max((len(c) for c in curves.values()), default=0)
    head = "| retrieval | " + " | ".join(f"@{k}" for k in range(1, k_max + 1)) + " |"
    rule = "| --- |" + " ---: |" * k_max
    rows = [f"| {mode} | " + " | ".join(fmt(v, 2) for v in c) + " |" for mode, c in curves.items()]
    return "\n".join([head, rule, *rows])


def questions_table(per_question: Sequence[dict[str, Any]]) -> str:
    """One row per gold item: first-match rank, top units, refusal, citations, groups."""
    rows = [
        "| id | answerable | first match | top 3 retrieved | refused | citations ok | "
        "groups | latency s |",
        "| --- | --- | ---: | --- | --- | --- | --- | ---: |",
    ]
    for q in per_question:
        asked = q.get("refused") is not None  # False in retrieval-only runs
        cited, groups = q.get("citation_match") or (), q.get("satisfied") or ()
        rows.append(
            f"| {q['id']} | {'yes' if q['answerable'] else 'no'} | {fmt(q['first_match'])} "
            f"| {', '.join(q['retrieved'][:3])} | {fmt(q.get('refused'))} "
            f"| {_share(cited) if asked else '-'} | {_share(groups) if asked else '-'} "
            f"| {fmt(q.get('latency_s'), 2)} |"
        )
    return "\n".join(rows)


def _share(flags: Sequence[bool]) -> str:
    return f"{sum(flags)}/{len(flags)}"


def markdown(result: dict[str, Any], curves: Curves, plot_name: str | None) -> str:
    """The whole report as Markdown."""
    parts = [
        "# Evaluation report",
        "",
        f"- gold file: `{result['gold']}` ({len(result['per_question'])} items)",
        f"- mode: {result['mode']}, retrieval: {result['retrieval']}, k: {result['k']}",
        f"- index manifest hash: `{result['index_hash']}`",
        f"- command: `{result['command']}`",
        "",
        "## Metrics",
        "",
        metrics_table(result["metrics"]),
    ]
    if curves:
        parts += ["", "## Recall@k per retrieval mode", "", curves_table(curves)]
    if plot_name:
        parts += ["", f"![recall@k per retrieval mode]({plot_name})"]
    parts += ["", "## Per question", "", questions_table(result["per_question"]), ""]
    return "\n".join(parts)


def plot_curves(curves: Curves, path: Path, title: str = "recall@k per retrieval mode") -> Path:
    """Write a PNG of recall@k (k = 1..10) with one line per retrieval mode."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # heavy: only here
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    styles = [("o", "-"), ("s", "--"), ("^", ":")]  # equal curves stay distinguishable
    for n, (mode, values) in enumerate(curves.items()):
        ks = [k for k, v in enumerate(values, start=1) if v is not None]
        marker, line = styles[n % len(styles)]
        ax.plot(ks, [v for v in values if v is not None], marker=marker, ls=line, label=mode)
    ax.set(xlabel="k", ylabel="recall@k", title=title, ylim=(0, 1.02))
    ax.set_xticks(range(1, max((len(v) for v in curves.values()), default=1) + 1))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.savefig(path, format="png")
    return path


def write_report(out_dir: str | Path, result: dict[str, Any], curves: Curves) -> list[Path]:
    """Write report.md (and recall_at_k.png when there are curves); return the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    plot_name = None
    if curves:
        written.append(plot_curves(curves, out / "recall_at_k.png"))
        plot_name = "recall_at_k.png"
    md = out / "report.md"
    md.write_text(markdown(result, curves, plot_name), encoding="utf-8")
    return [md, *written]
