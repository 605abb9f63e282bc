// The calendar's pages, enhanced: every form works without this module. With it,
// the calendar is laid out in the browser's own time zone, a new event's time
// zone is the browser's, the time fields become day fields for an all-day
// event, an event's files are uploaded as they are picked (attach.js), and
// answers to an event change in place through the API (act()).
import { showCounts } from "./answers.js";
import { act, api } from "./app.js";
import { setUpAttachments } from "./attach.js";

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function offers(select, zone) {
  return [...select.options].some((option) => option.value === zone);
}

// --- the calendar: the browser's zone, unless one was asked for ---------------------

const filters = document.querySelector("form[data-calendar-filters]");
const shownIn = filters?.querySelector("[data-zone-picker]");
if (filters?.dataset.zoneGiven === "false" && shownIn && browserZone !== shownIn.value && offers(shownIn, browserZone)) {
  const url = new URL(window.location.href);
  url.searchParams.set("zone", browserZone);
  window.location.replace(url);
}

// --- the event form -------------------------------------------------------------

function setUpEventForm(form) {
  const zone = form.querySelector("[data-zone-picker]");
  if (form.dataset.preselectZone === "true" && zone && offers(zone, browserZone)) zone.value = browserZone;
  const allDay = form.querySelector("[data-all-day]");
  const moments = [...form.querySelectorAll("input[data-moment]")];
  allDay?.addEventListener("change", () => {
    for (const input of moments) {
      const value = input.value;
      input.type = allDay.checked ? "date" : "datetime-local";
      // A day keeps its date; a time is given back at the hour the form started with.
      input.value = allDay.checked ? value.slice(0, 10) : value && `${value.slice(0, 10)}T${input.dataset.clock ?? "09:00"}`;
    }
  });
  for (const input of moments) {
    if (input.value.includes("T")) input.dataset.clock = input.value.slice(11, 16);
  }
}

document.querySelectorAll("form[data-event-form]").forEach(setUpEventForm);

// --- answers: in place, the event the API answers with shown ----------------------

function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (region && text) region.textContent = text;
}

function showAnswers(form, event) {
  form.querySelectorAll('button[name="answer"][value]:not([value=""])').forEach((button) => {
    button.setAttribute("aria-pressed", event.my_answer === button.value ? "true" : "false");
  });
  form.querySelector("[data-withdraw]").hidden = !event.my_answer;
  form.querySelector("[data-waiting]").hidden = !event.waiting;
  showCounts(event.answers);
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.rsvp) return;
  const button = event.submitter;
  if (!button) return;
  event.preventDefault();
  const answer = button.value;
  const call = async () => {
    const shown = await api(form.dataset.rsvp, answer ? { method: "PUT", body: { answer } } : { method: "DELETE" });
    showAnswers(form, shown);
  };
  act(button, call, { error: form.querySelector("[data-rsvp-error]") }).then((done) => done && announce(form.dataset.done));
});

document.querySelectorAll("form[data-attach]").forEach(setUpAttachments);
