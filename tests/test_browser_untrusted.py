"""Untrusted text is inert everywhere the page shows it (issue 16), proved in headless
Chromium: a document with Markdown images and links, raw HTML and <script> is uploaded
through the page (with progress in passages and a place in the document filter at once),
asked about and opened whole; a listener on 127.0.0.1 that the document points at counts
zero requests, the browser sends nothing to any host but the app, and no link from the
document is live."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from index_helpers import copy_index
from test_browser_ui import ARGS, CHROMIUM, TIMEOUT, ask, start_ui, wait_turn

pytestmark = [pytest.mark.slow, pytest.mark.browser]
HOSTILE = """Brief over de pandaberen van Ouwehands Dierenpark

Het kabinet heeft in 2019 twee pandaberen uit China geleend voor Ouwehands Dierenpark in Rhenen ![panda](http://127.0.0.1:{port}/md-image.png) volgens [de bron](http://127.0.0.1:{port}/md-link) en <a href="http://127.0.0.1:{port}/html-link">deze pagina</a>.

De pandaberen kosten Ouwehands Dierenpark jaarlijks een miljoen euro <img src="http://127.0.0.1:{port}/html-img.png"> <script>fetch("http://127.0.0.1:{port}/script");window.__pwned=1</script> aan huur <iframe src="http://127.0.0.1:{port}/frame"></iframe> <http://127.0.0.1:{port}/autolink> [ref]: http://127.0.0.1:{port}/ref
Een sjabloon ${{window.__pwned=3}} en {{{{constructor.constructor('window.__pwned=4')()}}}} blijft tekst.
"""  # noqa: E501


class Counter(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        Counter.hits.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def listener():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium is not installed (scripts/test.sh installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app_url(shipped_index: Path, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("untrusted")
    index = copy_index(shipped_index, root / "index")
    settings = root / "settings.toml"
    settings.write_text('[answer]\nmode = "quote"\n', encoding="utf-8")
    proc, url = start_ui(index, settings)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_hostile_document_cannot_make_the_page_fetch_or_link(browser, app_url, listener,
                                                               tmp_path):  # fmt: skip
    hostile = tmp_path / "920_panda.txt"
    hostile.write_text(HOSTILE.format(port=listener), encoding="utf-8")
    app = urlsplit(app_url).netloc
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: None if urlsplit(r.url).netloc == app or r.url.startswith(
        ("data:", "blob:")) else elsewhere.append(r.url))  # fmt: skip
    page.goto(app_url, wait_until="networkidle")
    page.get_by_text("Documenten in de index").click()
    page.set_input_files("#upload input[type=file]", str(hostile))
    page.wait_for_function(
        "document.querySelector('#upload-status').innerText.includes('Toegevoegd')",
        timeout=TIMEOUT,
    )
    assert "Brief over de pandaberen" in page.inner_text("#corpus")  # by title, at once
    page.get_by_text("Instellingen en filters").click()
    page.click("#filter-docs input")
    options = page.inner_text("body")
    assert "Brief over de pandaberen" in options  # the filter offers it at once
    page.keyboard.press("Escape")
    ask(page, "Hoeveel kosten de pandaberen van Ouwehands Dierenpark per jaar?")
    wait_turn(page, 1)
    text = page.inner_text("#turn-1")
    assert "pandaberen" in text and "miljoen euro" in text
    page.click("#src-1-1 button.whole-doc")
    page.wait_for_selector("#docview #docview-cited", timeout=TIMEOUT)
    page.wait_for_timeout(1500)
    shown = page.inner_text("#chat") + page.inner_text("#docview")
    assert "![panda](http://127.0.0.1:" in shown and "<script>" in shown  # shown as text
    assert "${window.__pwned=3}" in page.inner_text("#docview")  # no template evaluation
    live = page.eval_on_selector_all(
        "#chat a[href], #docview a[href], #corpus a[href], #upload-status a[href]",
        "els => els.map(e => e.getAttribute('href'))",
    )
    assert live and all(h.startswith("#src-") for h in live), live
    assert page.locator(f'a[href*="127.0.0.1:{listener}"]').count() == 0
    assert page.locator("#chat img, #docview img, #chat iframe, #docview iframe").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert Counter.hits == [] and elsewhere == [], (Counter.hits, elsewhere)
    context.close()
