// A person field of the administration (input[data-people-field]): while the
// administrator types a name or an e-mail, the accounts that match are offered
// in a <datalist> (GET /api/v1/admin/users?q=). Picking one also fills the
// form's hidden "person" with that account's id, so homonyms stay apart; typing
// anything else clears it, and the server then searches by what was typed.
import { api } from "./app.js";

const DELAY_MS = 200;
const SHOWN = 8;

function setUp(input) {
  const list = document.createElement("datalist");
  list.id = `${input.id}-people`;
  input.insertAdjacentElement("afterend", list);
  input.setAttribute("list", list.id);
  const chosen = input.form.elements.person;
  let timer = null;
  let asked = 0;
  let offered = [];

  input.addEventListener("input", () => {
    const typed = input.value.trim();
    const picked = offered.find((person) => `${person.display_name} <${person.email}>` === input.value);
    if (picked) {
      input.value = picked.display_name;
      chosen.value = picked.id;
      return;
    }
    chosen.value = "";
    clearTimeout(timer);
    if (typed.length < 2) return;
    timer = setTimeout(async () => {
      const ask = ++asked;
      let page;
      try {
        page = await api(`/admin/users?${new URLSearchParams({ q: typed, limit: SHOWN })}`);
      } catch {
        return; // the form still works: the server searches by what was typed
      }
      if (ask !== asked) return;
      offered = page.items;
      list.replaceChildren(
        ...offered.map((person) => {
          const option = document.createElement("option");
          option.value = `${person.display_name} <${person.email}>`;
          return option;
        }),
      );
    }, DELAY_MS);
  });
}

document.querySelectorAll("input[data-people-field]").forEach(setUp);
