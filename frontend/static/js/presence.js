// Who looks at a space now, from the websocket's presence messages (live.js hands
// them here; docs/realtime.md): their faces, each with their name for screen
// readers and as a tooltip, and how many are here in all. The server names only
// the people the reader may know of; the others are counted, not shown.
//
// <div data-presence="3" data-avatar-url="/api/v1/files/{id}/content"
//      data-one="1 person here" data-many="{n} people here" hidden>
//   <span data-presence-count></span><ul data-presence-people></ul>
// </div>

// The same letters as the server's avatars (app/web/pages.py, initials).
function initials(name) {
  const words = name.split(/\s+/).filter((word) => /^[\p{L}\p{N}]/u.test(word));
  if (!words.length) return "?";
  const first = words[0][0];
  const last = words.length > 1 ? words[words.length - 1][0] : "";
  return (first + last).toUpperCase();
}

function face(person, urlTemplate) {
  let element;
  if (person.avatar_file_id) {
    element = document.createElement("img");
    element.src = urlTemplate.replace("{id}", String(person.avatar_file_id));
    element.alt = person.name;
    element.width = 32;
    element.height = 32;
  } else {
    element = document.createElement("span");
    element.className = `avatar-hue-${person.id % 10}`;
    element.setAttribute("role", "img");
    element.setAttribute("aria-label", person.name);
    element.textContent = initials(person.name);
  }
  element.classList.add("avatar", "avatar-small");
  element.title = person.name;
  const item = document.createElement("li");
  item.dataset.person = String(person.id);
  item.append(element);
  return item;
}

export function showPresence(message) {
  document.querySelectorAll(`[data-presence="${message.space_id}"]`).forEach((box) => {
    const count = box.querySelector("[data-presence-count]");
    const template = message.count === 1 ? box.dataset.one : box.dataset.many;
    if (count && template) count.textContent = template.replace("{n}", String(message.count));
    box.querySelector("[data-presence-people]")?.replaceChildren(
      ...message.people.map((person) => face(person, box.dataset.avatarUrl)),
    );
    box.hidden = message.count === 0;
  });
}
