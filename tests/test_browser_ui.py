"""The chat page a journalist keeps open, driven in headless Chromium on the shipped corpus:
a cold page that explains itself, sources at once, each answer's [n] on its own card,
follow-ups decided on evidence and shown, answers to take away (copy, download, reload,
the whole document), dates checked in Dutch, the phone layout. The screenshots in docs/
come from these tests (quote mode; one generate-mode test for cards before the model)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from index_helpers import copy_index

from rag.settings import REPO

pytestmark = [pytest.mark.slow, pytest.mark.browser]
CHROMIUM = shutil.which("chromium")
DOCS = REPO / "docs"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
        "--disable-component-update", "--disable-sync", "--disable-quic"]  # fmt: skip
BGI = "Heeft het kabinet testkits van BGI gekocht?"
TIMEOUT = 120_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_ui(index: Path, settings: Path) -> tuple[subprocess.Popen, str]:
    """`rag ui` on a free port over an index; the process and its URL."""
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False"}
    cmd = [sys.executable, "-m", "rag", "--settings", str(settings), "ui", "--port", str(port),
           "--index", str(index), "--json"]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env,
                            text=True)  # fmt: skip
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise AssertionError("rag ui exited before listening")
    return proc, json.loads(line)["url"]


@pytest.fixture(scope="module")
def app_url(shipped_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """The page over a private copy of the shipped index, quote mode by default."""
    root = tmp_path_factory.mktemp("browser")
    index = copy_index(shipped_index, root / "index")
    settings = root / "settings.toml"
    settings.write_text('[answer]\nmode = "quote"\n', encoding="utf-8")
    proc, url = start_ui(index, settings)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("chromium is not installed (scripts/test.sh installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url.rstrip("/"))
    page = context.new_page()
    page.goto(app_url, wait_until="networkidle")
    yield page
    context.close()


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask")


def wait_turn(page, t: int) -> None:
    """Until answer t is final (its take-away buttons appear)."""
    page.wait_for_selector(f"#turn-{t} .turn-tools", timeout=TIMEOUT)


def shot(page, name: str) -> None:
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / name), full_page=False)


def test_cold_page_says_what_the_corpus_holds_and_an_example_answers_in_one_click(page):
    cold = page.inner_text("#cold")
    assert "5 documenten" in cold and "antwoorden op Kamervragen" in cold
    assert "van 4 februari 2020 tot en met 7 juni 2022" in cold  # the range, from the index
    assert "Kamerstuk 32 735" in cold  # documents by address, never by internal key
    assert "000_ba7fe8d28f285051" not in page.inner_text("body")
    shot(page, "ui-cold.png")
    examples = page.locator("button.example")
    assert examples.count() >= 3
    examples.first.click()
    wait_turn(page, 1)
    assert page.locator("#turn-1 .source-card").count() >= 1
    assert "«" in page.inner_text("#turn-1 .answer")


def test_each_answers_marker_opens_its_own_card_and_the_box_keeps_new_typing(page):
    ask(page, BGI)
    wait_turn(page, 1)
    assert "Vraag 8 / Antwoord 8" in page.inner_text("#sources-1")
    shot(page, "ui-answer.png")
    ask(page, "Is de Utrechtse delegatie in China gehackt?")
    wait_turn(page, 2)
    first = page.locator("#turn-1 a.cite").first
    assert first.get_attribute("href") == "#src-1-1"
    first.click()
    flashed = page.locator(".source-card.flash")
    assert flashed.count() == 1 and flashed.get_attribute("id") == "src-1-1"
    assert "Vraag 8" in flashed.inner_text()
    assert page.locator("#turn-2 a.cite").first.get_attribute("href") == "#src-2-1"
    assert page.input_value("#question textarea") == ""


def test_a_follow_up_is_read_with_the_earlier_question_and_says_so(page):
    ask(page, BGI)
    wait_turn(page, 1)
    ask(page, "En wat deed het RIVM ermee?")  # elliptic: read with the question before it
    wait_turn(page, 2)
    assert page.inner_text("#turn-2 .context-note") == f"gelezen samen met: «{BGI}»"
    page.locator("#turn-2").scroll_into_view_if_needed()
    shot(page, "ui-follow-up.png")
    ask(page, "Gebruikt de NVWA Chinese drones?")  # short, but a question of its own
    wait_turn(page, 3)
    assert page.locator("#turn-3 .context-note").count() == 0


def test_generate_mode_shows_cards_before_the_model_and_a_press_meanwhile_waits(page):
    open_filters(page)
    page.get_by_label("met model (generate)").check()
    ask(page, BGI)
    page.wait_for_selector("#turn-1 .source-card", timeout=TIMEOUT)
    # the quote's [1] follows the card (the card goes out before the sentences are chosen)
    page.wait_for_selector('#turn-1 a.cite[href="#src-1-1"]', timeout=TIMEOUT)
    # card and quote are there while the model still writes: the answer is not final yet
    assert page.locator("#turn-1 .turn-tools").count() == 0
    assert page.locator("#turn-1 .model-note").count() == 1
    typed = "Is de Utrechtse delegatie in China gehackt?"
    page.fill("#question textarea", typed)
    page.click("#ask")
    assert "wacht op zijn beurt" in page.inner_text("#ask")
    assert page.input_value("#question textarea") == typed  # nothing typed is lost
    wait_turn(page, 1)
    wait_turn(page, 2)  # and it ran after the first answer
    assert typed in page.inner_text("#turn-2 .user-q")
    assert "Vraag 8 / Antwoord 8" in page.inner_text("#sources-1")


def test_answers_can_be_copied_downloaded_reloaded_and_read_in_their_document(page):
    ask(page, BGI)
    wait_turn(page, 1)
    page.click('#turn-1 button.copy[data-copy="text"]')
    page.wait_for_function("window.ragCopied !== undefined")
    text = page.evaluate("navigator.clipboard.readText()")
    address = page.inner_text("#src-1-1 .address")
    assert address in text and "Bronnen:" in text and "#src" not in text and "[1]" in text
    page.click('#turn-1 button.copy[data-copy="md"]')
    page.wait_for_function("document.querySelector('#turn-1 button.copy').innerText")
    page.wait_for_timeout(300)
    md = page.evaluate("navigator.clipboard.readText()")
    assert f"**[1] {address}**" in md and BGI in md
    with page.expect_download() as got:
        page.click("#download-md")
    assert address in Path(got.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as got:
        page.click("#download-json")
    data = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert data["turns"][0]["citations"][0]["address"] == address
    page.click("#src-1-1 button.whole-doc")
    page.wait_for_selector("#docview #docview-cited mark", timeout=TIMEOUT)
    view = page.inner_text("#docview")
    assert "Vraag 1" in view and "Vraag 112" in view  # the whole document, not the unit
    page.wait_for_timeout(1600)  # the copy buttons have their labels back
    shot(page, "ui-document.png")
    page.reload(wait_until="networkidle")
    page.wait_for_selector("#turn-1 .source-card", timeout=TIMEOUT)
    assert BGI in page.inner_text("#turn-1 .user-q")


def open_filters(page) -> None:
    page.get_by_text("Instellingen en filters").click()
    page.wait_for_selector("#date-from textarea, #date-from input")


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("gisteren", "", "geen datum"), ("", "2021-13-45", "geen datum"),
     ("2022", "2021", "ligt na de einddatum")],
)  # fmt: skip
def test_wrong_dates_get_a_dutch_message_and_the_question_stays(page, start, end, message):
    open_filters(page)
    page.locator("#date-from textarea, #date-from input").first.fill(start)
    page.locator("#date-to textarea, #date-to input").first.fill(end)
    ask(page, BGI)
    page.wait_for_selector("#ask-status .ask-msg", timeout=TIMEOUT)
    status = page.inner_text("#ask-status .ask-msg")
    assert message in status and page.locator("#chat .turn").count() == 0
    assert page.input_value("#question textarea") == BGI


def test_a_refusal_under_a_filter_says_the_filter_may_be_the_cause(page):
    open_filters(page)
    page.locator("#date-to textarea, #date-to input").first.fill("2019")
    ask(page, BGI)
    wait_turn(page, 1)
    assert "Niet in het corpus" in page.inner_text("#turn-1")
    why = page.inner_text("#turn-1 .answer")
    assert "filter" in why and "periode het begin tot en met 31 december 2019" in why


def test_phone_layout(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(app_url, wait_until="networkidle")
    ask(page, BGI)
    wait_turn(page, 1)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400  # nothing wider than the phone
    page.locator("#turn-1").scroll_into_view_if_needed()
    shot(page, "ui-phone.png")
    context.close()
