"""The page's components, laid out: the conversation column and the side column (the whole
document, settings and filters, the documents in the index and uploads)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from ui.chat import cold_html
from ui.names import corpus_rows, doc_choices, kind_choices
from ui.render import conversation_html
from ui.upload import TYPES

MODES = [("met model (generate)", "generate"), ("alleen citaat (quote)", "quote")]
DATES = "JJJJ, JJJJ-MM, JJJJ-MM-DD of DD-MM-JJJJ"


def chat_column(gr: Any, c: SimpleNamespace, index: Any, examples: tuple, ask: str) -> None:
    """The conversation, the question box, its buttons, examples and downloads."""
    with gr.Column(scale=3, min_width=320):
        cold = cold_html(index.docs, index.units)
        c.chat = gr.HTML(conversation_html([], index.units, index.docs, cold), elem_id="chat")
        c.question = gr.Textbox(label="Uw vraag", placeholder="Heeft het kabinet …?", lines=2,
                                max_lines=8, elem_id="question")  # fmt: skip
        c.status = gr.HTML("", elem_id="ask-status")
        with gr.Row():
            c.ask = gr.Button(ask, variant="primary", elem_id="ask", scale=3)
            c.clear = gr.Button("Nieuw gesprek", elem_id="new-chat", scale=1)
        gr.Markdown("**Voorbeeldvragen** (één klik):")
        c.examples = [gr.Button(q, size="sm", elem_classes="example") for q in examples]
        with gr.Row():
            c.save_md = gr.DownloadButton("Gesprek als Markdown", elem_id="download-md",
                                          size="sm", interactive=False)  # fmt: skip
            c.save_js = gr.DownloadButton("Gesprek als JSON", elem_id="download-json",
                                          size="sm", interactive=False)  # fmt: skip


def side_column(gr: Any, c: SimpleNamespace, settings: Any, index: Any) -> None:
    """The whole-document view, the settings and filters, the documents and uploads."""
    with gr.Column(scale=2, min_width=320):
        c.docview = gr.HTML("", elem_id="docview")
        c.doc_request = gr.Textbox(elem_classes="rag-hidden", show_label=False)
        c.doc_open = gr.Button("open", elem_id="doc-open", elem_classes="rag-hidden")
        with gr.Accordion("Instellingen en filters", open=False):
            c.mode = gr.Radio(MODES, value=settings.answer.mode, label="Antwoordmodus",
                              elem_id="mode")  # fmt: skip
            c.k = gr.Slider(1, 10, value=settings.retrieval.k, step=1, label="Aantal bronnen")
            c.docs = gr.Dropdown(doc_choices(index.docs), multiselect=True, label="Documenten",
                                 elem_id="filter-docs")  # fmt: skip
            c.kinds = gr.Dropdown(kind_choices(), multiselect=True, label="Soort document",
                                  elem_id="filter-kinds")  # fmt: skip
            c.start = gr.Textbox(label=f"Vanaf datum ({DATES})", elem_id="date-from")
            c.end = gr.Textbox(label=f"Tot en met datum ({DATES})", elem_id="date-to")
        with gr.Accordion("Documenten in de index", open=False):
            c.corpus = gr.Dataframe(value=corpus_rows(index),
                                    headers=["document", "soort", "datum", "delen"],
                                    interactive=False, elem_id="corpus")  # fmt: skip
            c.files = gr.File(label="Voeg .txt of .pdf toe", file_count="multiple",
                              file_types=list(TYPES), elem_id="upload")  # fmt: skip
            c.upload_status = gr.Markdown(elem_id="upload-status")
