"""Time from pressing Vraag to the first source card, through the running page.

`rag ui` runs in a subprocess over the index; headless Chromium (Playwright) presses Vraag
as a user does. Measured warm (one question first loads the model), in generate mode, per
question: the first card, and the finished answer, which is when the cards appeared before
they were shown with the quote (the baseline in the same run).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rag.errors import RagError

QUESTIONS = (  # each answered on the shipped corpus (a refusal has no card to wait for)
    "Heeft het kabinet testkits van BGI gekocht?",
    "Is de Utrechtse delegatie in China gehackt?",
    "Erkent het kabinet dat aanhangers van Falun Gong worden vervolgd?",
)
WARM_UP = "Houdt de overheid een lijst bij van Chinese producten gemaakt met dwangarbeid?"
TARGET_S = 1.5
TIMEOUT_MS = 300_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(index_dir: str, mode: str) -> tuple[subprocess.Popen, str]:
    settings = Path(tempfile.mkdtemp(prefix="rag-bench-ui-")) / "settings.toml"
    settings.write_text(f'[answer]\nmode = "{mode}"\n', encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    cmd = [sys.executable, "-m", "rag", "--settings", str(settings), "ui", "--port",
           str(_free_port()), "--index", index_dir, "--json"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            text=True)  # fmt: skip
    line = proc.stdout.readline() if proc.stdout else ""
    if not line:
        proc.kill()
        raise RagError("rag ui did not start for the bench; run `rag ui` to see why")
    return proc, json.loads(line)["url"]


def _one(page: Any, t: int, question: str) -> tuple[float, float]:
    """(seconds to the first card, seconds to the finished answer) of turn t."""
    page.fill("#question textarea", question)
    start = time.perf_counter()
    page.click("#ask")
    page.wait_for_selector(f"#turn-{t} .source-card, #turn-{t} .turn-tools", timeout=TIMEOUT_MS)
    first = time.perf_counter() - start
    if not page.locator(f"#turn-{t} .source-card").count():
        raise RagError(f"the page answered {question!r} without a source; pick another question")
    page.wait_for_selector(f"#turn-{t} .turn-tools", timeout=TIMEOUT_MS)
    return first, time.perf_counter() - start


def ui_latency(index_dir: str, mode: str = "generate", questions: tuple = QUESTIONS) -> dict:
    """Warm medians of Vraag -> first card and Vraag -> finished answer, in seconds."""
    chromium = shutil.which("chromium")
    if not chromium:
        raise RagError("chromium is not installed; install it to measure the chat page")
    from playwright.sync_api import sync_playwright

    proc, url = _start(index_dir, mode)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page()
            page.goto(url, wait_until="networkidle")
            _one(page, 1, WARM_UP)  # loads the model and the query side
            runs = [_one(page, t, q) for t, q in enumerate(questions, start=2)]
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    first = [r[0] for r in runs]
    done = [r[1] for r in runs]
    return {
        "mode": mode,
        "questions": len(runs),
        "first_card_s": round(statistics.median(first), 3),
        "first_card_max_s": round(max(first), 3),
        "answer_done_s": round(statistics.median(done), 3),
        "target_s": TARGET_S,
    }


def render(result: dict) -> str:
    """The figure beside its baseline and target, as lines of text."""
    first, done = result["first_card_s"], result["answer_done_s"]
    ok = "meets" if first < result["target_s"] else "MISSES"
    return "\n".join([
        f"ui ({result['mode']} mode, warm, median of {result['questions']} questions, "
        "through the running page in headless Chromium)",
        f"  Vraag -> first source card   {first:8.3f} s  (max {result['first_card_max_s']:.3f}"
        f" s; {ok} target < {result['target_s']} s)",
        f"  Vraag -> finished answer     {done:8.3f} s  (baseline: cards used to appear here)",
    ])  # fmt: skip
