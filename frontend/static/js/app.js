// Ruche's page behaviour, as small ES modules (no build step).
// Scripts that call the API send the session's CSRF token from the page's meta tag.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

export async function api(path, { method = "GET", body } = {}) {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "same-origin",
    headers: {
      "Accept": "application/json",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(method === "GET" ? {} : { "X-CSRF-Token": csrfToken() }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(data?.error?.message ?? response.statusText), { data, status: response.status });
  return data;
}

// Selecting a freshly created token's text in one click, to copy it.
document.querySelectorAll("[data-new-token]").forEach((element) => {
  element.addEventListener("click", () => window.getSelection().selectAllChildren(element));
});
