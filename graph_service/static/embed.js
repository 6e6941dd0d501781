/* graph-service concept cards, for any site: one script tag, no dependencies.
 *
 *   <script src="https://SERVICE/embed.js" defer></script>
 *   <span data-concept="https://w3id.org/pdv/notions/concertation">concertation</span>
 *   <span data-concept-label="concertation" data-lang="en">concertation</span>
 *   <concept-card concept="https://w3id.org/pdv/notions/concertation" lang="fr"></concept-card>
 *
 * Marked terms show a card on hover, on keyboard focus (Escape closes) and on tap. Cards live in
 * shadow roots, so the page's styles do not reach them and theirs do not reach the page. Data is
 * only ever inserted as text (textContent), never as HTML.
 */
(function () {
  "use strict";
  if (window.GraphServiceCards) return;

  var script = document.currentScript;
  // Summaries come from the service the script was loaded from, whatever the page's origin.
  var BASE = new URL(".", (script && script.src) || location.href).href;
  var THEME = (script && script.getAttribute("data-theme")) || "auto";
  var SELECTOR = "[data-concept],[data-concept-label]";
  var FOCUSABLE = "a[href],button,input,select,textarea,[tabindex],[contenteditable]";
  var TEXT = {
    fr: { more: "Voir la fiche complète", loading: "Chargement…", none: "Pas de définition.",
      missing: "Concept introuvable.", error: "Définition indisponible pour le moment." },
    en: { more: "See the full page", loading: "Loading…", none: "No definition.",
      missing: "Concept not found.", error: "Definition unavailable right now." }
  };
  var CSS = [
    ":host{all:initial;display:block}",
    ".card{all:initial;display:block;box-sizing:border-box;max-width:100%;padding:12px 14px;",
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;",
    "color:#1d2430;background:#fff;border:1px solid #d5dae1;border-radius:10px;",
    "text-align:left;overflow-wrap:anywhere;--mute:#566070;--link:#0b57d0}",
    ".card.dark{color:#e8ebf0;background:#171a21;border-color:#363d49;--mute:#a7b0bd;--link:#8ab4f8}",
    "@media (prefers-color-scheme:dark){.card.auto{color:#e8ebf0;background:#171a21;",
    "border-color:#363d49;--mute:#a7b0bd;--link:#8ab4f8}}",
    ".card.pop{width:min(320px,calc(100vw - 16px));box-shadow:0 8px 28px rgba(0,0,0,.2)}",
    ".scheme{display:block;margin:0 0 2px;font-size:11px;font-weight:600;letter-spacing:.05em;",
    "text-transform:uppercase;color:var(--mute)}",
    ".label{display:block;margin:0;font-size:16px;font-weight:600;line-height:1.3}",
    ".def{display:block;margin:6px 0 0}",
    ".mute{color:var(--mute);font-style:italic}",
    ".more{display:inline-block;margin-top:8px;color:var(--link);font-weight:600;text-decoration:none}",
    ".more:hover,.more:focus-visible{text-decoration:underline}",
    ".more:focus-visible{outline:2px solid var(--link);outline-offset:2px}"
  ].join("");

  var summaries = new Map();
  var sheet = null;
  var popup = null;
  var hideTimer = 0;
  var showCount = 0;
  var tapped = null;

  function langOf(el) {
    var own = el.getAttribute("data-lang") || el.getAttribute("lang");
    var holder = own ? null : el.closest("[lang]");
    var lang = own || (holder && holder.getAttribute("lang")) || "";
    return lang.toLowerCase().split("-")[0];
  }

  function text(lang) {
    return TEXT[lang] || (lang ? TEXT.en : TEXT.fr);
  }

  /* One request per concept and language for the whole page. */
  function fetchSummary(iri, label, lang) {
    var params = new URLSearchParams();
    if (iri) params.set("uri", iri); else params.set("label", label);
    if (lang) params.set("lang", lang);
    var url = BASE + "api/summary?" + params.toString();
    if (!summaries.has(url)) {
      summaries.set(url, fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 404) return null;
          if (!response.ok) throw new Error("summary: HTTP " + response.status);
          return response.json();
        })
        .catch(function (error) { summaries.delete(url); throw error; }));
    }
    return summaries.get(url);
  }

  function styleRoot(root) {
    try {
      if ("adoptedStyleSheets" in root && window.CSSStyleSheet) {
        if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
        root.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (ignored) { /* older engines: fall back to a <style> element */ }
    var style = document.createElement("style");
    style.textContent = CSS;
    root.appendChild(style);
  }

  function add(parent, tag, className, value) {
    var el = document.createElement(tag);
    el.className = className;
    el.textContent = value;
    parent.appendChild(el);
    return el;
  }

  function safeUrl(value) {
    return typeof value === "string" && /^https?:\/\//i.test(value);
  }

  /* Fill a card with a summary (or a state message), as text only. */
  function fill(card, data, lang, state) {
    var t = text(lang);
    while (card.firstChild) card.removeChild(card.firstChild);
    if (!data) {
      add(card, "p", "def mute", t[state] || t.missing);
      return;
    }
    if (data.scheme) add(card, "span", "scheme", String(data.scheme));
    var label = add(card, "span", "label", String(data.label || data.uri || ""));
    if (data.lang) label.lang = String(data.lang);
    var def = add(card, "p", data.definition ? "def" : "def mute", String(data.definition || t.none));
    if (data.definition && data.definitionLang) def.lang = String(data.definitionLang);
    if (safeUrl(data.url)) {
      var link = add(card, "a", "more", t.more + " \u2197");
      link.href = data.url;
      link.target = "_blank";
      link.rel = "noopener";
    }
  }

  function load(card, iri, label, lang) {
    fill(card, null, lang, "loading");
    return fetchSummary(iri, label, lang).then(
      function (data) { return { data: data, state: "missing" }; },
      function () { return { data: null, state: "error" }; });
  }

  /* --- hover cards --------------------------------------------------------------------- */

  function ensurePopup() {
    if (popup) return popup;
    var host = document.createElement("graph-service-card");
    host.id = "graph-service-card-" + Math.random().toString(36).slice(2, 10);
    host.setAttribute("role", "tooltip");
    host.style.cssText = "position:fixed;z-index:2147483000;left:0;top:0;margin:0;padding:0;" +
      "border:0;display:none;";
    var root = host.attachShadow({ mode: "open" });
    styleRoot(root);
    var card = document.createElement("div");
    card.className = "card pop " + THEME;
    root.appendChild(card);
    host.addEventListener("mouseenter", cancelHide);
    host.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(host);
    popup = { host: host, card: card, term: null };
    return popup;
  }

  function place() {
    if (!popup || !popup.term) return;
    var host = popup.host, box = popup.term.getBoundingClientRect();
    var width = document.documentElement.clientWidth, height = window.innerHeight;
    var left = Math.max(8, Math.min(box.left, width - host.offsetWidth - 8));
    var top = box.bottom + 6;
    if (top + host.offsetHeight > height - 8 && box.top - host.offsetHeight - 6 > 8) {
      top = box.top - host.offsetHeight - 6;
    }
    host.style.left = left + "px";
    host.style.top = top + "px";
  }

  function describe(term, id, on) {
    var ids = (term.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) term.setAttribute("aria-describedby", ids.join(" "));
    else term.removeAttribute("aria-describedby");
  }

  function show(term) {
    cancelHide();
    var p = ensurePopup();
    if (p.term === term) return;
    if (p.term) describe(p.term, p.host.id, false);
    p.term = term;
    var lang = langOf(term);
    var iri = term.getAttribute("data-concept");
    var label = iri ? "" : (term.getAttribute("data-concept-label") || term.textContent || "").trim();
    var count = ++showCount;
    p.host.style.display = "block";
    describe(term, p.host.id, true);
    load(p.card, iri, label, lang).then(function (found) {
      if (count !== showCount) return;
      fill(p.card, found.data, lang, found.state);
      place();
    });
    place();
  }

  function hide() {
    cancelHide();
    if (!popup || !popup.term) return;
    describe(popup.term, popup.host.id, false);
    popup.term = null;
    popup.host.style.display = "none";
    showCount++;
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = setTimeout(hide, 250);
  }

  function cancelHide() {
    if (hideTimer) clearTimeout(hideTimer);
    hideTimer = 0;
  }

  function termOf(node) {
    return node && node.nodeType === 1 ? node.closest(SELECTOR) : null;
  }

  /* Terms must be reachable by keyboard to show their card on focus. */
  function prepare(el) {
    if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "0");
  }

  function scan(root) {
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    if (root.nodeType === 1 && root.matches(SELECTOR)) prepare(root);
    root.querySelectorAll(SELECTOR).forEach(prepare);
  }

  document.addEventListener("mouseover", function (event) {
    var term = termOf(event.target);
    if (term) show(term);
  });
  document.addEventListener("mouseout", function (event) {
    var term = termOf(event.target);
    if (!term || !popup || popup.term !== term) return;
    var to = event.relatedTarget;
    if (to && (term.contains(to) || to === popup.host)) return;
    scheduleHide();
  });
  document.addEventListener("focusin", function (event) {
    var term = termOf(event.target);
    if (term) show(term);
  });
  document.addEventListener("focusout", function (event) {
    var term = termOf(event.target);
    if (term && popup && popup.term === term) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popup && popup.term) hide();
  });
  // Touch: the first tap on a term shows its card (and does not follow a link); a tap
  // anywhere else hides it.
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse") return;
    var term = termOf(event.target);
    if (term) {
      tapped = popup && popup.term === term ? null : term;
      show(term);
    } else if (!popup || event.target !== popup.host) {
      hide();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var term = termOf(event.target);
    if (term && term === tapped) event.preventDefault();
    tapped = null;
  }, true);
  window.addEventListener("scroll", place, { passive: true, capture: true });
  window.addEventListener("resize", place);

  function start() {
    scan(document);
    new MutationObserver(function (records) {
      records.forEach(function (record) { record.addedNodes.forEach(scan); });
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  /* --- <concept-card concept="IRI" | label="text" [lang] [theme]> ---------------------- */

  if (window.customElements && !window.customElements.get("concept-card")) {
    window.customElements.define("concept-card", class extends HTMLElement {
      static get observedAttributes() { return ["concept", "label", "lang", "theme"]; }

      connectedCallback() { this.render(); }

      attributeChangedCallback() { if (this.isConnected) this.render(); }

      render() {
        var root = this.shadowRoot;
        if (!root) {
          root = this.attachShadow({ mode: "open" });
          styleRoot(root);
          root.appendChild(document.createElement("div"));
        }
        var card = root.querySelector("div");
        card.className = "card inline " + (this.getAttribute("theme") || THEME);
        var lang = langOf(this), iri = this.getAttribute("concept") || "";
        var label = this.getAttribute("label") || "";
        var count = this.renderCount = (this.renderCount || 0) + 1, self = this;
        if (!iri && !label) { fill(card, null, lang, "missing"); return; }
        load(card, iri, label, lang).then(function (found) {
          if (count === self.renderCount) fill(card, found.data, lang, found.state);
        });
      }
    });
  }

  window.GraphServiceCards = { base: BASE, scan: scan, hide: hide };
})();
