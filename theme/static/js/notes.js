/* Enhancement: open a note in place instead of jumping to the notes list.
   Without this script (or without popover support) each marker is a plain
   link to its note, and the note's back link returns to the marker. */
(function () {
  "use strict";
  var pop = document.createElement("div");
  if (typeof pop.showPopover !== "function" || !document.querySelector("a.noteref")) return;
  pop.id = "note-pop";
  pop.setAttribute("popover", "auto");
  pop.setAttribute("role", "dialog");
  pop.setAttribute("aria-modal", "false");
  document.body.appendChild(pop);
  var opener = null;

  function open(marker) {
    var note = document.getElementById(marker.hash.slice(1));
    if (!note) return false;
    opener = marker;
    pop.textContent = "";
    var bar = document.createElement("div");
    bar.className = "pop-bar";
    var title = document.createElement("strong");
    title.id = "note-pop-title";
    title.textContent = "Note " + marker.textContent;
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Close";
    close.addEventListener("click", function () { pop.hidePopover(); });
    bar.append(title, close);
    var body = note.cloneNode(true);
    body.removeAttribute("id");
    body.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    var backs = body.querySelector(".backrefs");
    if (backs) backs.remove();
    var all = document.createElement("a");
    all.href = marker.hash;
    all.className = "pop-all";
    all.textContent = "Show in the list of notes";
    all.addEventListener("click", function () { opener = null; pop.hidePopover(); });
    var wrap = document.createElement("div");
    wrap.className = "pop-note";
    wrap.append(body.childNodes.length ? body : note.cloneNode(true));
    pop.setAttribute("aria-labelledby", "note-pop-title");
    pop.append(bar, wrap, all);
    pop.showPopover();
    close.focus();
    return true;
  }

  document.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest("a.noteref");
    if (!marker || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (open(marker)) event.preventDefault();
  });
  pop.addEventListener("toggle", function (event) {
    if (event.newState === "closed" && opener) {
      opener.focus();
      opener = null;
    }
  });
})();
