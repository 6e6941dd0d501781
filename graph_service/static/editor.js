/* graph-service editor forms: concept pickers. A picker is a list of ticked checkboxes (the
   values the form sends) and a text input with the autocomplete of ui.js; choosing a
   suggestion adds a ticked checkbox with its label. Without the script, the input itself
   takes an IRI pasted in, and unticking a box removes a value. */
(function () {
  "use strict";

  function addPicked(input, item) {
    var name = input.getAttribute("data-pick");
    var list = input.closest("fieldset").querySelector("ul.picked");
    if (!list) return;
    var existing = list.querySelectorAll("input[type=checkbox]");
    for (var i = 0; i < existing.length; i++) {
      if (existing[i].value === item.uri) { existing[i].checked = true; return; }
    }
    if (input.hasAttribute("data-single")) {
      // One value only (a replacement, a merge target): the new choice replaces the old.
      list.textContent = "";
    }
    var li = document.createElement("li");
    var label = document.createElement("label");
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = name;
    box.value = item.uri;
    box.checked = true;
    var text = document.createElement("span");
    text.textContent = " " + item.label;  // text only: labels never become markup
    if (item.lang) text.lang = item.lang;
    label.appendChild(box);
    label.appendChild(text);
    li.appendChild(label);
    list.appendChild(li);
  }

  function setup(input) {
    // With the script, the typed text is a search, not a value: the form must not send it.
    input.removeAttribute("name");
    input.addEventListener("gs-pick", function (event) {
      addPicked(input, event.detail);
      input.value = "";
      input.focus();
    });
    input.addEventListener("keydown", function (event) {
      // Enter in a picker never submits the whole form by accident.
      if (event.key !== "Enter") return;
      event.preventDefault();
      var value = input.value.trim();
      if (/^https?:\/\/\S+$/.test(value) && input.getAttribute("aria-activedescendant") === null) {
        addPicked(input, { uri: value, label: value });  // an IRI pasted in
        input.value = "";
      }
    });
  }

  function setupMappingVocab(select) {
    // The mapping pickers search the vocabulary chosen here (all of them when none is).
    var fieldset = select.closest("fieldset");
    select.addEventListener("change", function () {
      fieldset.querySelectorAll("input[data-pick]").forEach(function (input) {
        if (select.value) input.setAttribute("data-vocab", select.value);
        else input.removeAttribute("data-vocab");
      });
    });
  }

  function init() {
    document.querySelectorAll("input[data-pick]").forEach(setup);
    document.querySelectorAll("select[data-mapping-vocab]").forEach(setupMappingVocab);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
