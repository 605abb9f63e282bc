// The stream's pages, enhanced: every form works without this module; with it,
// the composer shows what each choice implies and reactions toggle in place.
import { api } from "./app.js";

// --- the composer ----------------------------------------------------------------

function setUpComposer(form) {
  const picker = form.querySelector("[data-place-picker]");
  const fixed = form.querySelector("input[data-place]");
  const warning = form.querySelector("[data-external-warning]");
  const pollFields = form.querySelector("[data-poll-fields]");
  const announcement = form.querySelector("[data-kind-announcement]");
  const place = () => (picker ? picker.selectedOptions[0] : fixed);
  const checked = (name) => form.querySelector(`input[name="${name}"]:checked`);

  function update() {
    const current = place();
    // External accounts read what is public in the company stream and in the
    // spaces open to them: the author is reminded of their duty of discretion.
    if (warning) {
      warning.hidden = !(checked("level")?.value === "public" && current?.dataset.externals === "true");
    }
    if (announcement) {
      const allowed = current?.dataset.announce === "true";
      const radio = announcement.querySelector("input");
      announcement.hidden = !allowed;
      radio.disabled = !allowed;
      if (!allowed && radio.checked) form.querySelector('input[name="kind"][value="ordinary"]').checked = true;
    }
    if (pollFields) pollFields.hidden = checked("kind")?.value !== "poll";
  }

  picker?.addEventListener("change", () => {
    // A new place proposes its own default level.
    const level = form.querySelector(`input[name="level"][value="${place().dataset.defaultLevel}"]`);
    if (level) level.checked = true;
    update();
  });
  form.addEventListener("change", update);
  const offset = form.querySelector("[data-timezone-offset]");
  if (offset) offset.value = String(new Date().getTimezoneOffset());
  update();
}

document.querySelectorAll("form[data-composer]").forEach(setUpComposer);

// --- reactions: the API instead of a page load -----------------------------------

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.reactions) return;
  const button = event.submitter;
  if (!button?.value) return;
  event.preventDefault();
  const [kind, state] = button.value.split(":");
  const on = state === "on";
  const error = form.querySelector("[data-reaction-error]");
  button.disabled = true;
  try {
    const count = button.querySelector("[data-count]");
    // Counted from the value before the call: the live feed may set the new
    // count while the call is under way, and must not be counted twice.
    const before = Number(count.textContent);
    await api(`${form.dataset.reactions}/reactions/${kind}`, { method: on ? "PUT" : "DELETE" });
    count.textContent = String(Math.max(0, before + (on ? 1 : -1)));
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.value = `${kind}:${on ? "off" : "on"}`;
    if (error) error.hidden = true;
  } catch (failure) {
    if (error) {
      error.textContent = failure.message;
      error.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
});
