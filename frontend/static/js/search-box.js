// The header's search box (base.html): suggestions as one types — people, spaces,
// wiki pages, hashtags — from GET /api/v1/search/suggestions, which gives only
// what the reader may see. An ARIA 1.2 combobox: the focus stays in the field,
// aria-activedescendant names the option chosen in the listbox, whose options
// are grouped by kind. ↓ / ↑ move (from the field: the first / the last), Enter
// opens the chosen suggestion (none chosen: the results page, the form's own
// submit), Escape closes the list (closed: empties the field); a click opens one.
import { api } from "./app.js";

const DELAY_MS = 150;
const GROUPS = ["people", "spaces", "pages", "hashtags"];

const field = document.querySelector("[data-search-box]");
const list = field && document.getElementById(field.getAttribute("aria-controls"));

// A person without a photo: their initials on their colour, as _avatar.html does.
function avatarOf(person) {
  if (person.avatar_url) {
    const image = document.createElement("img");
    Object.assign(image, { src: person.avatar_url, alt: "", width: 24, height: 24, className: "avatar" });
    return image;
  }
  const circle = document.createElement("span");
  const words = person.title.split(/\s+/).filter((word) => /^[\p{L}\p{N}]/u.test(word));
  circle.textContent = words.length ? (words[0][0] + (words.length > 1 ? words.at(-1)[0] : "")).toUpperCase() : "?";
  circle.className = `avatar avatar-hue-${person.id % 10}`;
  circle.setAttribute("aria-hidden", "true");
  return circle;
}

function suggestionsOf(found) {
  return {
    people: found.people.map((person) => ({ ...person, label: person.title, face: avatarOf(person) })),
    spaces: found.spaces.map((space) => ({ ...space, label: space.title })),
    pages: found.pages.map((page) => ({ ...page, label: page.title })),
    hashtags: found.hashtags.map((tag) => ({ label: `#${tag}`, url: `/hashtags/${encodeURIComponent(tag)}` })),
  };
}

function setUp() {
  let timer = null;
  let pending = null; // the AbortController of the request in flight
  let options = []; // [{ element, url }] in the order shown
  let active = -1;

  function choose(index) {
    active = index;
    options.forEach(({ element }, position) => element.setAttribute("aria-selected", String(position === index)));
    if (index >= 0) {
      field.setAttribute("aria-activedescendant", options[index].element.id);
      options[index].element.scrollIntoView({ block: "nearest" });
    } else field.removeAttribute("aria-activedescendant");
  }

  function close() {
    list.hidden = true;
    list.replaceChildren();
    options = [];
    active = -1;
    field.setAttribute("aria-expanded", "false");
    field.removeAttribute("aria-activedescendant");
  }

  function open(index) {
    location.assign(options[index].url);
  }

  function show(found) {
    const groups = suggestionsOf(found);
    options = [];
    list.replaceChildren(
      ...GROUPS.filter((name) => groups[name].length).map((name) => {
        const group = document.createElement("div");
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", list.dataset[name]);
        const heading = document.createElement("div");
        heading.className = "suggestions-group muted small";
        heading.setAttribute("aria-hidden", "true");
        heading.textContent = list.dataset[name];
        group.append(heading);
        for (const item of groups[name]) {
          const index = options.length;
          const option = document.createElement("div");
          option.id = `${list.id}-${index}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.dataset.suggestion = item.url;
          if (item.face) option.append(item.face, " ");
          option.append(item.label);
          // Before the field loses the focus to the click.
          option.addEventListener("mousedown", (event) => {
            event.preventDefault();
            open(index);
          });
          group.append(option);
          options.push({ element: option, url: item.url });
        }
        return group;
      }),
    );
    if (!options.length) return close();
    list.hidden = false;
    field.setAttribute("aria-expanded", "true");
    choose(-1);
  }

  async function refresh(text) {
    pending?.abort();
    pending = new AbortController();
    const { signal } = pending;
    try {
      const found = await api(`/search/suggestions?${new URLSearchParams({ q: text })}`, { signal });
      if (!signal.aborted) show(found);
    } catch {
      if (!signal.aborted) close(); // a refused text (too long…) or the network: no list
    }
  }

  field.addEventListener("input", () => {
    clearTimeout(timer);
    pending?.abort();
    const text = field.value.trim();
    if (!text) return close();
    timer = setTimeout(() => refresh(text), DELAY_MS);
  });
  field.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (!list.hidden) close();
      else field.value = "";
      event.preventDefault();
      return;
    }
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      const start = active === -1 ? (step > 0 ? -1 : options.length) : active;
      choose((start + step + options.length) % options.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      open(active);
    }
  });
  field.addEventListener("blur", () => {
    clearTimeout(timer);
    pending?.abort();
    close();
  });
}

if (field && list) setUp();
