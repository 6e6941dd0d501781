/* The resource form (curation/resource_form.html): concept pickers with autocomplete, and
   subject suggestions added without a reload. Dependency-free. The form works without it:
   terms are typed one per line (IRIs or exact labels) and "Suggest subjects" submits the form. */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var FIELD_OF_VOCAB = { thematiques: "themes", territoires: "territories" };
  var counter = 0;

  function fill(template, label) { return template.replace("{label}", label); }

  /* Tick a concept in a field: a theme's box, or a chosen term's box (made if missing). */
  function addTerm(form, field, iri, label, lang) {
    var boxes = form.querySelectorAll("input[type=checkbox][name=" + field + "]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].value === iri && boxes[i].closest("[data-chips], .theme-list")) {
        boxes[i].checked = true;
        return;
      }
    }
    var list = form.querySelector("[data-chips=" + field + "]");
    if (!list) return;
    var item = document.createElement("li");
    var box = document.createElement("input");
    var text = document.createElement("label");
    box.type = "checkbox";
    box.name = field;
    box.value = iri;
    box.checked = true;
    box.id = field + "-added-" + (++counter);
    text.htmlFor = box.id;
    text.textContent = label;  // text only: labels never become markup
    if (lang) text.lang = lang;
    item.appendChild(box);
    item.appendChild(document.createTextNode(" "));
    item.appendChild(text);
    list.appendChild(item);
  }

  /* ---------------------------------------------------------------- pickers (ARIA combobox) */

  function setupPicker(form, box) {
    var input = box.querySelector("input");
    var field = box.getAttribute("data-field");
    var vocab = box.getAttribute("data-vocab");
    var list = document.createElement("ul");
    var status = document.createElement("div");
    var items = [], active = -1, timer = null, sequence = 0;
    box.hidden = false;
    list.id = input.id + "-listbox";
    list.className = "suggest-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.labels && input.labels[0] ? input.labels[0].textContent : field);
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.appendChild(list);
    box.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      input.setAttribute("aria-activedescendant", options[active].id);
    }
    function pick(index) {
      var item = items[index];
      if (!item) return;
      addTerm(form, field, item.uri, item.label, item.lang);
      status.textContent = fill(form.getAttribute("data-added") || "{label}", item.label);
      input.value = "";
      close();
    }
    function render(results) {
      items = results;
      list.textContent = "";
      results.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label + (item.matched ? " (" + item.matched + ")" : "");
        if (item.lang) option.lang = item.lang;
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { pick(i); });
        list.appendChild(option);
      });
      list.hidden = !results.length;
      input.setAttribute("aria-expanded", results.length ? "true" : "false");
      status.textContent = results.length + " suggestion(s)";
    }
    function lookup() {
      var text = input.value.trim();
      if (text.length < 2) { render([]); return; }
      var params = new URLSearchParams({ q: text, vocab: vocab });
      if (input.getAttribute("data-clang")) params.set("clang", input.getAttribute("data-clang"));
      var mine = ++sequence;
      fetch(input.getAttribute("data-endpoint") + "?" + params.toString(), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (mine === sequence) render(data.results || []); })
        .catch(function () { /* offline: the text area still takes labels */ });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(lookup, DEBOUNCE_MS); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Enter") { event.preventDefault(); if (active >= 0) pick(active); else if (items.length === 1) pick(0); }
      else if (event.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  /* ---------------------------------------------------------------- suggestions */

  /* Submit the form as its "Suggest subjects" button would: the server suggests. */
  function submitSuggest(form) {
    var action = document.createElement("input");
    action.type = "hidden";
    action.name = "action";
    action.value = "suggest";
    form.appendChild(action);
    HTMLFormElement.prototype.submit.call(form);
  }

  function setupSuggest(form, button) {
    var target = document.getElementById("suggestions");
    button.addEventListener("click", function (event) {
      if (!window.fetch || !target) return;  // the form submits: the server suggests
      event.preventDefault();
      var titles = [], texts = [];
      form.querySelectorAll("input[name^='title.']").forEach(function (i) { if (i.value.trim()) titles.push(i.value.trim()); });
      form.querySelectorAll("textarea[name^='description.']").forEach(function (t) { if (t.value.trim()) texts.push(t.value.trim()); });
      var text = titles.concat(texts).join("\n\n");
      if (!text) { submitSuggest(form); return; }
      button.setAttribute("aria-busy", "true");
      fetch(form.getAttribute("data-suggest"), {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ text: text, title: titles.join(" "), limit: 20 })
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (data) {
        showSuggestions(form, target, data.results || []);
      }).catch(function () {
        submitSuggest(form);  // let the server do it
      }).then(function () { button.removeAttribute("aria-busy"); });
    });
  }

  function showSuggestions(form, target, results) {
    target.textContent = "";
    var fresh = results.filter(function (hit) {
      if (["notions", "thematiques", "territoires"].indexOf(hit.vocab_id) < 0) return false;  // a type has its own list
      return !form.querySelector("[data-chips] input[value='" + CSS.escape(hit.iri) + "']:checked, .theme-list input[value='" + CSS.escape(hit.iri) + "']:checked");
    });
    var note = document.createElement("p");
    note.className = "meta";
    note.textContent = fresh.length ? "" : form.getAttribute("data-no-suggestion");
    target.appendChild(note);
    var list = document.createElement("ul");
    list.className = "suggestions";
    fresh.forEach(function (hit) {
      var item = document.createElement("li");
      var add = document.createElement("button");
      add.type = "button";
      add.textContent = fill(form.getAttribute("data-add"), hit.label);
      if (hit.lang) add.lang = hit.lang;
      add.addEventListener("click", function () {
        addTerm(form, FIELD_OF_VOCAB[hit.vocab_id] || "subjects", hit.iri, hit.label, hit.lang);
        add.disabled = true;
        add.textContent = fill(form.getAttribute("data-added"), hit.label);
      });
      var vocab = document.createElement("span");
      vocab.className = "meta";
      vocab.textContent = " (" + hit.vocab_id + ")";
      item.appendChild(add);
      item.appendChild(vocab);
      list.appendChild(item);
    });
    target.appendChild(list);
  }

  function init() {
    var form = document.getElementById("f-form");
    if (!form || !window.fetch) return;
    form.querySelectorAll("[data-term-search]").forEach(function (box) { setupPicker(form, box); });
    var button = form.querySelector("[data-suggest-button]");
    if (button) setupSuggest(form, button);
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
