// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Disable the submit buttons of a form once it is sent, so a double tap posts once.
  // (After the event: the pressed button's name/value is already in the form data.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.noDisable !== undefined) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Coming back with the browser's Back button restores the page from memory, buttons
  // still disabled: enable them again so the officer is never stuck.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[disabled], input[type=submit][disabled]").forEach(function (b) {
      if (b.dataset.keepDisabled === undefined) b.disabled = false;
    });
  });

  // The menu on a phone: a "Menu" button opens the whole list (CSS shows it only below
  // 600 px; without JavaScript the list simply wraps).
  function setUpMenu() {
    var nav = document.querySelector(".mainnav");
    if (!nav) return;
    var toggle = nav.querySelector(".nav-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    nav.classList.add("js-menu");
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        nav.classList.remove("open");
        toggle.setAttribute("aria-expanded", "false");
        toggle.focus();
      }
    });
  }

  // Tables on a phone become stacked rows (CSS, table.stack): each cell needs its
  // column's name in data-label. Templates may write it; otherwise it is copied from the
  // <thead> here (colspan counted). A cell holding only an amount is marked .num so the
  // figure never breaks. Tables with form fields, or data-stack="no", stay tables; so do
  // two-column tables (name and figure), unless data-stack="yes".
  var AMOUNT = /^[-\u2212(]?\s*(Rp\s?)?[-\u2212]?\s*\d{1,3}([.\u00a0 ]\d{3})*(,\d+)?\)?%?$/;
  function labelTable(table) {
    if (table.dataset.stack === "no") return;
    if (table.querySelector("input:not([type=hidden]), select, textarea")) return;
    var labels = [];
    var head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (head) {
      Array.prototype.forEach.call(head.cells, function (th) {
        var text = th.textContent.replace(/\s+/g, " ").trim();
        for (var i = 0; i < (th.colSpan || 1); i++) labels.push(text);
      });
    }
    Array.prototype.forEach.call(table.tBodies, function (body) { mark(body, labels); });
    if (table.tFoot) mark(table.tFoot, labels);
    // Two columns (a name and a figure) fit a phone as they are; wider tables stack.
    var columns = labels.length;
    Array.prototype.forEach.call(table.rows, function (row) {
      var width = 0;
      Array.prototype.forEach.call(row.cells, function (cell) { width += cell.colSpan || 1; });
      columns = Math.max(columns, width);
    });
    if (columns >= 3 || table.dataset.stack === "yes") table.classList.add("stack");
  }
  function mark(section, labels) {
    Array.prototype.forEach.call(section.rows, function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.hasAttribute("data-label") && labels[column] && (cell.colSpan || 1) === 1) {
          cell.setAttribute("data-label", labels[column]);
        }
        if (AMOUNT.test(cell.textContent.trim())) cell.classList.add("num");
        column += cell.colSpan || 1;
      });
    });
  }

  // "Print" buttons (web/partials/_print_button.html): shown only where JavaScript runs,
  // they open the browser's print dialog (a laptop's printer, or Android's print service).
  function setUpPrint() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      var bar = button.closest("[data-print-bar]");
      if (bar) bar.hidden = false;
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Amounts and dates written inside sentences ("Angsuran berikutnya: Rp 1.330.738 jatuh
  // tempo 07-01-2027") are kept on one line too: each is wrapped in <span class="amount">
  // (or "nowrap" for a date or a number), so a narrow screen breaks the sentence around them.
  // Also account and loan numbers ("0001-S", "PJ-000001"), which a hyphen would split.
  var INLINE = /Rp\s?[-\u2212]?\d{1,3}(?:\.\d{3})*(?:,\d+)?|\b\d{2}-\d{2}-\d{4}\b|\b\d{3,6}-[A-Z]{1,2}\b|\b[A-Z]{2,3}-\d{3,8}\b/g;
  var SKIP = "script, style, textarea, select, option, code, pre, .amount, .num, .nowrap";
  function keepWhole(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    var node;
    while ((node = walker.nextNode())) {
      INLINE.lastIndex = 0;
      if (INLINE.test(node.nodeValue) && !(node.parentElement && node.parentElement.closest(SKIP))) {
        nodes.push(node);
      }
    }
    nodes.forEach(function (text) {
      var value = text.nodeValue;
      var fragment = document.createDocumentFragment();
      var last = 0;
      INLINE.lastIndex = 0;
      var match;
      while ((match = INLINE.exec(value))) {
        if (match.index > last) fragment.appendChild(document.createTextNode(value.slice(last, match.index)));
        var span = document.createElement("span");
        span.className = match[0].indexOf("Rp") === 0 ? "amount" : "nowrap";
        span.textContent = match[0];
        fragment.appendChild(span);
        last = match.index + match[0].length;
      }
      if (last < value.length) fragment.appendChild(document.createTextNode(value.slice(last)));
      text.parentNode.replaceChild(fragment, text);
    });
  }

  function ready() {
    setUpMenu();
    document.querySelectorAll("main table").forEach(labelTable);
    var main = document.querySelector("main");
    if (main) keepWhole(main);
    setUpPrint();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  // Content swapped in by htmx gets the same treatment.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.target;
    if (!target || !target.querySelectorAll) return;
    if (target.tagName === "TABLE") labelTable(target);
    target.querySelectorAll("table").forEach(labelTable);
    keepWhole(target);
  });
})();
