// Progressive enhancement for the timeline page; everything works without it (and without htmx).
(function () {
  "use strict";

  // Pushed URLs stay as short as the links the server writes: no "q=&start=&end=" from empty fields.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (!data || event.detail.verb !== "get") return;
    Array.from(new Set(data.keys())).forEach(function (name) {
      var kept = data.getAll(name).filter(function (value) { return value !== ""; });
      data.delete(name);
      kept.forEach(function (value) { data.append(name, value); });
    });
  });

  // A link that replaced the whole timeline took the focus with it: give it to the results heading.
  // After "load more", focus the first new event, so that keyboard users continue where they were.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.requestConfig && event.detail.requestConfig.target;
    if (!target || !target.id) return;
    if (target.id === "timeline") {
      // Narrowing or widening the overview keeps the keyboard in the overview, at its caption: the next Tab is its
      // way back out, then its periods. Any other link lands on the results.
      var trigger = event.detail.requestConfig.elt;
      var inOverview = trigger && trigger.closest && trigger.closest(".overview");
      var landing = document.getElementById(inOverview ? "overview-caption" : "results-heading");
      if (!landing) landing = document.getElementById("results-heading");
      if (landing) landing.focus({ preventScroll: false });
    } else if (target.id === "load-more") {
      var starts = document.querySelectorAll(".page-start");
      var start = starts[starts.length - 1];
      var node = start && start.nextElementSibling;
      while (node && node.tagName !== "ARTICLE") node = node.nextElementSibling;
      var link = node && node.querySelector(".event-title a");
      if (link) link.focus();
    }
  });

  // The language switch opens this very view in the other language: the filters and page that htmx has put in the
  // address since the page was served, and the place in the page (#fragment), which only a script can see.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-language-switch]");
    if (!link) return;
    var url = new URL(link.href);
    url.searchParams.set("next", location.pathname + location.search + location.hash);
    link.href = url.toString();
  });

  // Beside the results (desktop widths) the filters are always open. Browsers without ::details-content (Firefox
  // ESR 140, Safari before 18.4) cannot show a closed <details> by CSS: open it for them, on load and whenever htmx
  // brings a new one.
  var besideResults = window.matchMedia("(min-width: 60em)");
  var showsClosedDetails = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  function openFiltersBesideResults(root) {
    if (showsClosedDetails || !besideResults.matches) return;
    (root || document).querySelectorAll(".filter-panel").forEach(function (panel) { panel.open = true; });
  }
  document.addEventListener("DOMContentLoaded", function () { openFiltersBesideResults(); });
  // At the swap itself: htmx:load comes only once the swap has settled, and until then the new filters would show
  // folded and everything below them would jump.
  document.addEventListener("htmx:afterSwap", function () { openFiltersBesideResults(); });
  document.addEventListener("htmx:load", function (event) { openFiltersBesideResults(event.detail.elt); });

  // A filter ticked stays where it was on screen while its facets are replaced with fresh counts: CSS keeps scroll
  // anchoring out of the way (timeline.css); this puts the control back should anything else have moved it, at the
  // swap, before the browser paints it displaced (after the filters above were opened).
  var ticked = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var control = document.activeElement;
    if (control && control.id && control.form && control.form.id === "filters") {
      ticked = { id: control.id, top: control.getBoundingClientRect().top };
    } else {
      ticked = null;
    }
  });
  document.addEventListener("htmx:afterSwap", function () {
    if (!ticked) return;
    var control = document.getElementById(ticked.id);
    if (control) {
      var moved = control.getBoundingClientRect().top - ticked.top;
      if (Math.abs(moved) > 1) window.scrollBy(0, moved);
    }
    ticked = null;
  });

  // "Copy" buttons (the embed's code, a citation): shown only where a script can copy, the text stays selectable.
  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    (root || document).querySelectorAll("button[data-copy]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", function () { showCopyButtons(); });
  document.addEventListener("htmx:load", function (event) { showCopyButtons(event.detail.elt); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector(".copy-status");
    navigator.clipboard.writeText(source.value !== undefined ? source.value : source.textContent).then(function () {
      if (status) status.textContent = button.getAttribute("data-copied") || "";
    });
  });

  // The embed builder's preview fits its events as an author's page would (the listener its code gives them).
  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || !event.data || event.data.type !== "timeline:height") return;
    document.querySelectorAll("iframe[data-timeline-embed]").forEach(function (frame) {
      if (frame.contentWindow === event.source) frame.height = event.data.height;
    });
  });

  // The results are busy while a request is in flight, for assistive technology as for the eye.
  document.addEventListener("htmx:beforeRequest", function () {
    var results = document.getElementById("results");
    if (results) results.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function () {
    var results = document.getElementById("results");
    if (results) results.removeAttribute("aria-busy");
  });
})();
