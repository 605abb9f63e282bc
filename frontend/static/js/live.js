// Live updates over the websocket at /ws, for signed-in pages.
//
// The page says what it listens to: <body data-live="home space:3 post:12 notifications">.
// What the script touches, all optional:
//   [data-new-posts]                 a bar, hidden until posts arrive (data-hide-when-zero);
//                                    counts' texts come from the server-translated
//                                    data-one / data-many ("{n}" is replaced). It sticks
//                                    to the top of the window (CSS) wherever the reader
//                                    has scrolled; a click shows the newest page, at its top
//   [data-post="12"]                 a post card, with inside it
//     [data-comment-count]           the number of comments (data-one / data-many)
//     [data-confirmations]           an announcement's confirmations (data-one / data-many)
//   form[data-reactions="/posts/12"] (or "/comments/7") the reaction buttons, whose
//                                    value starts with the kind and hold [data-count]
//   [data-new-comments]              a notice on a post page, hidden until comments arrive
//   [data-unread]                    the bell's unread count
//   [data-wiki-newer][data-page="5"] a notice on a wiki page (topic "wiki:5"), hidden until
//                                    a revision newer than its data-revision is saved
//   [data-wiki-changes]              a list of recently changed wiki pages (data-limit items),
//                                    each <li data-page="5">: a page created or saved moves
//                                    to the top (its title fetched through the API)
//   [data-board="3"]                 a project's board (topic "space:3"), with
//     [data-board-changed]           a link in a status region, hidden until someone
//                                    changes one of its tasks; a task this page just
//                                    moved itself ([data-task] data-moved-here) does not count
//   [data-live-state]                a discreet indicator: data-state="offline" | "degraded" | "ok"
//   [data-announcer]                 a polite live region: new posts (the bar's text) and
//                                    new notifications (its data-notifications-one/-many)
//                                    are said to screen readers as they arrive
//   [data-presence="3"]              who looks at space 3 now (presence.js)
//
// The database is the record; the socket only announces. After a network cut, a
// restart or an overflow, the script reconnects and asks /api/v1/events for what it
// missed since the last id it saw, so nothing is lost and nothing counted twice.

import { showCounts } from "./answers.js";
import { api } from "./app.js";
import { showPresence } from "./presence.js";

const topics = (document.body.dataset.live || "").split(/\s+/).filter(Boolean);
const SIGNED_OUT = 4401;
let lastId = null;
let retries = 0;
let newPosts = 0;
let newComments = 0;
let newNotifications = 0;

function announce(text) {
  const region = document.querySelector("[data-announcer]");
  if (region && text) region.textContent = text;
}

function setState(state) {
  document.querySelectorAll("[data-live-state]").forEach((element) => {
    element.dataset.state = state;
    element.hidden = state === "ok";
  });
}

function showCount(selector, count, scope = document) {
  scope.querySelectorAll(selector).forEach((element) => {
    const template = count === 1 ? element.dataset.one : element.dataset.many;
    if (template) element.textContent = template.replace("{n}", String(count));
    if ("hideWhenZero" in element.dataset) element.hidden = count === 0;
  });
}

async function refreshPost(postId) {
  const card = document.querySelector(`[data-post="${postId}"]`);
  if (!card) return;
  try {
    const post = await api(`/posts/${postId}`);
    showCount("[data-comment-count]", post.comment_count, card);
  } catch {
    // Gone or no longer readable: leave the page as it is.
  }
}

function showReactions(event) {
  const { comment_id: commentId, reactions } = event.payload;
  const target = commentId ? `/comments/${commentId}` : `/posts/${event.post_id}`;
  document.querySelectorAll(`form[data-reactions="${target}"] button[value]`).forEach((button) => {
    const kind = button.value.split(":")[0];
    button.querySelectorAll("[data-count]").forEach((count) => {
      count.textContent = String(reactions[kind] || 0);
    });
  });
}

async function showWikiChange(pageId) {
  const lists = document.querySelectorAll("[data-wiki-changes]");
  if (!lists.length) return;
  let page;
  try {
    page = await api(`/wiki/pages/${pageId}`);
  } catch {
    return; // gone or no longer readable
  }
  lists.forEach((list) => {
    list.querySelector(`[data-page="${pageId}"]`)?.remove();
    const item = document.createElement("li");
    item.dataset.page = String(pageId);
    const link = document.createElement("a");
    link.href = page.url;
    link.textContent = page.title;
    item.append(link);
    list.prepend(item);
    while (list.children.length > Number(list.dataset.limit || 5)) list.lastElementChild.remove();
  });
  document.querySelectorAll("[data-wiki-changes-empty]").forEach((empty) => {
    empty.hidden = true;
  });
}

function handle(event) {
  if (lastId !== null && event.id <= lastId) return;
  lastId = event.id;
  switch (event.kind) {
    case "post.created":
      if (!document.querySelector(`[data-post="${event.post_id}"]`)) {
        newPosts += 1;
        showCount("[data-new-posts]", newPosts);
        announce(document.querySelector("[data-new-posts]")?.textContent);
      }
      break;
    case "comment.created":
      if (topics.includes(`post:${event.post_id}`)) {
        newComments += 1;
        showCount("[data-new-comments]", newComments);
      }
      refreshPost(event.post_id);
      break;
    case "comment.deleted":
      refreshPost(event.post_id);
      break;
    case "reaction.changed":
      showReactions(event);
      break;
    case "announcement.confirmed": {
      const card = document.querySelector(`[data-post="${event.post_id}"]`);
      if (card) showCount("[data-confirmations]", event.payload.confirmations, card);
      break;
    }
    case "wiki.page.created":
      showWikiChange(event.page_id);
      break;
    case "wiki.page.edited":
      showWikiChange(event.page_id);
      document.querySelectorAll(`[data-wiki-newer][data-page="${event.page_id}"]`).forEach((notice) => {
        if (Number(event.payload.revision) > Number(notice.dataset.revision)) notice.hidden = false;
      });
      break;
    case "task.created":
    case "task.changed":
    case "task.moved":
      showBoardChanged(event);
      break;
    case "calendar_event.answered":
      if (topics.includes(`calendar:${event.calendar_event_id}`)) showCounts(event.payload.answers);
      break;
    case "notification.created": {
      refreshUnread();
      newNotifications += 1;
      const region = document.querySelector("[data-announcer]");
      const template = newNotifications === 1 ? region?.dataset.notificationsOne : region?.dataset.notificationsMany;
      announce(template?.replace("{n}", String(newNotifications)));
      break;
    }
    default:
      break;
  }
}

function showBoardChanged(event) {
  if (!document.querySelector(`[data-board="${event.space_id}"]`)) return;
  const task = document.querySelector(`[data-task="${event.task_id}"]`);
  if (event.kind === "task.moved" && task && "movedHere" in task.dataset) {
    delete task.dataset.movedHere;
    return;
  }
  document.querySelectorAll("[data-board-changed]").forEach((link) => {
    link.hidden = false;
  });
}

// The bell shows the server's count, never one added up here: the server counts
// only the notifications their reader may still see (a revoked invitation, a
// post raised above the reader's clearance drop out). One request at a time;
// events that come meanwhile ask for one more.
let unreadAsked = null;
let unreadAgain = false;

function refreshUnread() {
  if (unreadAsked) {
    unreadAgain = true;
    return;
  }
  unreadAsked = api("/notifications/unread-count")
    .then(({ unread_count: count }) => {
      document.querySelectorAll("[data-unread]").forEach((badge) => {
        badge.textContent = count > 99 ? "99+" : String(count);
        badge.hidden = count === 0;
      });
    })
    .catch(() => {})
    .finally(() => {
      unreadAsked = null;
      if (unreadAgain) {
        unreadAgain = false;
        refreshUnread();
      }
    });
}

async function catchUp() {
  let more = true;
  while (more && lastId !== null) {
    const page = await api(`/events?since=${lastId}`);
    page.items.forEach(handle);
    lastId = Math.max(lastId, page.last_id);
    more = page.more;
  }
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.addEventListener("open", () => {
    retries = 0;
    socket.send(JSON.stringify({ type: "subscribe", topics }));
  });
  socket.addEventListener("message", async (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "hello") {
      if (lastId === null) lastId = data.last_event_id;
      else await catchUp();
      setState(data.state === "degraded" ? "degraded" : "ok");
    } else if (data.type === "event") {
      handle(data.event);
    } else if (data.type === "presence") {
      showPresence(data);
    } else if (data.type === "status") {
      setState(data.state === "ok" ? "ok" : "degraded");
      if (data.state === "ok") await catchUp();
    }
  });
  socket.addEventListener("close", (event) => {
    if (event.code === SIGNED_OUT) {
      setState("offline");
      return;
    }
    setState("offline");
    retries += 1;
    const delay = Math.min(30000, 500 * 2 ** Math.min(retries, 6)) * (0.5 + Math.random());
    setTimeout(connect, delay);
  });
}

// The newest posts, from the top: the stream's first page (not an older page the
// reader had reached), scrolled to its start.
document.querySelectorAll("[data-new-posts]").forEach((bar) => {
  bar.addEventListener("click", (event) => {
    event.preventDefault();
    const newest = new URL(bar.href, location.href);
    newest.searchParams.delete("cursor");
    newest.searchParams.delete("done");
    newest.hash = "";
    window.scrollTo(0, 0);
    location.assign(newest.href);
  });
});

if (topics.length && document.querySelector('meta[name="csrf-token"]')) {
  connect();
}
