/* graph-service concept cards, for any site: one script tag, no dependencies.
 *
 *   <script src="https://SERVICE/embed.js" defer></script>
 *   <span data-concept="https://w3id.org/pdv/notions/concertation">concertation</span>
 *   <span data-concept-label="concertation" data-lang="en">concertation</span>
 *   <concept-card concept="https://w3id.org/pdv/notions/concertation" lang="fr"></concept-card>
 *
 * Marked terms show a card on hover, on keyboard focus and on tap. The card is a non-modal
 * dialog placed right after its term in the document, so Tab goes from the term into it (to
 * "See the full page"); a term that is not already a link or a button acts as a button
 * (aria-expanded, aria-controls): Enter or Space opens the card and moves focus into it, and
 * Escape closes it and gives focus back to the term. Cards live in shadow roots, so the page's
 * styles do not reach them and theirs do not reach the page. Data is only ever inserted as text
 * (textContent), never as HTML.
 *
 * theme="auto" (the default) follows the host page: a dark card only where the page behind the
 * term is dark (its background, else the color-scheme it declares); a light-only page gets a
 * light card whatever the reader's system prefers.
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
  var NATIVE = "a[href],button,input,select,textarea";
  var TEXT = {
    fr: { more: "Voir la fiche complète", loading: "Chargement…", none: "Pas de définition.",
      missing: "Concept introuvable.", error: "Définition indisponible pour le moment." },
    en: { more: "See the full page", loading: "Loading…", none: "No definition.",
      missing: "Concept not found.", error: "Definition unavailable right now." }
  };
  var CSS = [
    ":host{all:initial;display:block;margin:1em 0}",
    ".card{all:initial;display:block;box-sizing:border-box;max-width:100%;padding:12px 14px;",
    "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;",
    "color:#1d2430;background:#fff;border:1px solid #d5dae1;border-radius:10px;",
    "text-align:left;overflow-wrap:anywhere;--mute:#566070;--link:#0b57d0}",
    ".card.dark{color:#e8ebf0;background:#171a21;border-color:#363d49;--mute:#a7b0bd;--link:#8ab4f8}",
    ".card:focus{outline:none}.card:focus-visible{outline:2px solid var(--link);outline-offset:2px}",
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

  /* --- theme="auto": the host page's colours, never the reader's system alone ------------ */

  function rgba(value) {
    var m = /rgba?\(([^)]+)\)/.exec(value || "");
    if (!m) return null;
    var parts = m[1].split(/[\s,/]+/).filter(Boolean).map(parseFloat);
    return parts.length >= 3 ? [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1] : null;
  }

  function isDarkColor(c) {
    var lin = function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]) < 0.2;
  }

  /* Whether the page is dark behind `el`: the first opaque background up the tree (through
     shadow roots), else the canvas, dark only if the page declares a dark color-scheme. */
  function pageIsDark(el) {
    for (var e = el; e; e = e.parentElement || (e.getRootNode && e.getRootNode().host) || null) {
      if (e.nodeType !== 1) continue;
      var c = rgba(getComputedStyle(e).backgroundColor);
      if (c && c[3] >= 0.5) return isDarkColor(c);
    }
    var meta = document.querySelector('meta[name="color-scheme"]');
    var scheme = (getComputedStyle(document.documentElement).colorScheme || "") + " " +
      ((meta && meta.getAttribute("content")) || "");
    if (!/\bdark\b/.test(scheme)) return false;  // light-only (or undeclared): light
    return !/\blight\b/.test(scheme) ||
      !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function themeFor(el, theme) {
    if (theme === "light" || theme === "dark") return theme;
    return pageIsDark(el) ? "dark" : "light";
  }

  var summaries = new Map();
  var sheet = null;
  var popup = null;
  var hideTimer = 0;
  var showCount = 0;
  var tapped = null;
  var returning = false;  // focus given back to a term by Escape: do not reopen its card

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

  /* --- hover cards: a non-modal dialog after the term ------------------------------------ */

  function ensurePopup() {
    if (popup) return popup;
    var host = document.createElement("graph-service-card");
    host.id = "graph-service-card-" + Math.random().toString(36).slice(2, 10);
    host.setAttribute("role", "dialog");
    host.style.cssText = "position:fixed;z-index:2147483000;left:0;top:0;margin:0;padding:0;" +
      "border:0;display:none;";
    var root = host.attachShadow({ mode: "open" });
    styleRoot(root);
    var card = document.createElement("div");
    card.className = "card pop light";
    card.tabIndex = -1;  // focus moves here when the card is opened from the keyboard
    root.appendChild(card);
    host.addEventListener("mouseenter", cancelHide);
    host.addEventListener("mouseleave", function () { if (!holdsFocus()) scheduleHide(); });
    host.addEventListener("focusout", function (event) {
      if (!leavesCard(event.relatedTarget)) return;
      scheduleHide();
    });
    host.addEventListener("focusin", cancelHide);
    document.body.appendChild(host);
    popup = { host: host, card: card, term: null };
    return popup;
  }

  function holdsFocus() {
    return !!popup && (document.activeElement === popup.host || popup.host.contains(document.activeElement));
  }

  /* Whether focus moving to `to` leaves both the card and its term. */
  function leavesCard(to) {
    if (!popup) return true;
    return !to || (to !== popup.host && !popup.host.contains(to) && to !== popup.term &&
      !(popup.term && popup.term.contains(to)));
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

  function show(term, moveFocus) {
    cancelHide();
    var p = ensurePopup();
    if (p.term !== term) {
      if (p.term) p.term.setAttribute("aria-expanded", "false");
      p.term = term;
      // Right after the term (outside any link holding it), so that Tab reaches the card next.
      var anchor = term.closest("a[href],button") || term;
      if (anchor.nextSibling !== p.host) anchor.insertAdjacentElement("afterend", p.host);
      var lang = langOf(term);
      var iri = term.getAttribute("data-concept");
      var label = iri ? "" : (term.getAttribute("data-concept-label") || term.textContent || "").trim();
      var count = ++showCount;
      p.card.className = "card pop " + themeFor(term, THEME);
      p.host.setAttribute("aria-label", text(lang).loading);
      p.host.style.display = "block";
      load(p.card, iri, label, lang).then(function (found) {
        if (count !== showCount) return;
        fill(p.card, found.data, lang, found.state);
        p.host.setAttribute("aria-label", (found.data && found.data.label) || text(lang)[found.state]);
        place();
      });
    }
    term.setAttribute("aria-controls", p.host.id);
    term.setAttribute("aria-expanded", "true");
    place();
    if (moveFocus) p.card.focus();
  }

  function hide(returnFocus) {
    cancelHide();
    if (!popup || !popup.term) return;
    var term = popup.term;
    var hadFocus = holdsFocus();
    term.setAttribute("aria-expanded", "false");
    popup.term = null;
    popup.host.style.display = "none";
    showCount++;
    if (returnFocus && hadFocus) {
      returning = true;
      try { term.focus(); } finally { returning = false; }
    }
  }

  function scheduleHide() {
    cancelHide();
    hideTimer = setTimeout(function () { if (!holdsFocus()) hide(false); }, 250);
  }

  function cancelHide() {
    if (hideTimer) clearTimeout(hideTimer);
    hideTimer = 0;
  }

  function termOf(node) {
    return node && node.nodeType === 1 ? node.closest(SELECTOR) : null;
  }

  /* Terms must be reachable by keyboard; one that is not a link or button acts as a button
     that opens its card (a non-modal dialog). */
  function prepare(el) {
    if (!el.matches(FOCUSABLE)) el.setAttribute("tabindex", "0");
    if (!el.matches(NATIVE)) {
      el.setAttribute("role", "button");
      el.setAttribute("aria-haspopup", "dialog");
    }
    if (!el.hasAttribute("aria-expanded")) el.setAttribute("aria-expanded", "false");
  }

  function scan(root) {
    if (root.nodeType !== 1 && root.nodeType !== 9) return;
    if (root.nodeType === 1 && root.matches(SELECTOR)) prepare(root);
    root.querySelectorAll(SELECTOR).forEach(prepare);
  }

  document.addEventListener("mouseover", function (event) {
    var term = termOf(event.target);
    if (term) show(term, false);
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
    if (term && !returning) show(term, false);
  });
  document.addEventListener("focusout", function (event) {
    var term = termOf(event.target);
    if (term && popup && popup.term === term && leavesCard(event.relatedTarget)) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popup && popup.term) {
      hide(true);
      return;
    }
    var term = termOf(event.target);
    if (!term || term.matches(NATIVE) || (event.key !== "Enter" && event.key !== " ")) return;
    event.preventDefault();  // Space would scroll the page
    show(term, true);  // opens the card (if hover or focus has not) and moves focus into it
  });
  // Touch: the first tap on a term shows its card (and does not follow a link); a tap
  // anywhere else hides it.
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse") return;
    var term = termOf(event.target);
    if (term) {
      tapped = popup && popup.term === term ? null : term;
      show(term, false);
    } else if (!popup || event.target !== popup.host) {
      hide(false);
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
        card.className = "card inline " + themeFor(this.parentElement || this, this.getAttribute("theme") || THEME);
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
