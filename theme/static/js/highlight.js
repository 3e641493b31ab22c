/* Enhancement for a page opened from a search result: the link carries the words
   the result matched (?hl=word+word, see search.js). Marks them in the element the
   #fragment names (else in its section: from its heading to the next heading at that
   level; with no fragment, in the whole of <main>), and scrolls so that the section's
   heading stays in view above the first mark when both fit. Without this script the
   link still opens the page at its fragment. */
(function () {
  "use strict";
  var words, id = "";
  try {
    words = (new URLSearchParams(window.location.search).get("hl") || "").split(/\s+/).filter(Boolean).slice(0, 6);
    id = decodeURIComponent(window.location.hash.slice(1));
  } catch (e) { return; }
  var main = document.getElementById("main");
  if (!words || !words.length || !main) return;
  var target = id ? document.getElementById(id) : null;
  if (target && !main.contains(target)) target = null;

  var alternatives = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|");
  var re;
  try { re = new RegExp("(^|[^\\p{L}\\p{N}])(" + alternatives + ")", "giu"); }
  catch (e) { re = new RegExp("(^|[^0-9a-z\\u00aa-\\uffff])(" + alternatives + ")", "gi"); }
  var SKIP = "script, style, mark, sup, nav, [aria-hidden=true], .sidenote, .notes, .toc";

  function level(el) { return /^H[1-6]$/.test(el.tagName) ? +el.tagName[1] : 0; }

  /* The heading of the section holding `el` (itself, if a heading). */
  function headingOf(el) {
    if (level(el)) return el;
    var found = null;
    main.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(function (h) {
      if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) found = h;
    });
    return found;
  }

  /* The text nodes of `root`; with a heading `from`, those of its section. */
  function texts(root, from) {
    var out = [];
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    if (from) walker.currentNode = from;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === 1) {
        if (from && level(node) && level(node) <= level(from)) break;
      } else if (node.data.trim() && !node.parentNode.closest(SKIP)) {
        out.push(node);
      }
    }
    return out;
  }

  /* Wraps every match in the nodes in <mark class="search-hl">; returns the first. */
  function mark(nodes) {
    var first = null;
    nodes.forEach(function (text) {
      var data = text.data, at = 0, m, frag = null;
      re.lastIndex = 0;
      while ((m = re.exec(data))) {
        var a = m.index + m[1].length;
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(data.slice(at, a)));
        var el = frag.appendChild(document.createElement("mark"));
        el.className = "search-hl";
        el.textContent = m[2];
        first = first || el;
        at = a + m[2].length;
      }
      if (!frag) return;
      frag.appendChild(document.createTextNode(data.slice(at)));
      text.parentNode.replaceChild(frag, text);
    });
    return first;
  }

  var first = target && !level(target) ? mark(texts(target)) : null;
  if (!first) {
    var section = target ? headingOf(target) : null;
    first = mark(section ? texts(main, section) : texts(main));
  }

  // Scroll: the subject's top below its section heading, both in view when they fit with the first mark.
  var subject = target || first;
  if (!subject) return;
  var heading = headingOf(subject);
  var room = window.innerHeight;
  var top = subject.getBoundingClientRect().top;
  var need = (first || subject).getBoundingClientRect().bottom - top + 16;
  var ideal = 16 + (heading ? top - heading.getBoundingClientRect().top : 0);
  var margin = ideal + need <= room ? ideal : Math.min(room / 4, Math.max(16, room - need));
  subject.style.scrollMarginTop = Math.round(margin) + "px";
  subject.scrollIntoView({ block: "start" });
})();
