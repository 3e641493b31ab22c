/* Site search. Works over http and from disk (file://): the index is a plain
   script, search-index.js, that sets window.SEARCH_INDEX (see
   plugins/sitesearch/index.py for its shape), so there is no fetch, no module
   and no network request. Case- and accent-insensitive, and forgiving of the
   spellings of the names in the text (see VARIANTS), of a hyphen inside a word
   and of digit grouping; every query word must match: whole, or (the last one,
   being typed) as the start of a word, or, for a word of 5 letters or more that
   the site does not use, a word one edit away ("guarantess"). Exact matches
   rank first, then the words together as typed, then page-title hits, then more
   hits. A result is labelled by its page's name and section; its link carries
   the words it matched (?hl=) for highlight.js on the page it opens.
   A large index comes as a head and shards (plugins/sitesearch/shards.py): the
   head names every word of the site and the shards that hold it, so a query loads
   only the shards where all its words can match, each by a plain <script> that
   calls window.SEARCH_SHARD, and finds what one file would have found.
   Page text only ever reaches the page as text nodes, never as HTML. */
(function () {
  "use strict";

  var MAX_RESULTS = 30;
  var DEBOUNCE_MS = 200;
  var SNIPPET_CHARS = 200;
  var CONTEXT_BEFORE = 60;
  var MAX_WORDS = 12;
  var MIN_TYPO = 5;   // words this long may be one edit away from a word of the site
  var MAX_HL = 6;     // words passed on to the page a result opens

  var form = document.getElementById("search-form");
  var input = document.getElementById("search-input");
  var results = document.getElementById("search-results");
  var count = document.getElementById("search-count");
  var list = document.getElementById("search-list");
  if (!form || !input || !results || !count || !list) return;

  var data = window.SEARCH_INDEX;
  if (!data || !data.p || !(data.u || (data.s && data.w))) {
    count.textContent = "The search index could not be loaded, so search is not available.";
    return;
  }
  var root = (results.getAttribute("data-root") || "").replace(/\/+$/, "");

  // Letters and digits in any script; a plain fallback for engines without \p{...}.
  var UNICODE = (function () {
    try { return new RegExp("\\p{L}", "u").test("\u00e9"); } catch (e) { return false; }
  }());
  var WORD = UNICODE ? "[\\p{L}\\p{N}]" : "[0-9a-z\\u00aa-\\uffff]";
  var NOT_WORD = UNICODE ? "[^\\p{L}\\p{N}]" : "[^0-9a-z\\u00aa-\\uffff]";
  var FLAGS = UNICODE ? "gu" : "g";
  var SPLIT = new RegExp(NOT_WORD + "+", FLAGS);
  var MARKS = UNICODE ? /\p{M}+/gu : /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+/g;
  var ASCII = /^[\x00-\x7f]*$/;
  var ONE_NOT_WORD = new RegExp("^" + NOT_WORD + "$", UNICODE ? "u" : "");
  var DIGIT = /^[0-9]$/;
  var HYPHENS = "-\u2010\u2011";
  var GROUPING = ",.\u202f\u00a0 ";

  /* Spellings read alike, in the text and in the query (each rule gives the canonical
     form the other rules would make: "dnieper" reads "dniaper"): transliterations of the
     names the articles use (Zaporizhzhia, Zaporizhia, Zaporozhye; Zelensky,
     Zelenskyy; Donbas, Donbass; Dnieper, Dnipro; -ia, -ya, -ye). Longest first. */
  var VARIANTS = [["zaporozh", "zaporizh"], ["dnipro", "dniaper"], ["zhzh", "zh"], ["yy", "y"], ["ss", "s"],
                  ["ya", "ia"], ["ye", "ia"], ["ie", "ia"]];

  function isWord(ch) { return ch !== undefined && ch !== "" && !ONE_NOT_WORD.test(ch); }

  /* `f` (folded, with where each character came from) with VARIANTS applied, a hyphen
     between letters dropped ("cease-fire") and digit grouping dropped ("600,000"). */
  function canon(f) {
    var t = f.text, out = "", starts = [], ends = [];
    for (var i = 0; i < t.length;) {
      var ch = t[i];
      if (HYPHENS.indexOf(ch) !== -1 && isWord(t[i - 1]) && isWord(t[i + 1])) { i++; continue; }
      if (GROUPING.indexOf(ch) !== -1 && DIGIT.test(t[i - 1] || "") &&
          /^[0-9]{3}(?![0-9])/.test(t.slice(i + 1, i + 5))) { i++; continue; }
      var rule = null;
      for (var r = 0; r < VARIANTS.length; r++) {
        if (t.substr(i, VARIANTS[r][0].length) === VARIANTS[r][0]) { rule = VARIANTS[r]; break; }
      }
      var from = rule ? rule[0].length : 1;
      var to = rule ? rule[1] : ch;
      for (var k = 0; k < to.length; k++) { starts.push(f.starts[i]); ends.push(f.ends[i + from - 1]); }
      out += to;
      i += from;
    }
    return { text: out, starts: starts, ends: ends };
  }

  /* Lower case without accents. With `keepMap`, also where each folded
     character came from: folded[i] comes from original[starts[i]..ends[i]). */
  function fold(text, keepMap) {
    if (!keepMap && ASCII.test(text)) {
      var lower = text.toLowerCase();
      var same = [];
      for (var j = 0; j < lower.length; j++) same.push(j);
      return canon({ text: lower, starts: same, ends: same.map(function (n) { return n + 1; }) }).text;
    }
    var out = "";
    var starts = [];
    var ends = [];
    for (var i = 0; i < text.length;) {
      var code = text.codePointAt(i);
      var size = code > 0xffff ? 2 : 1;
      var ch = text.slice(i, i + size);
      var folded = code < 128 ? ch.toLowerCase() : ch.toLowerCase().normalize("NFKD").replace(MARKS, "");
      out += folded;
      if (keepMap) {
        for (var k = 0; k < folded.length; k++) { starts.push(i); ends.push(i + size); }
      }
      i += size;
    }
    var canonical = canon({ text: out, starts: starts, ends: ends });
    return keepMap ? canonical : canonical.text;
  }

  function escape(word) { return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

  function wordRe(alternatives, whole) {
    return new RegExp("(^|" + NOT_WORD + ")(" + alternatives.map(escape).join("|") + ")" +
      (whole ? "(?!" + WORD + ")" : ""), FLAGS);
  }

  /* True if a and b (a != b) are one edit apart: a letter added, dropped, changed,
     or two neighbours swapped. */
  function oneEdit(a, b) {
    var la = a.length, lb = b.length, i = 0;
    if (Math.abs(la - lb) > 1) return false;
    while (i < la && i < lb && a[i] === b[i]) i++;
    if (la === lb) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /* Words of the site one edit from `word`, if the site does not use `word` itself
     (nor, for the word being typed, any word starting with it). */
  function nearWords(word, last) {
    if (word.length < MIN_TYPO || /[0-9]/.test(word) || vocabulary[word]) return [];
    var found = [];
    for (var w in vocabulary) {
      if (last && w.lastIndexOf(word, 0) === 0) return [];
      if (oneEdit(word, w)) found.push(w);
    }
    return found;
  }

  /* What the word being typed may become once folded, if it ends in the start of
     a spelling VARIANTS reads alike: "zaporo" (of Zaporozhye) may be "zaporizh". */
  function typing(word) {
    var out = [word];
    VARIANTS.forEach(function (rule) {
      for (var k = 1; k < rule[0].length; k++) {
        if (word.slice(-k) !== rule[0].slice(0, k)) continue;
        var whole = fold(word.slice(0, -k) + rule[0]);
        if (out.indexOf(whole) === -1) out.push(whole);
      }
    });
    return out;
  }

  /* One matcher per query word, with a regular expression per kind of match:
     the whole word, the start of a word (the last word only), a word one edit
     away. fold() has already read spelling variants alike. */
  function parse(query) {
    var words = fold(query).split(SPLIT).filter(function (w, i, all) {
      return w && all.indexOf(w) === i;
    }).slice(0, MAX_WORDS);
    var matchers = words.map(function (word, i) {
      var last = i === words.length - 1;
      var near = nearWords(word, last);
      var exact = wordRe([word], true);
      var starts = last ? typing(word) : [];
      var res = [last ? wordRe(starts, false) : exact];
      if (near.length) res.push(wordRe(near, true));
      // The words of the site it may match: itself (or, being typed, any word it starts) and those near it.
      return { exact: exact, res: res, whole: last ? near : [word].concat(near), starts: starts };
    });
    // The words together, in order ("21 November"), rank above the same words apart.
    if (words.length > 1) {
      matchers.phrase = new RegExp("(^|" + NOT_WORD + ")" + words.map(escape).join(NOT_WORD + "+"), FLAGS);
    }
    return matchers;
  }

  function hits(re, text) {
    var n = 0;
    re.lastIndex = 0;
    while (re.exec(text)) n++;
    return n;
  }

  /* Occurrences of a query word in `text` (res[0] finds the exact ones too), and
     whether one of them is exact. */
  function tally(matcher, text) {
    var n = 0;
    for (var r = 0; r < matcher.res.length; r++) n += hits(matcher.res[r], text);
    return { n: n, exact: n > 0 && hits(matcher.exact, text) > 0 };
  }

  /* Matched stretches of `text`, as [start, end) in the original string, in order, merged. */
  function ranges(text, matchers) {
    var f = fold(text, true);
    var found = [];
    each(matchers, f.text, function (a, b) { found.push([f.starts[a], f.ends[b - 1]]); });
    found.sort(function (x, y) { return x[0] - y[0] || y[1] - x[1]; });
    var merged = [];
    found.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /* Text nodes and <mark> elements for text[start, end). */
  function highlighted(text, found, start, end) {
    var frag = document.createDocumentFragment();
    var at = start;
    found.forEach(function (r) {
      var a = Math.max(r[0], start);
      var b = Math.min(r[1], end);
      if (b <= a || a < at) return;
      if (a > at) frag.appendChild(document.createTextNode(text.slice(at, a)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(a, b);
      frag.appendChild(mark);
      at = b;
    });
    if (at < end) frag.appendChild(document.createTextNode(text.slice(at, end)));
    return frag;
  }

  /* Calls found(start, end, wordNumber) for every match of every query word in folded text. */
  function each(matchers, folded, found) {
    matchers.forEach(function (matcher, id) {
      matcher.res.forEach(function (re) {
        re.lastIndex = 0;
        var m;
        while ((m = re.exec(folded))) {
          var a = m.index + m[1].length;
          if (m[2].length) found(a, a + m[2].length, id);
        }
      });
    });
  }

  /* Where the shortest stretch of `text` holding a match of every query word begins:
     of exact matches if there are, so that the snippet shows them. */
  function closest(text, matchers) {
    var f = fold(text, true);
    var exact = matchers.map(function (m) { return { res: [m.exact] }; });
    var best = shortest(f, exact);
    return best !== null ? best : shortest(f, matchers, true);
  }

  function shortest(f, matchers, any) {
    var all = [];
    each(matchers, f.text, function (a, b, id) { all.push([f.starts[a], id]); });
    all.sort(function (x, y) { return x[0] - y[0]; });
    var count = {}, seen = 0, lo = 0, best = null;
    for (var hi = 0; hi < all.length; hi++) {
      if (!count[all[hi][1]]) seen++;
      count[all[hi][1]] = (count[all[hi][1]] || 0) + 1;
      while (seen === matchers.length) {
        if (best === null || all[hi][0] - all[lo][0] < best[1] - best[0]) best = [all[lo][0], all[hi][0]];
        count[all[lo][1]]--;
        if (!count[all[lo][1]]) seen--;
        lo++;
      }
    }
    if (best) return best[0];
    return any ? (all.length ? all[0][0] : 0) : null;
  }

  function snippet(text, matchers) {
    var found = ranges(text, matchers);
    var start = 0;
    var end = text.length;
    if (text.length > SNIPPET_CHARS) {
      // Show the words together where they stand closest, not only the first of them.
      var first = closest(text, matchers);
      if (first > CONTEXT_BEFORE) {
        start = first - CONTEXT_BEFORE;
        var space = text.indexOf(" ", start);
        start = space !== -1 && space < first ? space + 1 : first;
      }
      end = Math.min(text.length, start + SNIPPET_CHARS);
      if (end < text.length) {
        var cut = text.lastIndexOf(" ", end);
        if (cut > start) end = cut;
      }
    }
    var frag = document.createDocumentFragment();
    if (start > 0) frag.appendChild(document.createTextNode("\u2026 "));
    frag.appendChild(highlighted(text, found, start, end));
    if (end < text.length) frag.appendChild(document.createTextNode(" \u2026"));
    return frag;
  }

  var units = null;
  var titles = null;
  /* The words of the site. With one file: word -> true, learnt from the text. With
     shards: word -> the numbers of the shards where it is in a unit's section or text
     or in the title of one of their pages, from the head. */
  var vocabulary = Object.create(null);
  var shards = null;
  function learn(folded, shard) {
    folded.split(SPLIT).forEach(function (w) {
      if (!w) return;
      if (shard === undefined) vocabulary[w] = true;
      else if (!vocabulary[w]) vocabulary[w] = [shard];
      else if (vocabulary[w].indexOf(shard) === -1) vocabulary[w] = vocabulary[w].concat([shard]);
    });
    return folded;
  }

  /* "0-2,5" -> [0, 1, 2, 5] */
  function shardList(key) {
    var out = [];
    key.split(",").forEach(function (part) {
      var ends = part.split("-").map(Number);
      for (var n = ends[0]; n <= ends[ends.length - 1]; n++) out.push(n);
    });
    return out;
  }

  function prepare() {
    units = [];
    var pageShard = [];
    if (data.s) {
      shards = data.s.map(function (s, n) {
        for (var p = s[1]; p < (n + 1 < data.s.length ? data.s[n + 1][1] : data.p.length); p++) pageShard[p] = n;
        return { file: s[0], first: s[2], state: "", callbacks: [] };
      });
      Object.keys(data.w).forEach(function (key) {
        var where = shardList(key);
        data.w[key].split(" ").forEach(function (w) { if (w) vocabulary[w] = where; });
      });
    }
    titles = data.p.map(function (page, n) { return learn(fold(page[1] || ""), shards ? pageShard[n] : undefined); });
    if (data.u) add(data.u, 0);
  }

  /* A result's label: the page title for a page's own entry, else the page's name
     and the section: "Point 21 · Territory › Where reports differ". */
  function add(list, first) {
    var known = shards ? function (folded) { return folded; } : learn;
    list.forEach(function (u, i) {
      var page = data.p[u.p] || ["", "", ""];
      var isPage = typeof u.l !== "string";
      var name = page[2] || page[1] || u.u;
      units.push({
        order: first + i,
        url: u.u,
        label: isPage ? page[1] || u.u : (u.l ? name + " \u203a " + u.l : name),
        text: u.x || "",
        section: isPage ? "" : u.l,
        isPage: isPage,
        fTitle: titles[u.p] || "",
        fLabel: isPage ? titles[u.p] || "" : known(fold(u.l)),
        fText: known(fold(u.x || ""))
      });
    });
  }

  /* The shards that may hold a unit matching every query word: for each word, those
     that hold a word of the site it may match. */
  function needed(matchers) {
    var common = null;
    matchers.forEach(function (m) {
      var here = Object.create(null);
      var mark = function (w) { (vocabulary[w] || []).forEach(function (n) { here[n] = true; }); };
      m.whole.forEach(mark);
      if (m.starts.length) {
        for (var w in vocabulary) {
          for (var k = 0; k < m.starts.length; k++) {
            if (w.lastIndexOf(m.starts[k], 0) === 0) { mark(w); break; }
          }
        }
      }
      common = common === null ? here : Object.keys(common).reduce(function (both, n) {
        if (here[n]) both[n] = true;
        return both;
      }, Object.create(null));
    });
    return Object.keys(common || {}).map(Number);
  }

  /* Loads the shards numbered `numbers`, then calls done(ok): a plain <script> each,
     which works from disk too. A shard that failed to load is tried again next time. */
  function load(numbers, done) {
    var waiting = numbers.length;
    var ok = true;
    numbers.forEach(function (n) {
      var shard = shards[n];
      shard.callbacks.push(function (loaded) {
        ok = ok && loaded;
        if (--waiting === 0) done(ok);
      });
      if (shard.state === "loading") return;
      shard.state = "loading";
      var script = document.createElement("script");
      var settle = function () {
        if (shard.state !== "loaded") shard.state = "";
        var callbacks = shard.callbacks;
        shard.callbacks = [];
        callbacks.forEach(function (callback) { callback(shard.state === "loaded"); });
      };
      script.onload = settle;
      script.onerror = settle;
      script.src = href(shard.file);
      document.head.appendChild(script);
    });
  }

  window.SEARCH_SHARD = function (n, list) {
    var shard = shards && shards[n];
    if (!shard || shard.state === "loaded") return;
    add(list, shard.first);
    shard.state = "loaded";
  };

  /* -1 if the unit does not match. Every word must occur in the page title,
     the unit's section or its text, and at least one in the section or text (a
     page's own entry has the title as its label). Exact words count most, then
     the words together as typed (in the label, then in the text), then words in
     the page title, then the page's own entry, then hits in the text, then in
     the label. */
  function score(unit, matchers) {
    var exact = 0;
    var titleWords = 0;
    var own = 0;
    var total = 0;
    for (var i = 0; i < matchers.length; i++) {
      var t = tally(matchers[i], unit.fTitle);
      var l = tally(matchers[i], unit.fLabel);
      var x = tally(matchers[i], unit.fText);
      if (!t.n && !l.n && !x.n) return -1;
      if (t.exact || l.exact || x.exact) exact++;
      if (t.n) titleWords++;
      own += l.n + x.n;
      total += 2 * x.n + l.n;
    }
    if (!own) return -1;
    var phrase = !matchers.phrase ? 0 :
      hits(matchers.phrase, unit.fLabel) ? 2 : hits(matchers.phrase, unit.fText) ? 1 : 0;
    return exact * 100000 + phrase * 10000 + titleWords * 1000 + (unit.isPage ? 500 : 0) + Math.min(total, 499);
  }

  /* The link to a result, carrying the words it matched in its text and section (?hl=). */
  function resultHref(unit, matchers) {
    var seen = [];
    [unit.text, unit.section].forEach(function (text) {
      ranges(text, matchers).forEach(function (r) {
        var word = text.slice(r[0], r[1]).toLowerCase();
        if (seen.indexOf(word) === -1 && seen.length < MAX_HL) seen.push(word);
      });
    });
    var url = unit.url;
    if (seen.length) {
      var hash = url.indexOf("#");
      var path = hash === -1 ? url : url.slice(0, hash);
      url = path + "?hl=" + encodeURIComponent(seen.join(" ")) + (hash === -1 ? "" : url.slice(hash));
    }
    return href(url);
  }

  function href(url) {
    return root ? root + "/" + url : "/" + url;
  }

  function plural(n) {
    return n === 1 ? "1 result" : n + " results";
  }

  var showAll = false;
  var more = null;
  var latest = 0;

  /* Shows the results for `query`, once the shards it needs are there (at once with one file). */
  function search(query) {
    if (!units) prepare();
    var matchers = parse(query);
    var ticket = ++latest;
    var missing = !shards || !matchers.length ? [] : needed(matchers).filter(function (n) {
      return shards[n].state !== "loaded";
    });
    if (!missing.length) {
      show(query, matchers);
      return;
    }
    load(missing, function (ok) {
      if (ticket !== latest) return;  // a later query has been asked meanwhile
      if (ok) {
        show(query, matchers);
        return;
      }
      list.textContent = "";
      if (more) { more.remove(); more = null; }
      count.textContent = "Part of the search index could not be loaded, so search is not available.";
    });
  }

  function show(query, matchers) {
    list.textContent = "";
    if (more) { more.remove(); more = null; }
    if (!matchers.length) {
      count.textContent = "";
      return;
    }
    var matched = [];
    units.forEach(function (unit) {
      var s = score(unit, matchers);
      if (s >= 0) matched.push({ unit: unit, score: s });
    });
    matched.sort(function (a, b) { return b.score - a.score || a.unit.order - b.unit.order; });
    if (!matched.length) {
      count.textContent = "No results for \u201c" + query.trim() + "\u201d.";
      return;
    }
    var limit = showAll ? matched.length : MAX_RESULTS;
    count.textContent = plural(matched.length) +
      (matched.length > limit ? ", showing the first " + limit : "");
    if (matched.length > limit) {
      more = document.createElement("button");
      more.type = "button";
      more.className = "search-more";
      more.textContent = "Show all " + matched.length + " results";
      more.addEventListener("click", function () {
        showAll = true;
        search(query);
        var next = list.children[limit];
        if (next) next.querySelector("a").focus();
      });
      list.after(more);
    }
    matched.slice(0, limit).forEach(function (hit) {
      var unit = hit.unit;
      var item = document.createElement("li");
      item.className = "search-result";
      var link = document.createElement("a");
      link.href = resultHref(unit, matchers);
      link.appendChild(highlighted(unit.label, ranges(unit.label, matchers), 0, unit.label.length));
      item.appendChild(link);
      if (unit.text) {
        var text = document.createElement("p");
        text.className = "search-snippet";
        text.appendChild(snippet(unit.text, matchers));
        item.appendChild(text);
      }
      list.appendChild(item);
    });
  }

  function remember(query) {
    try {
      var url = new URL(window.location.href);
      if (query.trim()) url.searchParams.set("q", query.trim());
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url.href);
    } catch (e) {
      // Some browsers refuse to rewrite file:// addresses; the search still works.
    }
  }

  var timer = null;
  input.addEventListener("input", function () {
    showAll = false;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { search(input.value); }, DEBOUNCE_MS);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    window.clearTimeout(timer);
    search(input.value);
    remember(input.value);
  });

  var initial = "";
  try {
    initial = new URLSearchParams(window.location.search).get("q") || "";
  } catch (e) {
    initial = "";
  }
  if (initial) input.value = initial;
  if (input.value) search(input.value);
}());
