// The wiki's pages, enhanced: every form works without this module (the editor's
// Preview button renders on the server); with it, the preview follows the text as
// it is typed, through POST /api/v1/wiki/preview, and times read in local time.
import { api } from "./app.js";

const PREVIEW_DELAY_MS = 400;

function setUpEditor(form) {
  const body = form.querySelector("[data-wiki-body]");
  const preview = form.querySelector("[data-wiki-preview]");
  const failure = form.querySelector("[data-wiki-preview-error]");
  const button = form.querySelector("[data-wiki-preview-button]");
  if (!body || !preview) return;
  const spaceId = form.dataset.spaceId ? Number(form.dataset.spaceId) : null;
  let timer = null;
  let asked = 0;

  async function refresh() {
    const ticket = ++asked;
    try {
      const { html } = await api("/wiki/preview", {
        method: "POST",
        body: { space_id: spaceId, body: body.value },
      });
      if (ticket !== asked) return; // a newer text is on its way
      // Sanitised by the server (nh3), as every rendered page is.
      preview.innerHTML = html;
      if (failure) failure.hidden = true;
    } catch (error) {
      if (ticket !== asked || !failure) return;
      failure.textContent = error.message;
      failure.hidden = false;
    }
  }

  body.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  });
  button?.addEventListener("click", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
  refresh();
}

document.querySelectorAll("form[data-wiki-editor]").forEach(setUpEditor);
