/* Enhancement: a preview of the one citation a marker stands for, beside the marker.
   Without this script (or without popover support) each marker is a plain link to its
   note, and the note's back links return to the marker. Hovering or focusing a marker
   (or its margin note) highlights the two together. */
(function () {
  "use strict";
  if (!document.querySelector("a.noteref")) return;

  // Marker and margin note, highlighted together.
  function partner(el) {
    if (el.classList.contains("noteref")) return document.querySelector('.sn[data-ref="' + el.id + '"]');
    return document.getElementById(el.getAttribute("data-ref"));
  }
  function light(event, on) {
    var el = event.target.closest && event.target.closest("a.noteref, .sn[data-ref]");
    if (!el) return;
    var other = partner(el);
    el.classList.toggle("hl", on);
    if (other) other.classList.toggle("hl", on);
  }
  document.addEventListener("mouseover", function (e) { light(e, true); });
  document.addEventListener("mouseout", function (e) { light(e, false); });
  document.addEventListener("focusin", function (e) { light(e, true); });
  document.addEventListener("focusout", function (e) { light(e, false); });

  // A note reached from the list's link opens its folded back links.
  function reveal(hash) {
    var note = hash && document.getElementById(hash.slice(1));
    if (!note || !note.classList.contains("note")) return;
    var fold = note.querySelector("details.backrefs");
    if (fold) fold.open = true;
  }
  window.addEventListener("hashchange", function () { reveal(location.hash); });
  reveal(location.hash);

  var pop = document.createElement("div");
  if (typeof pop.showPopover !== "function") return;
  pop.id = "note-pop";
  pop.setAttribute("popover", "auto");
  pop.setAttribute("role", "dialog");
  pop.setAttribute("aria-labelledby", "note-pop-title");
  pop.tabIndex = -1;
  document.body.appendChild(pop);
  var opener = null, pinned = false, returning = false, timer = 0;
  var hover = window.matchMedia("(hover: hover) and (pointer: fine)");
  var phone = window.matchMedia("(max-width: 40rem)");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  // The use this marker stands for: its pinpoint line in the note, without the "1c: " label.
  function use(note, marker) {
    var link = note.querySelector('.pinpoints a[href="#' + marker.id + '"]');
    if (!link) return null;
    var line = el("p", "pop-use");
    var node = link.nextSibling;
    if (node && node.nodeType === 3) {
      var rest = node.textContent.replace(/^:\s*/, "");
      if (rest) line.append(rest);
      node = node.nextSibling;
    }
    for (; node; node = node.nextSibling) line.append(node.cloneNode(true));
    return line;
  }

  function firstSentence(text) {
    var m = /^(.{20,220}?\.)(\s|$)/.exec(text);
    return m ? m[1] : text.length > 220 ? text.slice(0, 219) + "\u2026" : text;
  }

  function fill(marker, note) {
    pop.textContent = "";
    var bar = el("div", "pop-bar");
    var title = el("strong", "", (note.getAttribute("data-name") || "Source") + " ");
    title.id = "note-pop-title";
    var badge = note.querySelector(".badge");
    if (badge) title.append(badge.cloneNode(true));
    var label = el("span", "pop-label", "Note " + marker.id.replace(/^cite-/, ""));
    var close = el("button", "pop-close", "Close");
    close.type = "button";
    close.addEventListener("click", function () { pop.hidePopover(); });
    bar.append(title, label, close);
    pop.append(bar);
    var srcTitle = note.querySelector(".src-title");
    if (srcTitle) pop.append(el("p", "pop-src", srcTitle.textContent));
    var line = use(note, marker);
    if (line) pop.append(line);
    var rel = note.querySelector(".reliability");
    if (rel) {
      var text = rel.textContent.replace(/^\s*[^:]{1,30}:\s*/, "");
      pop.append(el("p", "pop-rel", firstSentence(text)));
    }
    var uses = note.querySelectorAll("a.backref").length;
    var all = el("a", "pop-all", uses > 1 ? "All " + uses + " uses of this source" : "The full note");
    all.href = marker.hash;
    all.addEventListener("click", function () {
      opener = null;
      pop.hidePopover();
      note.tabIndex = -1;
      reveal(marker.hash);
      setTimeout(function () { note.focus(); }, 0);
    });
    pop.append(all);
  }

  // Beside the marker and never over it: below it, or above when there is no room below;
  // on a phone a sheet along the bottom, the marker scrolled into the view above it.
  function place(marker) {
    var r = marker.getBoundingClientRect();
    if (phone.matches) {
      pop.classList.add("sheet");
      pop.style.left = pop.style.top = "";
      var room = window.innerHeight - pop.offsetHeight - 12;
      if (r.top < 8 || r.bottom > room) window.scrollBy(0, r.top - Math.max(8, room / 2));
      return;
    }
    pop.classList.remove("sheet");
    var w = pop.offsetWidth, h = pop.offsetHeight;
    var left = Math.min(Math.max(8, r.left - 16), document.documentElement.clientWidth - w - 8);
    var below = r.bottom + 6;
    var top = below + h <= window.innerHeight - 8 || r.top - h - 6 < 8 ? below : r.top - h - 6;
    pop.style.left = window.scrollX + left + "px";
    pop.style.top = window.scrollY + top + "px";
  }

  function open(marker, focus) {
    var note = document.getElementById(marker.hash.slice(1));
    if (!note) return false;
    clearTimeout(timer);
    if (opener === marker && pop.matches(":popover-open")) {
      if (focus) { pinned = true; pop.focus(); }
      return true;
    }
    if (pop.matches(":popover-open")) { opener = null; pop.hidePopover(); }
    opener = marker;
    pinned = focus;
    fill(marker, note);
    pop.showPopover();
    place(marker);
    if (focus) pop.focus();
    return true;
  }

  function later(close) {
    clearTimeout(timer);
    timer = setTimeout(close, 250);
  }
  function closeUnlessPinned() {
    if (!pinned && pop.matches(":popover-open")) pop.hidePopover();
  }

  document.addEventListener("click", function (event) {
    var marker = event.target.closest && event.target.closest("a.noteref");
    if (!marker) {
      var side = event.target.closest && event.target.closest(".sn[data-ref]");
      marker = side && document.getElementById(side.getAttribute("data-ref"));
    }
    if (!marker || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (open(marker, true)) event.preventDefault();
  });
  document.addEventListener("mouseover", function (event) {
    if (!hover.matches || !event.target.closest) return;
    var marker = event.target.closest("a.noteref");
    if (marker) {
      clearTimeout(timer);
      timer = setTimeout(function () { open(marker, false); }, 150);
    } else if (event.target.closest("#note-pop")) {
      clearTimeout(timer);
    }
  });
  document.addEventListener("mouseout", function (event) {
    if (!hover.matches || !event.target.closest) return;
    if (event.target.closest("a.noteref, #note-pop")) later(closeUnlessPinned);
  });
  // Keyboard: focusing a marker shows its preview; Enter moves into it; leaving closes it.
  document.addEventListener("focusin", function (event) {
    var marker = event.target.closest && event.target.closest("a.noteref");
    if (marker && !returning && marker.matches(":focus-visible")) open(marker, false);
    else if (!pop.contains(event.target) && pop.matches(":popover-open")) later(closeUnlessPinned);
  });
  // Closing gives focus back to the marker (the browser does, or the toggle handler): no reopening.
  pop.addEventListener("beforetoggle", function (event) {
    if (event.newState === "closed") returning = true;
  });
  pop.addEventListener("toggle", function (event) {
    if (event.newState !== "closed") return;
    returning = false;
    if (pop.matches(":popover-open")) return; // closed only to show another citation
    var inside = pop.contains(document.activeElement) || document.activeElement === document.body;
    var back = opener;
    opener = null;
    pinned = false;
    if (back && inside) {
      returning = true; // focus goes back to the marker: that does not open the preview again
      back.focus();
      returning = false;
    }
  });
  window.addEventListener("resize", function () { if (opener) place(opener); });
})();
