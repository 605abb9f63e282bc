// Ruche's page behaviour, as small ES modules (no build step).
// Scripts that call the API send the session's CSRF token from the page's meta tag.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content ?? "";
}

// ``signal``: an AbortSignal, for a caller that drops a request made stale.
export async function api(path, { method = "GET", body, signal } = {}) {
  const response = await fetch(`/api/v1${path}`, {
    method,
    signal,
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

// Selecting a freshly created token's text (or a secret address's field) in one click, to copy it.
document.querySelectorAll("[data-new-token]").forEach((element) => {
  element.addEventListener("click", () => {
    if (element instanceof HTMLInputElement) element.select();
    else window.getSelection().selectAllChildren(element);
  });
});

// --- actions that call the API from a page (issue 15) ---------------------------
// Every one goes through act(): its control is busy while the call is pending, a
// failure shows a message in the action's error element and puts the page back
// as it was (``rollback``), so nothing fails silently. The message is the
// server's own, translated, when it refused (4xx); otherwise (network down,
// server error) the error element's data-failed text, translated by the template.

function failureMessage(failure, error) {
  const refused = failure?.status >= 400 && failure.status < 500;
  return (refused && failure.data?.error?.message) || error.dataset.failed || failure.message;
}

export async function act(control, call, { error, rollback } = {}) {
  control.setAttribute("aria-busy", "true");
  control.disabled = true;
  if (error) error.hidden = true;
  try {
    await call();
    return true;
  } catch (failure) {
    rollback?.();
    if (error) {
      error.textContent = failureMessage(failure, error);
      error.hidden = false;
    }
    return false;
  } finally {
    control.removeAttribute("aria-busy");
    control.disabled = false;
  }
}

// Forms that load a new page (vote, follow, join, confirm, accept an answer…) say
// they are busy until it comes, and are not sent twice; the page that comes
// tells of success or failure. Back to a page kept in memory, they are idle again.
// On window: after the scripts that send a form themselves (they prevent it).
window.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post") return;
  if (form.getAttribute("aria-busy") === "true") {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
  event.submitter?.setAttribute("aria-busy", "true");
});
window.addEventListener("pageshow", () => {
  document.querySelectorAll('[aria-busy="true"]').forEach((element) => element.removeAttribute("aria-busy"));
});
