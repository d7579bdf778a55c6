"""The Gradio page: a conversation with sources shown at once, take-away buttons, the whole
document of a source, filters, uploads and a cold page that says what the index holds.
One model serves every session: the LLM's lock serialises generation and the queue bounds
how many requests run at once. The conversation lives in the browser (localStorage)."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ui.assets import CSS, JS, SHOW_CITED
from ui.cards import esc
from ui.chat import EXAMPLES, Step, cold_html, respond
from ui.docview import document_html, request_of
from ui.names import corpus_rows, doc_choices
from ui.render import conversation_html, conversation_json, conversation_markdown
from ui.upload import upload_files

CONCURRENCY = 4
ASK = "Vraag"
BUSY = "Antwoord loopt… een nieuwe vraag wacht op zijn beurt"


@dataclass
class Service:
    """What the page works with; `open` (re)loads the index and its answerer."""

    settings: Any
    open: Callable[[], tuple[Any, Any]]  # -> (index, answerer)
    build: Callable[[list, Any], object]  # incremental build of extra sources
    lock: threading.Lock = field(default_factory=threading.Lock)
    index: Any = None
    answerer: Any = None

    def __post_init__(self) -> None:
        self.index, self.answerer = self.open()

    def current(self) -> tuple[Any, Any]:
        """The index and answerer in use (swapped whole after an upload)."""
        with self.lock:
            return self.index, self.answerer

    def reload(self) -> None:
        """Load the index again after a build."""
        index, answerer = self.open()
        with self.lock:
            self.index, self.answerer = index, answerer


def downloads(turns: list) -> tuple[str | None, str | None]:
    """The conversation as a Markdown and a JSON file (None while there is nothing)."""
    if not any(not t.get("pending") for t in turns or ()):
        return None, None
    folder = Path(tempfile.mkdtemp(prefix="rag-gesprek-"))
    md, js = folder / "gesprek.md", folder / "gesprek.json"
    md.write_text(conversation_markdown(turns), encoding="utf-8")
    hashes = [t.get("index_hash", "") for t in turns if t.get("index_hash")]
    js.write_text(conversation_json(turns, hashes[-1] if hashes else ""), encoding="utf-8")
    return str(md), str(js)


def build_app(service: Service) -> Any:
    """The gr.Blocks page over a service."""
    import gradio as gr

    from ui.layout import chat_column, side_column

    index, _ = service.current()
    with gr.Blocks(title="rag: Kamerstukken met bronnen", analytics_enabled=False) as app:
        c = SimpleNamespace(turns=gr.BrowserState([], storage_key="rag-gesprek"))
        with gr.Row(equal_height=False):
            chat_column(gr, c, index, EXAMPLES, ASK)
            side_column(gr, c, service.settings, index)
        _wire_chat(gr, service, c, app)
        _wire_side(gr, service, c)
        gr.api(_api(service), api_name="ask")
    return app.queue(default_concurrency_limit=CONCURRENCY)


def _wire_chat(gr: Any, service: Service, c: SimpleNamespace, app: Any) -> None:
    """Asking (button, Enter, examples), the stored conversation, a new conversation."""
    inputs = [c.question, c.turns, c.mode, c.k, c.docs, c.kinds, c.start, c.end]
    outputs = [c.chat, c.question, c.ask, c.status, c.turns, c.save_md, c.save_js]

    def page(step: Step) -> tuple:
        files = downloads(step.turns) if step.turns is not None else None
        return (
            step.chat, "" if step.taken else gr.skip(),
            gr.update(value=BUSY if step.busy else ASK), status_html(step.status),
            step.turns if step.turns is not None else gr.skip(),
            _download(gr, files, 0), _download(gr, files, 1),
        )  # fmt: skip

    def on_ask(q: str, conv: list, m: str, n: float, d: list, kd: list, s: str, e: str
               ) -> Iterator[tuple]:  # fmt: skip
        index, answerer = service.current()
        for step in respond(index, answerer, q, conv or [], m, int(n), (d, kd, s, e)):
            yield page(step)

    quiet = {"api_visibility": "private", "show_progress": "hidden"}
    # a press while an answer streams is kept and runs when it is done ("always_last")
    gr.on([c.ask.click, c.question.submit], on_ask, inputs, outputs, trigger_mode="always_last",
          **quiet)  # fmt: skip
    for button, text in zip(c.examples, EXAMPLES, strict=True):
        button.click(lambda t=text: t, None, c.question, **quiet).then(
            on_ask, inputs, outputs, **quiet
        )

    def on_load(conv: list) -> tuple:
        index, _ = service.current()
        conv = [t for t in conv or [] if not t.get("pending")]
        files = downloads(conv)
        return (conversation_html(conv, index.units, index.docs,
                                  cold_html(index.docs, index.units)), conv,
                _download(gr, files, 0), _download(gr, files, 1))  # fmt: skip

    stored = [c.chat, c.turns, c.save_md, c.save_js]
    app.load(on_load, c.turns, stored, **quiet)
    c.clear.click(lambda: on_load([]), None, stored, **quiet)


def _wire_side(gr: Any, service: Service, c: SimpleNamespace) -> None:
    """The whole-document view and uploads."""

    def on_doc(value: str, conv: list) -> str:
        index, _ = service.current()
        return document_html(request_of(value, conv or []), index.units, index.docs)

    c.doc_open.click(on_doc, [c.doc_request, c.turns], c.docview, api_visibility="private",
                     js="(v, c) => [window.ragDocRequest || '', c]").then(
        None, None, None, js=SHOW_CITED)  # fmt: skip

    def on_upload(f: list | None, progress: Any = gr.Progress()) -> tuple:  # noqa: B008
        message, index = upload_files(service, f, progress)
        return (message, corpus_rows(index), gr.update(choices=doc_choices(index.docs)))

    c.files.upload(on_upload, c.files, [c.upload_status, c.corpus, c.docs], api_name="upload")


def status_html(message: str) -> str:
    """The line under the question box (escaped: it may quote what the user typed)."""
    return f'<div class="ask-msg">{esc(message)}</div>' if message else ""


def _download(gr: Any, files: tuple | None, i: int) -> Any:
    if files is None:
        return gr.skip()
    path = files[i]
    return gr.update(value=path, interactive=path is not None)


def _api(service: Service) -> Callable[..., dict]:
    def ask(question: str, mode: str = "quote", k: int = 5, docs: list[str] | None = None,
            kinds: list[str] | None = None, start: str = "", end: str = "",
            previous: str = "") -> dict:  # fmt: skip
        """One question for programs: the final turn (answer, citations) and its page HTML."""
        index, answerer = service.current()
        turns = [{"question": previous, "answer": "", "citations": []}] if previous else []
        steps = list(respond(index, answerer, question, turns, mode, int(k),
                             (docs or [], kinds or [], start, end)))  # fmt: skip
        last = steps[-1]
        return {"turn": last.turns[-1] if last.turns else None, "status": last.status,
                "html": last.chat}  # fmt: skip

    return ask


def launch(app: Any, host: str, port: int, share: bool) -> Any:
    """Serve the page (127.0.0.1 unless told otherwise; no share link unless asked)."""
    import gradio as gr

    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
    return app.launch(
        server_name=host, server_port=port, share=share, prevent_thread_lock=True,
        css=CSS, js=JS, theme=theme, max_file_size="20mb", footer_links=[], quiet=True,
    )  # fmt: skip
