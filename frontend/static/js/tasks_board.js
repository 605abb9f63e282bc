// A project's board, enhanced: every move works without this module, through
// the forms on each task (move up, move down, to a column). With it, those
// forms move the task in place through the API, the focus staying on the
// button used, and a task can be dragged to another column or place.
import { act, api } from "./app.js";

const board = document.querySelector("[data-board]");
const failure = document.querySelector("[data-board-error]");

function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (region && text) region.textContent = text;
}

function tasksOf(list, except) {
  return [...list.querySelectorAll(":scope > [data-task]")].filter((item) => item !== except);
}

// Each task's forms say its place again: the indexes of its up and down
// buttons, whether they can move it, its column.
function renumber() {
  board.querySelectorAll("[data-column]").forEach((list) => {
    const items = tasksOf(list);
    items.forEach((item, index) => {
      item.querySelectorAll('input[name="status"]').forEach((input) => { input.value = list.dataset.column; });
      item.querySelectorAll("select[name=status]").forEach((select) => { select.value = list.dataset.column; });
      item.querySelectorAll("[data-step]").forEach((button) => {
        const target = index + Number(button.dataset.step);
        button.value = String(target);
        button.disabled = target < 0 || target >= items.length;
      });
    });
    const count = list.closest("section")?.querySelector("[data-column-count]");
    if (count) count.textContent = `(${items.length})`;
  });
}

// Puts the task in the column of ``status`` before the task at ``index`` among
// the others (at the end past the last): the server is asked first, then the
// page follows what it answered.
async function moveTask(item, status, index) {
  // live.js then takes the move's own event for this one, not someone else's change.
  item.dataset.movedHere = "";
  try {
    await api(`/tasks/${item.dataset.task}/move`, { method: "POST", body: { status, index } });
  } catch (error) {
    delete item.dataset.movedHere;
    throw error;
  }
  const list = board.querySelector(`[data-column="${status}"]`);
  const others = tasksOf(list, item);
  list.insertBefore(item, others[index] ?? null);
  renumber();
  const place = tasksOf(list).indexOf(item) + 1;
  announce(board.dataset.moved.replace("{column}", list.dataset.label).replace("{place}", String(place)));
}

function shown(error) {
  failure.textContent = error.data?.error?.message ?? failure.dataset.failed;
  failure.hidden = false;
}

if (board) {
  board.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !("move" in form.dataset)) return;
    event.preventDefault();
    const button = event.submitter ?? form.querySelector("button");
    const item = form.closest("[data-task]");
    const status = form.elements.status.value;
    const index = Number(button.name === "index" ? button.value : form.elements.index.value);
    act(button, () => moveTask(item, status, index), { error: failure }).then(() => {
      // The button used keeps the focus, or, at an end of the column, its neighbour.
      const again = button.disabled ? item.querySelector("[data-step]:not(:disabled)") ?? item.querySelector("select") : button;
      again?.focus();
    });
  });

  let dragged = null;
  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest?.("[data-task]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.task);
    dragged.classList.add("is-dragged");
  });
  board.addEventListener("dragend", () => {
    dragged?.classList.remove("is-dragged");
    dragged = null;
  });
  board.addEventListener("dragover", (event) => {
    if (dragged && event.target.closest?.("[data-column]")) event.preventDefault();
  });
  board.addEventListener("drop", (event) => {
    const list = event.target.closest?.("[data-column]");
    if (!dragged || !list) return;
    event.preventDefault();
    failure.hidden = true;
    // Before the first task whose middle is below the pointer.
    const others = tasksOf(list, dragged);
    const before = others.findIndex((other) => {
      const box = other.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    });
    const item = dragged;
    moveTask(item, list.dataset.column, before === -1 ? others.length : before).catch(shown);
  });
}
