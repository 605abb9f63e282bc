// The wiki's pages, enhanced: every form works without this module (the editor's
// Preview button renders on the server, its file input sends files with the
// form); with it, the preview follows the text as it is typed, through POST
// /api/v1/wiki/preview, a file pasted or dropped into the text, or picked in the
// file input, is sent at once with its progress shown (and named in the text
// where it was pasted), and times read in local time.
import { api } from "./app.js";
import { freeName, uploadFile } from "./uploads.js";

const PREVIEW_DELAY_MS = 400;
const ESCAPES = { "(": "%28", ")": "%29" };

// How the text names a file: an image is shown, any other file linked.
function reference(file) {
  const label = file.name.replace(/[[\]\\]/g, "\\$&");
  const target = file.name.replace(/[\s()<>\\%]/g, (char) => ESCAPES[char] ?? encodeURIComponent(char));
  return `${file.inline ? "!" : ""}[${label}](attachment:${target})`;
}

// The editor's files: those the page shows, and the uploads to attach on save
// (hidden ``attachments`` fields the form sends with it).
function setUpAttachments(form, body, changed) {
  const box = form.querySelector("[data-wiki-attachments]");
  if (!box) return;
  const list = box.querySelector("[data-wiki-file-list]");
  const uploads = box.querySelector("[data-wiki-uploads]");
  const input = box.querySelector("[data-wiki-file-input]");
  const uploadRow = box.querySelector("template[data-wiki-upload-row]");
  const pendingRow = box.querySelector("template[data-wiki-pending-row]");
  const buttons = form.querySelectorAll('button[type="submit"]');
  const maxBytes = Number(box.dataset.maxBytes);
  const sending = new Set();

  // Names the page will show after the save, and those on their way.
  function namesInUse() {
    const shown = [...list.querySelectorAll("li[data-file-name]")]
      .filter((item) => !item.querySelector('input[name="remove_attachments"]:checked'))
      .map((item) => item.dataset.fileName);
    return new Set([...shown, ...sending]);
  }

  function busy() {
    // A save before the files arrive would leave them out.
    buttons.forEach((button) => { button.disabled = sending.size > 0; });
  }

  function attached(file) {
    const item = pendingRow.content.firstElementChild.cloneNode(true);
    item.dataset.fileName = file.name;
    item.querySelector('input[name="attachments"]').value = String(file.id);
    const link = item.querySelector("[data-file-link]");
    link.href = file.url;
    link.textContent = file.name;
    list.append(item);
    list.hidden = false;
  }

  async function send(original, { named }) {
    // A pasted image is always "image.png": each gets a name of its own.
    const name = named ? freeName(original.name || "image.png", namesInUse()) : original.name;
    const file = name === original.name ? original : new File([original], name, { type: original.type });
    const row = uploadRow.content.firstElementChild.cloneNode(true);
    const progress = row.querySelector("progress");
    const status = row.querySelector("[data-upload-status]");
    row.querySelector("[data-upload-name]").textContent = name;
    uploads.append(row);
    if (file.size > maxBytes) {
      progress.remove();
      row.classList.add("refused");
      status.textContent = box.dataset.tooLarge;
      return;
    }
    sending.add(name);
    busy();
    try {
      const stored = await uploadFile(file, {
        onProgress: (done) => { progress.value = Math.round(done * 100); },
      });
      row.remove();
      attached(stored);
      if (named) {
        body.setRangeText(reference(stored), body.selectionStart, body.selectionEnd, "end");
      }
      changed();
    } catch (error) {
      progress.remove();
      row.classList.add("refused");
      status.textContent = error.message || box.dataset.uploadFailed;
    } finally {
      sending.delete(name);
      busy();
    }
  }

  function sendAll(files, options) {
    [...files].forEach((file) => send(file, options));
  }

  body.addEventListener("paste", (event) => {
    const files = event.clipboardData?.files;
    if (!files?.length) return;
    event.preventDefault();
    sendAll(files, { named: true });
  });
  body.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes("Files")) event.preventDefault();
  });
  body.addEventListener("drop", (event) => {
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    event.preventDefault();
    sendAll(files, { named: true });
  });
  input?.addEventListener("change", () => {
    sendAll(input.files, { named: false });
    input.value = "";
  });
  list.addEventListener("change", changed);
}

function setUpEditor(form) {
  const body = form.querySelector("[data-wiki-body]");
  const preview = form.querySelector("[data-wiki-preview]");
  const failure = form.querySelector("[data-wiki-preview-error]");
  const button = form.querySelector("[data-wiki-preview-button]");
  if (!body || !preview) return;
  const spaceId = form.dataset.spaceId ? Number(form.dataset.spaceId) : null;
  const pageId = form.dataset.pageId ? Number(form.dataset.pageId) : null;
  const values = (selector) => [...form.querySelectorAll(selector)].map((field) => Number(field.value));
  let timer = null;
  let asked = 0;

  async function refresh() {
    const ticket = ++asked;
    try {
      const { html } = await api("/wiki/preview", {
        method: "POST",
        body: {
          space_id: spaceId,
          page_id: pageId,
          body: body.value,
          attachments: values('input[name="attachments"]'),
          remove_attachments: values('input[name="remove_attachments"]:checked'),
        },
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

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(refresh, PREVIEW_DELAY_MS);
  }

  body.addEventListener("input", changed);
  button?.addEventListener("click", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
  setUpAttachments(form, body, changed);
  refresh();
}

document.querySelectorAll("form[data-wiki-editor]").forEach(setUpEditor);
