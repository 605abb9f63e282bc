// Keyboard shortcuts, on every signed-in page (docs/interface.md):
//   j / k   the next / previous post of the stream ([data-post] cards get the focus)
//   r       the focused post's reactions (its first reaction button)
//   c       comment on it (the comment field on its page, else its "Comment" link)
//   /       the page's search field, else the header's search box
//   ?       the list of shortcuts (<dialog data-shortcuts-help>, base.html)
//   Escape  closes that list, or an open menu of the top bar
// Never while typing in a field, nor with Ctrl, Alt or Meta (the browser's own).

const help = document.querySelector("[data-shortcuts-help]");

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || target.closest("input, textarea, select"));
}

function posts() {
  return [...document.querySelectorAll("[data-post]")].filter((card) => !card.closest("[data-post] [data-post]"));
}

function currentPost() {
  return document.activeElement?.closest?.("[data-post]") ?? null;
}

function focusPost(step) {
  const cards = posts();
  if (!cards.length) return;
  const index = cards.indexOf(currentPost());
  const next = index === -1 ? (step > 0 ? 0 : cards.length - 1) : Math.min(cards.length - 1, Math.max(0, index + step));
  const card = cards[next];
  // Focusable by script only: the tab order stays that of its links and buttons.
  if (!card.hasAttribute("tabindex")) card.tabIndex = -1;
  card.focus();
  card.scrollIntoView({ block: "nearest" });
}

function react() {
  currentPost()?.querySelector("form[data-reactions] button:not(:disabled)")?.focus();
}

function comment() {
  const card = currentPost();
  if (!card) return;
  const field = document.querySelector(`#comment-form textarea[data-post-id="${card.dataset.post}"]`);
  if (field) field.focus();
  else card.querySelector('a[href$="#comment-form"]')?.click();
}

function search() {
  const field = document.querySelector('main input[type="search"]') ?? document.querySelector("[data-search-box]");
  if (field) field.focus();
  else location.assign("/search");
}

function showHelp() {
  if (help && !help.open) help.showModal(); // a modal dialog: focus moves in, Escape closes, focus comes back
}

const actions = { j: () => focusPost(1), k: () => focusPost(-1), r: react, c: comment, "/": search, "?": showHelp };

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    document.querySelectorAll(".topbar details[open]").forEach((menu) => {
      menu.open = false;
      if (menu.contains(document.activeElement)) menu.querySelector("summary").focus();
    });
    return;
  }
  if (event.ctrlKey || event.altKey || event.metaKey || event.defaultPrevented || typing(event.target)) return;
  if (help?.open) return;
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
});
