// Moments in the reader's own time zone and language, kept current.
//
// The server renders every moment as <time datetime="ISO" title="…" data-when> with
// its text in UTC (app/dates.py). This module gives the same text the browser's way,
// with the same rules: within 24 hours of now, relative ("il y a 5 minutes"), else a
// date and time ("5 déc. 2026, 22:06"); the title holds the moment in full. It
// refreshes relative times every 30 seconds and formats <time data-when> elements
// that scripts insert later (live posts, comments, notifications) as they arrive, so
// a script inserting one only has to give it its datetime attribute.
// Calendar days (<time datetime="2026-12-19"> without data-when) are left as the
// server wrote them: a day is not moved to another zone.

const RELATIVE_WITHIN_MS = 24 * 3600 * 1000;
const UNITS = [["hour", 3600], ["minute", 60], ["second", 1]];
const REFRESH_MS = 30 * 1000;

const language = document.documentElement.lang || undefined;
const relative = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" });
const inFull = new Intl.DateTimeFormat(language, { dateStyle: "full", timeStyle: "long" });

export function formatWhen(moment, now = new Date()) {
  const deltaMs = moment.getTime() - now.getTime();
  if (Math.abs(deltaMs) >= RELATIVE_WITHIN_MS) return absolute.format(moment);
  // Whole units, truncated towards zero, as the server counts them.
  const seconds = Math.trunc(deltaMs / 1000);
  const [unit, size] = UNITS.find(([, unitSize]) => Math.abs(seconds) >= unitSize) ?? ["second", 1];
  return relative.format(Math.trunc(seconds / size), unit);
}

function show(element, now) {
  const moment = new Date(element.dateTime);
  if (Number.isNaN(moment.getTime())) return;
  element.textContent = formatWhen(moment, now);
  element.title = inFull.format(moment);
}

function showAll(root = document) {
  const now = new Date();
  if (root instanceof Element && root.matches("time[data-when]")) show(root, now);
  root.querySelectorAll("time[data-when]").forEach((element) => show(element, now));
}

showAll();
setInterval(showAll, REFRESH_MS);
new MutationObserver((changes) => {
  changes.forEach((change) => change.addedNodes.forEach((node) => {
    if (node instanceof Element) showAll(node);
  }));
}).observe(document.body, { childList: true, subtree: true });
