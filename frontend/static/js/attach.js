// Files attached to what is being written (the composer, a comment or a reply).
//
// Without this module, the form's file input sends its files with the form. With
// it, a file picked, pasted or dropped into the form is uploaded at once to
// POST /api/v1/files (a progress bar while it goes), then shown as a chip: its
// name, a button to remove it, and a hidden "attachments" field with its id, so
// the form sends ids, not files. What the page needs, all in the form:
//   form[data-attach][data-max-upload-bytes]  the form, and the largest file accepted
//   [data-attach-field]                        its texts, translated by the server:
//                                              data-too-large, data-failed ("{name}",
//                                              "{reason}"), data-remove, data-uploading
//   input[data-file-input]   [data-chips]   [data-attach-error]
import { csrfToken } from "./app.js";
import { uploadFile } from "./uploads.js";

function fill(template, values) {
  return Object.entries(values).reduce((text, [key, value]) => text.replaceAll(`{${key}}`, value), template);
}

function hasFiles(event) {
  return [...(event.dataTransfer?.types || [])].includes("Files");
}

export function setUpAttachments(form) {
  const field = form.querySelector("[data-attach-field]");
  const input = form.querySelector("[data-file-input]");
  const chips = form.querySelector("[data-chips]");
  const error = form.querySelector("[data-attach-error]");
  if (!field || !input || !chips) return;
  const texts = field.dataset;
  const limit = Number(form.dataset.maxUploadBytes || 0);
  const submits = form.querySelectorAll('button[type="submit"], button:not([type])');
  let sending = 0;

  // The label becomes the button; the input stays for the keyboard and the picker.
  input.classList.add("visually-hidden");
  field.classList.add("is-enhanced");
  // Files a refused form still holds (shown by the server) may be removed too.
  chips.querySelectorAll("[data-chip]").forEach((chip) => {
    const id = chip.querySelector('input[name="attachments"]')?.value;
    if (id) removable(chip, { id, name: chip.querySelector(".chip-name")?.textContent ?? "" });
  });

  function showError(text) {
    if (!error) return;
    error.textContent = text;
    error.hidden = false;
  }

  function setSending(change) {
    sending += change;
    form.classList.toggle("is-sending", sending > 0);
    submits.forEach((button) => {
      button.disabled = sending > 0;
      button.title = sending > 0 ? texts.uploading : "";
    });
  }

  function chipFor(name) {
    const chip = document.createElement("li");
    chip.className = "chip";
    chip.dataset.chip = "";
    const label = document.createElement("span");
    label.className = "chip-name";
    label.textContent = name;
    const progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", name);
    chip.append(label, progress);
    chips.append(chip);
    return { chip, progress };
  }

  function removable(chip, file) {
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "chip-remove";
    remove.textContent = "×";
    remove.setAttribute("aria-label", fill(texts.remove, { name: file.name }));
    remove.addEventListener("click", () => {
      chip.remove();
      // Dropped now rather than collected after a day.
      fetch(`/api/v1/files/${file.id}`, {
        method: "DELETE",
        credentials: "same-origin",
        headers: { "X-CSRF-Token": csrfToken() },
      }).catch(() => {});
    });
    chip.append(remove);
  }

  function attached(chip, progress, file) {
    progress.remove();
    const id = document.createElement("input");
    id.type = "hidden";
    id.name = "attachments";
    id.value = String(file.id);
    if (file.previews) {
      const preview = document.createElement("img");
      preview.src = file.previews.small;
      preview.alt = "";
      preview.className = "chip-preview";
      chip.prepend(preview);
    }
    chip.append(id);
    removable(chip, file);
  }

  function upload(file) {
    const name = file.name || "image.png";
    if (limit && file.size > limit) {
      showError(fill(texts.tooLarge, { name }));
      return;
    }
    const { chip, progress } = chipFor(name);
    setSending(1);
    if (error) error.hidden = true;
    uploadFile(file, {
      name,
      onProgress: (part) => {
        progress.value = Math.round(part * 100);
      },
    })
      .then((answer) => attached(chip, progress, answer))
      .catch((failure) => {
        chip.remove();
        showError(fill(texts.failed, { name, reason: failure.message || "—" }));
      })
      .finally(() => setSending(-1));
  }

  function uploadAll(files) {
    [...files].forEach(upload);
  }

  input.addEventListener("change", () => {
    uploadAll(input.files);
    input.value = ""; // sent already: the form must not send them again
  });
  form.addEventListener("paste", (event) => {
    const files = event.clipboardData?.files;
    if (!files?.length) return;
    event.preventDefault();
    uploadAll(files);
  });
  form.addEventListener("dragover", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    form.classList.add("is-dropping");
  });
  form.addEventListener("dragleave", (event) => {
    if (!form.contains(event.relatedTarget)) form.classList.remove("is-dropping");
  });
  form.addEventListener("drop", (event) => {
    form.classList.remove("is-dropping");
    const files = event.dataTransfer?.files;
    if (!files?.length) return;
    event.preventDefault();
    uploadAll(files);
  });
  form.addEventListener("submit", (event) => {
    if (sending > 0) event.preventDefault();
  });
}
