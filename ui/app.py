"""The Gradio page: chat with streaming verified answers, source cards, filters, uploads and
a corpus panel. One model serves every session: the LLM's lock serialises generation and
the queue bounds how many requests run at once."""

from __future__ import annotations

import html
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import RagError
from rag.settings import Settings
from rag.types import Filters
from ui.cards import CSS, cards, linked
from ui.session import stream_answer, with_context
from ui.upload import TYPES, add_uploads

KINDS = ("answers", "questions", "letter", "provincial", "plain")
CONCURRENCY = 4


@dataclass
class Service:
    """What the page works with; `open` (re)loads the index and its answerer."""

    settings: Settings
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


def corpus_rows(index: Any) -> list[list[Any]]:
    """One row per indexed document: key, kind, title, date, number of units."""
    counts: dict[str, int] = {}
    for unit in index.units.values():
        counts[unit.doc] = counts.get(unit.doc, 0) + 1
    return [
        [doc, m.kind, m.title, m.date or m.date_sent or "", counts.get(doc, 0)]
        for doc, m in sorted(index.docs.items())
    ]


def filters_of(docs: list[str], kinds: list[str], start: str, end: str) -> Filters | None:
    """Filters from the controls (None when nothing is chosen)."""
    filters = Filters(
        docs=tuple(docs or ()), kinds=tuple(kinds or ()),
        date_from=(start or "").strip() or None, date_to=(end or "").strip() or None,
    )  # fmt: skip
    return None if filters == Filters() else filters


def respond(service: Service, message: str, history: list, mode: str, k: float, docs: list,
            kinds: list, start: str, end: str) -> Iterator[tuple[list, str, str]]:  # fmt: skip
    """Chat handler: yields (history, cards html, cleared input) as the answer streams."""
    question = (message or "").strip()
    if not question:
        yield history, "<p>Stel een vraag.</p>", ""
        return
    index, answerer = service.current()
    asked = with_context(question, history)
    history = [*history, {"role": "user", "content": question}]
    shown = [*history, {"role": "assistant", "content": "…"}]
    yield shown, "", ""
    try:
        filters = filters_of(docs, kinds, start, end)
        for text, answer in stream_answer(answerer, asked, int(k), mode, filters):
            body = linked(html.escape(text, quote=False))
            if answer is not None and answer.refused:
                body = f"**Niet in het corpus.** {body}"
            shown = [*history, {"role": "assistant", "content": body}]
            panel = cards(answer, index.units, index.docs) if answer else ""
            yield shown, panel, ""
    except RagError as exc:
        yield [*history, {"role": "assistant", "content": f"Fout: {exc}"}], "", ""


def upload(service: Service, files: list | None, progress: Any = None) -> tuple[str, list]:
    """Add uploaded files to the index; a clear message either way, nothing lost on error."""
    index, _ = service.current()
    if not files:
        return "Geen bestand gekozen.", corpus_rows(index)
    pairs = [(Path(_path(f)), Path(_path(f)).name) for f in files]

    def report(stage: str, done: int, total: int) -> None:
        if progress is not None:
            progress((done, total), desc=stage)

    try:
        names = add_uploads(pairs, Path(index.dir), set(index.docs), service.build, report)
    except RagError as exc:
        return f"Niet toegevoegd: {exc}", corpus_rows(index)
    service.reload()
    return f"Toegevoegd aan de index: {', '.join(names)}", corpus_rows(service.current()[0])


def _path(f: Any) -> str:
    return f if isinstance(f, str) else getattr(f, "name", str(f))


def build_app(service: Service) -> Any:
    """The gr.Blocks page over a service."""
    import gradio as gr

    index, _ = service.current()
    with gr.Blocks(title="rag: Kamerstukken met bronnen", analytics_enabled=False) as app:
        gr.Markdown("## Vragen over Nederlands overheidsbeleid, beantwoord met exacte bronnen")
        with gr.Row():
            with gr.Column(scale=3):
                chat = gr.Chatbot(label="Gesprek", height=460, elem_id="chat")
                question = gr.Textbox(label="Uw vraag", placeholder="Heeft het kabinet …?",
                                      elem_id="question")  # fmt: skip
                ask = gr.Button("Vraag", variant="primary", elem_id="ask")
            with gr.Column(scale=2):
                sources = gr.HTML(label="Bronnen", elem_id="sources")
        with gr.Accordion("Instellingen en filters", open=False):
            mode = gr.Radio(["generate", "quote"], value=service.settings.answer.mode,
                            label="Antwoordmodus")  # fmt: skip
            k = gr.Slider(1, 10, value=service.settings.retrieval.k, step=1, label="Bronnen")
            docs = gr.Dropdown(sorted(index.docs), multiselect=True, label="Documenten")
            kinds = gr.Dropdown(list(KINDS), multiselect=True, label="Soort document")
            start = gr.Textbox(label="Vanaf datum (JJJJ-MM-DD)")
            end = gr.Textbox(label="Tot en met datum (JJJJ-MM-DD)")
        with gr.Accordion("Documenten in de index", open=False):
            corpus = gr.Dataframe(
                value=corpus_rows(index), headers=["document", "soort", "titel", "datum", "units"],
                interactive=False, elem_id="corpus",
            )  # fmt: skip
            files = gr.File(label="Voeg .txt of .pdf toe", file_count="multiple",
                            file_types=list(TYPES), elem_id="upload")  # fmt: skip
            status = gr.Markdown(elem_id="upload-status")
        inputs = [question, chat, mode, k, docs, kinds, start, end]

        def on_ask(*args: Any) -> Iterator[tuple[list, str, str]]:
            yield from respond(service, *args)

        def on_upload(f: list | None, progress: Any = gr.Progress()) -> tuple[str, list]:  # noqa: B008
            return upload(service, f, progress)

        ask.click(on_ask, inputs, [chat, sources, question], api_name="ask")
        question.submit(on_ask, inputs, [chat, sources, question], api_name=False)
        files.upload(on_upload, files, [status, corpus], api_name="upload")
    return app.queue(default_concurrency_limit=CONCURRENCY)


def launch(app: Any, host: str, port: int, share: bool) -> Any:
    """Serve the page (127.0.0.1 unless told otherwise; no share link unless asked)."""
    import gradio as gr

    theme = gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["monospace"])
    return app.launch(
        server_name=host, server_port=port, share=share, prevent_thread_lock=True,
        css=CSS, theme=theme, max_file_size="20mb", footer_links=[], quiet=True,
    )  # fmt: skip
