// Suggestions while writing, in a textarea[data-suggest]: after "@", people who may
// read what is being written and whom the writer may know of
// (GET /api/v1/mentions/suggestions: the composer's place and level as chosen so
// far, or, in a comment box, data-post-id); after "#", hashtags carried by posts
// the writer may read (GET /api/v1/hashtags/suggestions). The server decides who
// and what may be suggested; this module only shows it.
// Arrow keys move, Enter or Tab picks, Escape closes; a click picks too.
import { api } from "./app.js";

const DELAY_MS = 150;
// What is being typed: "@" or "#" at the start or after a space or a bracket,
// then letters, digits, "_", "." or "-" up to the caret.
const TYPED = /(?:^|[\s(])([@#])([\p{L}\p{N}_.-]{0,50})$/u;
let lists = 0;

function contextOf(textarea) {
  if (textarea.dataset.postId) return { post_id: textarea.dataset.postId };
  const form = textarea.form;
  const context = {};
  const place = form?.elements.space_id?.value;
  if (place) context.space_id = place;
  const level = form?.elements.level?.value;
  if (level) context.level = level;
  return context;
}

async function suggestionsFor(textarea, sign, typed) {
  if (sign === "#") {
    const tags = await api(`/hashtags/suggestions?${new URLSearchParams({ q: typed })}`);
    return tags.map((tag) => ({ insert: `#${tag.name}`, label: `#${tag.name}`, detail: "" }));
  }
  const query = new URLSearchParams({ q: typed, ...contextOf(textarea) });
  const people = await api(`/mentions/suggestions?${query}`);
  return people.map((person) => ({
    insert: `@${person.handle}`,
    label: person.display_name,
    detail: `@${person.handle}`,
  }));
}

export function setUpSuggestions(textarea) {
  lists += 1;
  const list = document.createElement("ul");
  list.id = `suggestions-${lists}`;
  list.className = "suggestions plain-list";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  textarea.insertAdjacentElement("afterend", list);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", list.id);

  let timer = null;
  let asked = 0;
  let items = [];
  let active = -1;
  let typing = null; // { sign, typed, start }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    items = [];
    active = -1;
    textarea.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    [...list.children].forEach((option, position) => {
      option.setAttribute("aria-selected", position === index ? "true" : "false");
    });
    if (index >= 0) textarea.setAttribute("aria-activedescendant", list.children[index].id);
  }

  function pick(index) {
    const item = items[index];
    if (!item || !typing) return;
    const end = textarea.selectionStart;
    const before = textarea.value.slice(0, typing.start);
    const after = textarea.value.slice(end);
    const inserted = `${item.insert} `;
    textarea.value = `${before}${inserted}${after.replace(/^ /, "")}`;
    const caret = before.length + inserted.length;
    textarea.setSelectionRange(caret, caret);
    textarea.focus();
    close();
  }

  function show(found) {
    items = found;
    list.replaceChildren(
      ...found.map((item, index) => {
        const option = document.createElement("li");
        option.id = `${list.id}-${index}`;
        option.setAttribute("role", "option");
        const label = document.createElement("strong");
        label.textContent = item.label;
        option.append(label);
        if (item.detail) {
          const detail = document.createElement("span");
          detail.className = "muted";
          detail.textContent = ` ${item.detail}`;
          option.append(detail);
        }
        // Before the textarea loses the focus to the click.
        option.addEventListener("mousedown", (event) => {
          event.preventDefault();
          pick(index);
        });
        return option;
      }),
    );
    list.hidden = found.length === 0;
    highlight(found.length ? 0 : -1);
  }

  async function refresh() {
    const ticket = ++asked;
    const found = await suggestionsFor(textarea, typing.sign, typing.typed).catch(() => []);
    if (ticket === asked && typing) show(found);
  }

  textarea.addEventListener("input", () => {
    const match = TYPED.exec(textarea.value.slice(0, textarea.selectionStart));
    clearTimeout(timer);
    if (!match) {
      typing = null;
      asked += 1;
      close();
      return;
    }
    const [, sign, typed] = match;
    typing = { sign, typed, start: textarea.selectionStart - typed.length - 1 };
    timer = setTimeout(refresh, DELAY_MS);
  });
  textarea.addEventListener("keydown", (event) => {
    if (list.hidden || !items.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + items.length) % items.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  textarea.addEventListener("blur", () => setTimeout(close, 100));
}
