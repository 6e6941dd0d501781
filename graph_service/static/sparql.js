// The SPARQL query page: runs the editor's query with fetch and draws the answer with DOM
// methods only (textContent, never innerHTML with data). Without JavaScript the form posts to
// /sparql and the server renders the same table.
(function () {
  "use strict";

  var form = document.getElementById("sparql-form");
  if (!form || !window.fetch) return;
  var editor = document.getElementById("query");
  var results = document.getElementById("results");
  var status = document.getElementById("status");
  var downloads = document.getElementById("downloads");
  var endpoint = form.getAttribute("data-endpoint");
  var french = document.documentElement.lang !== "en";
  var GRAPH_FORM = /^(?:\s|#[^\n]*\n|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)*(CONSTRUCT|DESCRIBE)\b/i;
  var ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";

  function say(fr, en) { return french ? fr : en; }

  function kindOf(query) { return GRAPH_FORM.test(query) ? "graph" : "results"; }

  function updateDownloads() {
    var query = editor.value;
    var kind = kindOf(query);
    var links = downloads.querySelectorAll("a[data-format]");
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var params = new URLSearchParams({ query: query, format: link.getAttribute("data-format") });
      link.href = endpoint + "?" + params.toString();
      link.hidden = link.getAttribute("data-kind") !== kind;
    }
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function element(name, text, className) {
    var node = document.createElement(name);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      if (/^https?:\/\//i.test(term.value)) {
        var link = element("a", term.value);
        link.href = term.value;
        td.appendChild(link);
      } else {
        td.textContent = term.value;
      }
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      var value = element("span", term.value);
      if (term["xml:lang"]) {
        value.lang = term["xml:lang"];
        td.appendChild(value);
        td.appendChild(element("span", "@" + term["xml:lang"], "lang"));
      } else {
        td.appendChild(value);
        if (term.datatype) {
          td.appendChild(element("span", "^^" + term.datatype.split("#").pop(), "datatype"));
        }
      }
    }
    return td;
  }

  function drawTable(data) {
    var vars = data.head.vars || [];
    var rows = data.results.bindings;
    results.appendChild(element("p", rows.length + " " + say("résultat(s)", "result(s)"), "count"));
    var wrap = element("div", null, "table-wrap");
    var table = document.createElement("table");
    var head = document.createElement("tr");
    vars.forEach(function (name) {
      var th = element("th", "?" + name);
      th.scope = "col";
      head.appendChild(th);
    });
    table.appendChild(document.createElement("thead")).appendChild(head);
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      vars.forEach(function (name) { tr.appendChild(cell(row[name])); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    wrap.appendChild(table);
    results.appendChild(wrap);
  }

  function draw(contentType, text) {
    clear(results);
    if (contentType.indexOf("json") !== -1) {
      var data = JSON.parse(text);
      if (typeof data.boolean === "boolean") {
        results.appendChild(element("p", data.boolean ? say("vrai", "true") : say("faux", "false"), "boolean"));
      } else {
        drawTable(data);
      }
    } else {
      results.appendChild(element("pre", text, "rdf"));
    }
  }

  function run(event) {
    if (event) event.preventDefault();
    var started = performance.now();
    status.textContent = say("Exécution…", "Running…");
    fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": ACCEPT },
      body: new URLSearchParams({ query: editor.value })
    }).then(function (response) {
      return response.text().then(function (text) {
        var seconds = ((performance.now() - started) / 1000).toFixed(2);
        if (!response.ok) {
          clear(results);
          results.appendChild(element("p", text.trim(), "error"));
          status.textContent = response.status + " — " + seconds + " s";
          return;
        }
        draw(response.headers.get("Content-Type") || "", text);
        status.textContent = seconds + " s";
      });
    }).catch(function (error) {
      clear(results);
      results.appendChild(element("p", String(error), "error"));
      status.textContent = "";
    });
  }

  form.addEventListener("submit", run);
  editor.addEventListener("input", updateDownloads);
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run(event);
  });
  var buttons = document.querySelectorAll("button.load-example");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function (event) {
      editor.value = event.currentTarget.getAttribute("data-query");
      updateDownloads();
      editor.focus();
      run();
    });
  }
  updateDownloads();
})();
