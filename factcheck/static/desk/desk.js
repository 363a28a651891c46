/* The admin desk's script (a static file: the Content-Security-Policy allows no inline script).
   - The review queue's keys: j/k move between claims, x selects, a goes to the bulk actions,
     o opens the claim.
   - The claim page's citations: a row added in place (each row's "Remove" box marks it for
     removal, shown struck through, without a script). */
"use strict";

function deskQueueKeys() {
  const list = document.querySelector("body.model-claim.change-list #result_list");
  if (!list) return;
  const boxes = () => Array.from(list.querySelectorAll("input.action-select"));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input:not(.action-select), select, textarea, [contenteditable]")) return;
    const all = boxes();
    const at = all.indexOf(document.activeElement);
    const move = (step) => {
      const next = all[Math.min(all.length - 1, Math.max(0, at < 0 ? 0 : at + step))];
      if (next) next.focus();
    };
    if (event.key === "j") move(1);
    else if (event.key === "k") move(-1);
    else if (event.key === "x" && at >= 0) all[at].click();  // actions.js counts the selection
    else if (event.key === "a") document.querySelector(".actions select")?.focus();
    else if (event.key === "o" && at >= 0) {
      const link = all[at].closest("tr").querySelector("th a, td a");
      if (link) link.click();
    } else return;
    event.preventDefault();
  });
}

function deskCitations() {
  const table = document.querySelector("table.citations");
  const template = document.getElementById("citation-empty-row");
  const total = document.querySelector("input[name=citations-TOTAL_FORMS]");
  const add = document.getElementById("citation-add");
  if (!table || !template || !total || !add) return;
  add.hidden = false;
  add.addEventListener("click", () => {
    const index = Number(total.value);
    const row = template.content.firstElementChild.cloneNode(true);
    row.querySelectorAll("[name], [id], [for]").forEach((element) => {
      for (const attribute of ["name", "id", "for"]) {
        const value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace("__prefix__", index));
      }
    });
    table.tBodies[0].appendChild(row);
    total.value = index + 1;
    row.querySelector("input, textarea")?.focus();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  deskQueueKeys();
  deskCitations();
});
