// An idea's page, enhanced: the vote buttons work without this module (a page
// load); with it, a vote changes in place through the API (act()).
import { act, api } from "./app.js";

function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (region && text) region.textContent = text;
}

function showVotes(form, idea) {
  form.querySelectorAll('button[name="choice"]:not([value=""])').forEach((button) => {
    button.setAttribute("aria-pressed", idea.my_vote === button.value ? "true" : "false");
  });
  form.querySelector("[data-withdraw]").hidden = !idea.my_vote;
  document.querySelector('[data-votes="for"]').textContent = idea.votes_for;
  document.querySelector('[data-votes="against"]').textContent = idea.votes_against;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.vote) return;
  const button = event.submitter;
  if (!button) return;
  event.preventDefault();
  const choice = button.value;
  const call = async () => {
    const idea = await api(form.dataset.vote, choice ? { method: "PUT", body: { choice } } : { method: "DELETE" });
    showVotes(form, idea);
  };
  act(button, call, { error: form.querySelector("[data-vote-error]") }).then((done) => done && announce(form.dataset.done));
});
