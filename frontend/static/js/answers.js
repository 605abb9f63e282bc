// An event's answers counted on its page (data-answer-counts): shown from the
// API's answer to one's own (calendar.js) or from a live event of another's
// (live.js). The seats left follow from the capacity the page states.

export function showCounts(answers) {
  document.querySelectorAll("[data-answer-counts]").forEach((counts) => {
    counts.querySelectorAll("[data-count]").forEach((count) => {
      count.textContent = String(answers[count.dataset.count]);
    });
    const seats = counts.querySelector("[data-seats-left]");
    if (seats) seats.textContent = String(Math.max(Number(counts.dataset.capacity) - answers.going, 0));
  });
}
