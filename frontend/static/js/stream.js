// The stream's pages, enhanced: every form works without this module; with it,
// the composer opens in place and shows what each choice implies, files are
// uploaded as they are picked, pasted or dropped (attach.js), "@" and "#" offer
// suggestions (suggest.js), and reactions toggle in place.
import { act, api } from "./app.js";
import { setUpAttachments } from "./attach.js";
import { setUpSuggestions } from "./suggest.js";

// --- the composer ----------------------------------------------------------------

function setUpComposer(form) {
  const picker = form.querySelector("[data-place-picker]");
  const fixed = form.querySelector("input[data-place]");
  const levels = form.querySelector("[data-level-picker]");
  const kinds = form.querySelector("[data-kind-picker]");
  const warning = form.querySelector("[data-external-warning]");
  const announcement = form.querySelector("[data-kind-announcement]");
  const place = () => (picker ? picker.selectedOptions[0] : fixed);

  function update() {
    const current = place();
    // External accounts read what is public in the company stream and in the
    // spaces open to them: the author is reminded of their duty of discretion.
    if (warning) {
      warning.hidden = !(levels?.value === "public" && current?.dataset.externals === "true");
    }
    if (announcement) {
      const allowed = current?.dataset.announce === "true";
      announcement.hidden = !allowed;
      announcement.disabled = !allowed;
      if (!allowed && announcement.selected) kinds.value = "ordinary";
    }
  }

  picker?.addEventListener("change", () => {
    // A new place proposes its own default level.
    const level = place().dataset.defaultLevel;
    if (levels && [...levels.options].some((option) => option.value === level)) levels.value = level;
    update();
  });
  form.addEventListener("change", update);
  // Opened once, it stays open: the menus must not slip away under the pointer.
  form.addEventListener("focusin", () => form.classList.add("is-open"));
  form.addEventListener("dragenter", () => form.classList.add("is-open"));
  const offset = form.querySelector("[data-timezone-offset]");
  if (offset) offset.value = String(new Date().getTimezoneOffset());
  update();
}

document.querySelectorAll("form[data-composer]").forEach(setUpComposer);
document.querySelectorAll("form[data-attach]").forEach(setUpAttachments);
document.querySelectorAll("textarea[data-suggest]").forEach(setUpSuggestions);

// --- reactions: the API instead of a page load -----------------------------------
// Shown at once, put back if the server refuses or cannot be reached (act()).

function showReaction(button, kind, on, count) {
  count.textContent = String(Math.max(0, Number(count.textContent) + (on ? 1 : -1)));
  button.setAttribute("aria-pressed", on ? "true" : "false");
  button.value = `${kind}:${on ? "off" : "on"}`;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.reactions) return;
  const button = event.submitter;
  if (!button?.value) return;
  event.preventDefault();
  const [kind, state] = button.value.split(":");
  const on = state === "on";
  const count = button.querySelector("[data-count]");
  // The live feed may set the count while the call is under way: the reader's
  // own change is counted once, here, and undone by the opposite step.
  showReaction(button, kind, on, count);
  act(button, () => api(`${form.dataset.reactions}/reactions/${kind}`, { method: on ? "PUT" : "DELETE" }), {
    error: form.querySelector("[data-reaction-error]"),
    rollback: () => showReaction(button, kind, !on, count),
  });
});
