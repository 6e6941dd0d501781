/* graph-service pages: autocomplete (ARIA combobox) and on-demand tree expansion.
   Dependency-free. Every page works without it: the search box submits to /search, and each
   tree toggle is a link that reopens the page with the node expanded. */
(function () {
  "use strict";

  /* ---------------------------------------------------------------- autocomplete */

  var DEBOUNCE_MS = 150;
  var counter = 0;

  function setupCombobox(input) {
    var endpoint = input.getAttribute("data-autocomplete");
    var id = input.id || "combo-" + (++counter);
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var timer = null;
    var controller = null;
    var sequence = 0;
    var items = [];
    var active = -1;

    list.id = id + "-listbox";
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", (input.labels && input.labels[0] ? input.labels[0].textContent : "") || "Suggestions");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function select(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function go(index) {
      if (!items[index]) return;
      if (input.hasAttribute("data-pick")) {
        // A form's picker (editor.js): the choice is added to the form, no page is left.
        input.dispatchEvent(new CustomEvent("gs-pick", { detail: items[index], bubbles: true }));
        close();
        return;
      }
      window.location.href = items[index].href;
    }

    function render(results) {
      items = results;
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      // Hits from several vocabularies ("Démocratie" of UNESCO and ours) say which is which.
      var vocabs = {};
      results.forEach(function (item) { vocabs[item.vocab] = true; });
      var several = Object.keys(vocabs).length > 1;
      function meta(text, className) {
        var span = document.createElement("span");
        span.className = className || "meta";
        span.textContent = text;  // text only: labels never become markup
        return span;
      }
      results.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        if (item.kind) option.setAttribute("data-kind", item.kind);
        // An old term: "ZUS → remplacé par " before the concept that replaces it.
        if (item.before) option.appendChild(meta(item.before, "meta before"));
        var label = document.createElement("span");
        label.textContent = item.label;  // text only: labels never become markup
        if (item.lang) label.lang = item.lang;
        option.appendChild(label);
        if (item.matched) option.appendChild(meta("(" + item.matched + ")"));
        if (item.note) option.appendChild(meta("(" + item.note + ")"));
        if (several && item.vocabTitle) option.appendChild(meta("— " + item.vocabTitle, "meta vocab"));
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { go(i); });
        list.appendChild(option);
      });
      var open = results.length > 0;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      status.textContent = results.length + " suggestion(s)";
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < 2) { render([]); return; }
      var params = new URLSearchParams({ q: text });
      var clang = input.getAttribute("data-clang");
      var lang = input.getAttribute("data-lang");
      if (clang) params.set("clang", clang);
      if (lang) params.set("lang", lang);
      var form = input.form;
      var vocab = form && form.querySelector("input[name=vocab]");
      var ownVocab = input.getAttribute("data-vocab");
      if (ownVocab) params.set("vocab", ownVocab);
      else if (vocab && vocab.value) params.set("vocab", vocab.value);
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var mine = ++sequence;
      fetch(endpoint + "?" + params.toString(), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (mine === sequence && document.activeElement === input) render(data.results || []);
      }).catch(function () { /* aborted or offline: the form still submits */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!isOpen && items.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
        select(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (isOpen) select(active - 1);
      } else if (event.key === "Enter") {
        if (isOpen && active >= 0) { event.preventDefault(); go(active); }
      } else if (event.key === "Escape") {
        if (isOpen) { event.preventDefault(); close(); } else { input.value = ""; }
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  /* ---------------------------------------------------------------- tree */

  function toggleTree(twisty) {
    var controls = twisty.getAttribute("aria-controls");
    var open = twisty.getAttribute("aria-expanded") === "true";
    var sub = controls && document.getElementById(controls);
    if (sub) {
      sub.hidden = open;
      twisty.setAttribute("aria-expanded", open ? "false" : "true");
      return;
    }
    if (twisty.getAttribute("aria-busy") === "true") return;
    twisty.setAttribute("aria-busy", "true");
    fetch(twisty.getAttribute("data-children"), { headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        // The fragment is server-rendered with every label escaped.
        var holder = document.createElement("template");
        holder.innerHTML = html.trim();
        var list = holder.content.querySelector("ul");
        if (!list) throw new Error("no list");
        list.id = controls;
        twisty.closest("li").appendChild(list);
        twisty.setAttribute("aria-expanded", "true");
      })
      .catch(function () { window.location.href = twisty.href; })
      .then(function () { twisty.removeAttribute("aria-busy"); });
  }

  function setupTree(root) {
    root.addEventListener("click", function (event) {
      var twisty = event.target.closest && event.target.closest("a.twisty");
      if (!twisty || !root.contains(twisty)) return;
      event.preventDefault();
      toggleTree(twisty);
    });
    root.addEventListener("keydown", function (event) {
      var twisty = event.target.closest && event.target.closest("a.twisty");
      if (!twisty) return;
      var open = twisty.getAttribute("aria-expanded") === "true";
      if (event.key === " " || (event.key === "ArrowRight" && !open) || (event.key === "ArrowLeft" && open)) {
        event.preventDefault();
        toggleTree(twisty);
      }
    });
    markButtons(root);
    new MutationObserver(function () { markButtons(root); }).observe(root, { childList: true, subtree: true });
  }

  function markButtons(root) {
    // With the script, a toggle acts in place: it is a button, not a link to another page.
    root.querySelectorAll("a.twisty:not([role])").forEach(function (twisty) {
      twisty.setAttribute("role", "button");
    });
  }

  function init() {
    document.querySelectorAll("input[data-autocomplete]").forEach(setupCombobox);
    document.querySelectorAll("[data-tree]").forEach(setupTree);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
