// The stream's pages, enhanced: every form works without this module; with it,
// the composer opens in place and shows what each choice implies, files are
// uploaded as they are picked, pasted or dropped (attach.js), "@" and "#" offer
// suggestions (suggest.js), and reactions, votes and follows change in place.
import { act, api } from "./app.js";
import { setUpAttachments } from "./attach.js";
import { setUpSuggestions } from "./suggest.js";

// --- the composer ----------------------------------------------------------------

function setUpComposer(form) {
  const picker = form.querySelector("[data-place-picker]");
  const fixed = form.querySelector("input[data-place]");
  const levels = form.querySelector("[data-level-picker]");
  const kinds = form.querySelector("[data-kind-picker]");
  const warning = form.querySelector("[data-external-warning]");
  const announcement = form.querySelector("[data-kind-announcement]");
  const place = () => (picker ? picker.selectedOptions[0] : fixed);

  function update() {
    const current = place();
    // External accounts read what is public in the company stream and in the
    // spaces open to them: the author is reminded of their duty of discretion.
    if (warning) {
      warning.hidden = !(levels?.value === "public" && current?.dataset.externals === "true");
    }
    if (announcement) {
      const allowed = current?.dataset.announce === "true";
      announcement.hidden = !allowed;
      announcement.disabled = !allowed;
      if (!allowed && announcement.selected) kinds.value = "ordinary";
    }
  }

  picker?.addEventListener("change", () => {
    // A new place proposes its own default level.
    const level = place().dataset.defaultLevel;
    if (levels && [...levels.options].some((option) => option.value === level)) levels.value = level;
    update();
  });
  form.addEventListener("change", update);
  // Opened once, it stays open: the menus must not slip away under the pointer.
  form.addEventListener("focusin", () => form.classList.add("is-open"));
  form.addEventListener("dragenter", () => form.classList.add("is-open"));
  const offset = form.querySelector("[data-timezone-offset]");
  if (offset) offset.value = String(new Date().getTimezoneOffset());
  update();
}

document.querySelectorAll("form[data-composer]").forEach(setUpComposer);
document.querySelectorAll("form[data-attach]").forEach(setUpAttachments);
document.querySelectorAll("textarea[data-suggest]").forEach(setUpSuggestions);

// --- reactions: the API instead of a page load -----------------------------------
// Shown at once, put back if the server refuses or cannot be reached (act()).

function showReaction(button, kind, on, count) {
  count.textContent = String(Math.max(0, Number(count.textContent) + (on ? 1 : -1)));
  button.setAttribute("aria-pressed", on ? "true" : "false");
  button.value = `${kind}:${on ? "off" : "on"}`;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.reactions) return;
  const button = event.submitter;
  if (!button?.value) return;
  event.preventDefault();
  const [kind, state] = button.value.split(":");
  const on = state === "on";
  const count = button.querySelector("[data-count]");
  // The live feed may set the count while the call is under way: the reader's
  // own change is counted once, here, and undone by the opposite step.
  showReaction(button, kind, on, count);
  act(button, () => api(`${form.dataset.reactions}/reactions/${kind}`, { method: on ? "PUT" : "DELETE" }), {
    error: form.querySelector("[data-reaction-error]"),
    rollback: () => showReaction(button, kind, !on, count),
  });
});

// --- polls: the vote through the API, the poll the API answers with shown in place --
// The same rules as the template (_post.html's poll): the counts only once the
// reader has voted or the poll closed, "(your choice)" beside the recorded choice.
// Plurals follow the page's language, as the server's ngettext does ("0 vote" in French).

const plurals = new Intl.PluralRules(document.documentElement.lang || undefined);

function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (region && text) region.textContent = text;
}

function showPoll(form, poll) {
  const total = poll.options.reduce((sum, option) => sum + (option.votes ?? 0), 0);
  for (const option of poll.options) {
    const input = form.querySelector(`input[name="option_ids"][value="${option.id}"]`);
    if (!input) continue;
    const mine = poll.my_votes.includes(option.id);
    // defaultChecked is the recorded choice, which a failed vote puts back.
    input.checked = input.defaultChecked = mine;
    const choice = input.closest(".poll-option");
    choice.querySelector("[data-your-choice]").hidden = !mine;
    const result = choice.querySelector("[data-poll-result]");
    result.hidden = option.votes === null;
    if (option.votes === null) continue;
    const progress = result.querySelector("progress");
    progress.max = Math.max(total, 1);
    progress.value = option.votes;
    const template = plurals.select(option.votes) === "one" ? form.dataset.one : form.dataset.many;
    result.querySelector("[data-votes]").textContent = template.replace("{n}", String(option.votes));
  }
  if (poll.options.some((option) => option.votes !== null)) form.querySelector("[data-results-hidden]")?.remove();
  const button = form.querySelector('button[type="submit"]');
  if (button) button.textContent = poll.my_votes.length ? form.dataset.change : form.dataset.vote;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.poll) return;
  event.preventDefault();
  const button = event.submitter ?? form.querySelector('button[type="submit"]');
  const error = form.querySelector("[data-poll-error]");
  const inputs = [...form.querySelectorAll('input[name="option_ids"]')];
  const chosen = inputs.filter((input) => input.checked).map((input) => Number(input.value));
  if (!chosen.length) {
    // The server's own words for an empty vote, without asking it.
    error.textContent = form.dataset.choose;
    error.hidden = false;
    return;
  }
  const vote = async () => {
    const post = await api(`${form.dataset.poll}/votes`, { method: "POST", body: { option_ids: chosen } });
    showPoll(form, post.poll);
  };
  act(button, vote, {
    error,
    rollback: () => inputs.forEach((input) => { input.checked = input.defaultChecked; }),
  }).then((done) => done && announce(form.dataset.done));
});

// --- follows: a person or a hashtag, flipped at once and put back on failure -------

function showFollow(form, following) {
  const button = form.querySelector('button[type="submit"]');
  button.setAttribute("aria-pressed", following ? "true" : "false");
  button.textContent = following ? button.dataset.unfollowLabel : button.dataset.followLabel;
  button.classList.toggle("primary", !following);
  // What the form would send next, were scripts to stop.
  form.querySelector('input[name="following"]').value = following ? "false" : "true";
  const sentence = form.dataset.sentence && document.getElementById(form.dataset.sentence);
  if (sentence) sentence.textContent = following ? sentence.dataset.on : sentence.dataset.off;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.follow) return;
  event.preventDefault();
  const button = form.querySelector('button[type="submit"]');
  const following = button.getAttribute("aria-pressed") !== "true";
  showFollow(form, following);
  act(button, () => api(form.dataset.follow, { method: following ? "PUT" : "DELETE" }), {
    error: form.querySelector("[data-follow-error]"),
    rollback: () => showFollow(form, !following),
  });
});
