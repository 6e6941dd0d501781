/* The resource form (curation/resource_form.html): concept pickers with autocomplete, and
   subject suggestions added without a reload. Dependency-free. The form works without it:
   terms are typed one per line (IRIs or exact labels) and "Suggest subjects" submits the form. */
(function () {
  "use strict";

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

  /* ---------------------------------------------------------------- pickers */

  /* The search box is ui.js's combobox (data-autocomplete) in picker mode (data-pick): a
     chosen concept arrives as a "gs-pick" event and is ticked in the field's list. */
  function setupPicker(form, box) {
    var input = box.querySelector("input[data-pick]");
    if (!input) return;
    var field = input.getAttribute("data-pick");
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    box.appendChild(status);
    box.hidden = false;
    input.addEventListener("gs-pick", function (event) {
      var item = event.detail;
      addTerm(form, field, item.uri, item.label, item.lang);
      status.textContent = fill(form.getAttribute("data-added") || "{label}", item.label);
      input.value = "";
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();  // a search, never the form's submit
    });
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
