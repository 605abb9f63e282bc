// The first-run tour as a modal dialog: focus stays inside it, Escape or its
// button dismisses it for good (POST /welcome/dismiss with the session's CSRF
// token), and so does following one of its links. Without this module the tour
// shows open above the page and its form dismisses it.
import { csrfToken } from "./app.js";

const dialog = document.querySelector("dialog[data-tour]");
if (dialog) {
  const form = dialog.querySelector("form[data-tour-form]");
  const before = document.activeElement;
  let dismissed = false;

  // keepalive: the request outlives the page when a link of the tour is followed.
  function dismiss() {
    if (dismissed) return;
    dismissed = true;
    fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      redirect: "manual",
      headers: { "X-CSRF-Token": csrfToken() },
      body: new URLSearchParams(new FormData(form)),
    });
  }

  function focusable() {
    return [...dialog.querySelectorAll("a[href], button:not([disabled]), input:not([type=hidden])")];
  }

  dialog.close();
  dialog.showModal();
  // The button that ends the tour has the focus; the text is shown from its top.
  dialog.querySelector("[data-tour-dismiss]").focus({ preventScroll: true });
  dialog.scrollTop = 0;

  // Only the reader's own acts dismiss it: the browser also closes the dialog
  // when the page is left or reloaded, which must not end the tour.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && dialog.open) dismiss();
  });
  dialog.addEventListener("cancel", dismiss);
  dialog.addEventListener("close", () => {
    if (before instanceof HTMLElement) before.focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    dismiss();
    dialog.close();
  });
  dialog.querySelectorAll("a[href]").forEach((link) => link.addEventListener("click", dismiss));
  // Tab and Shift+Tab go round the dialog's own controls.
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = focusable();
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
}
