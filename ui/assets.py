"""The page's CSS and its one script (event delegation for [n] links, copy buttons and the
whole-document buttons; nothing in it reads document text as markup)."""

from __future__ import annotations

CSS = """
#chat {max-height: 70vh; overflow-y: auto !important; padding-right: 4px}
.turn {border-bottom: 1px solid #ddd; padding: 10px 0}
.user-q {font-weight: 600; margin-bottom: 4px}
.user-q .who {color: #666; font-weight: 400; font-size: 0.85em; margin-right: 4px}
.context-note {color: #555; font-size: 0.85em; font-style: italic; margin-bottom: 4px}
.answer {white-space: normal; line-height: 1.45; margin: 6px 0}
.answer a.cite {font-weight: 600; text-decoration: none}
.answer.not-in-corpus {border: 2px solid #c0392b; border-radius: 6px; padding: 8px}
.answer.not-in-corpus .why {color: #7b241c; margin-top: 4px}
.answer.error {border: 2px solid #b9770e; border-radius: 6px; padding: 8px}
.model-note {color: #777; font-size: 0.85em}
.turn-tools button, .source-card button {font-size: 0.8em; margin: 2px 6px 2px 0;
  padding: 2px 8px; border: 1px solid #aaa; border-radius: 4px; background: #f6f6f6}
.sources {margin-top: 6px}
.source-card {border: 1px solid #ccc; border-radius: 6px; padding: 8px; margin-bottom: 8px}
.source-card.flash, .source-card:target {outline: 3px solid #f1c40f}
.source-card .address {font-weight: 600; margin: 4px 0}
.source-card mark, .docview mark {background: #fff3a3}
.source-card .meta {color: #555; font-size: 0.85em}
.cold h3 {margin-top: 0}
.cold li {margin: 2px 0}
#docview {position: sticky; top: 8px; max-height: 90vh; overflow-y: auto !important}
.docview section.unit {border-left: 3px solid transparent; padding-left: 8px}
.docview section.cited {border-left-color: #f1c40f; background: #fffdf0}
.docview .notes {font-size: 0.85em; color: #555}
.docview-head {position: sticky; top: 0; z-index: 1; padding-bottom: 4px;
  background: var(--background-fill-primary, #fff); border-bottom: 1px solid #ddd}
#ask-status:empty {display: none}
.ask-msg {color: #7b241c; font-weight: 600}
.rag-hidden {display: none !important}
@media (max-width: 640px) { #chat {max-height: none; overflow-y: visible !important} }
"""

JS = """
() => {
  const flash = (el) => {
    el.classList.add('flash');
    setTimeout(() => el.classList.remove('flash'), 1500);
  };
  const copy = async (text) => {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) {}
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    const ok = document.execCommand('copy'); area.remove(); return ok;
  };
  // a new question: bring its turn to the top of the conversation (inside the scrolling
  // conversation on a wide screen, the page itself on a phone)
  let turns = 0, pin = null;
  const follow = () => {
    const box = document.getElementById('chat');
    if (!box) { setTimeout(follow, 200); return; }
    window.ragFollow = true;
    new MutationObserver(() => {
      const all = box.querySelectorAll('.turn');
      if (all.length > turns) pin = all[all.length - 1].id;
      turns = all.length;
      const turn = pin && document.getElementById(pin);
      if (!turn) return;
      if (getComputedStyle(box).overflowY === 'auto') {
        box.scrollTop += turn.getBoundingClientRect().top - box.getBoundingClientRect().top;
      } else {
        turn.scrollIntoView({block: 'start'});
      }
      if (turn.querySelector('.turn-tools')) pin = null;  // final: the reader takes over
    }).observe(box, {childList: true, subtree: true, characterData: true});
  };
  follow();
  document.addEventListener('click', async (event) => {
    const cite = event.target.closest('a.cite');
    if (cite) {
      event.preventDefault();
      const card = document.getElementById(`src-${cite.dataset.turn}-${cite.dataset.n}`);
      if (card) { card.scrollIntoView({block: 'nearest'}); flash(card); }
      return;
    }
    const button = event.target.closest('button.copy');
    if (button) {
      const src = document.getElementById(`copy-${button.dataset.copy}-${button.dataset.turn}`);
      const ok = src && await copy(src.textContent);
      window.ragCopied = src ? src.textContent : null;
      const label = button.textContent;
      button.textContent = ok ? 'Gekopieerd' : 'Kopiëren lukte niet';
      setTimeout(() => { button.textContent = label; }, 1500);
      return;
    }
    const whole = event.target.closest('button.whole-doc');
    if (whole) {
      window.ragDocRequest = `${whole.dataset.turn}|${whole.dataset.n}`;
      document.querySelector('#doc-open').click();
    }
  });
}
"""

# after the whole document is shown: bring the panel into view and scroll inside it (not the
# page) to the cited part
SHOW_CITED = """
() => {
  const box = document.getElementById('docview');
  const cited = document.getElementById('docview-cited');
  if (!box || !cited) return;
  box.scrollIntoView({block: 'nearest'});
  const head = box.querySelector('.docview-head');
  const below = (head ? head.offsetHeight : 0) + 8;  // the sticky heading stays on top
  box.scrollTop += cited.getBoundingClientRect().top - box.getBoundingClientRect().top - below;
}
"""
