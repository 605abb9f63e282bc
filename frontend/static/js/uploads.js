// Sending a file to POST /api/v1/files with its progress (fetch cannot report
// an upload's progress; XMLHttpRequest can). The file is the writer's alone
// until what they write names it in ``attachments``.
import { csrfToken } from "./app.js";

export function uploadFile(
  file,
  { purpose = "attachment", name = file.name, onProgress = () => {} } = {},
) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/api/v1/files");
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    request.responseType = "json";
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status === 201) return resolve(request.response);
      // The documented error shape: its message is in the reader's language.
      const message = request.response?.error?.message ?? request.statusText;
      reject(Object.assign(new Error(message), { status: request.status }));
    });
    request.addEventListener("error", () => reject(new Error("")));
    const form = new FormData();
    form.append("purpose", purpose);
    form.append("file", file, name);
    request.send(form);
  });
}

// A name that none of ``taken`` bears: "image.png", then "image-2.png"...
export function freeName(name, taken) {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf(".");
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let number = 2;
  while (taken.has(`${stem}-${number}${extension}`)) number += 1;
  return `${stem}-${number}${extension}`;
}
