// A workflow step acts on the record as it is saved. With unsaved edits on the page, following a step's
// link would drop them without a word: say so, and let the person save first.
"use strict";
window.addEventListener("load", function () {
  const form = document.querySelector("#content-main form");
  if (!form) {
    return;
  }
  const snapshot = function () {
    return new URLSearchParams(new FormData(form)).toString();
  };
  const saved = snapshot();
  document.querySelectorAll("#content .object-tools a.workflow-step").forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (snapshot() === saved) {
        return;
      }
      event.preventDefault();
      let note = document.getElementById("unsaved-edits");
      if (!note) {
        note = document.createElement("ul");
        note.id = "unsaved-edits";
        note.className = "messagelist";
        note.setAttribute("role", "alert");
        const main = document.getElementById("content-main") || form;
        main.parentNode.insertBefore(note, main);
      }
      note.innerHTML = "";
      const item = document.createElement("li");
      item.className = "warning";
      item.textContent =
        "You have unsaved changes on this page. Save them first (Save and continue editing), then " +
        link.textContent.trim() + "; or reload the page to drop them.";
      note.appendChild(item);
      note.scrollIntoView({block: "nearest"});
    });
  });
});
