/*
 * keyguide's page loader: the one script of ours every page loads. It keeps the checker off the page until
 * the reader shows intent, so a reader who never uses it downloads a kilobyte instead of checker.js.
 *
 * Intent, on a checker form, the error lookup, the venue picker or a "Copy link" button: the pointer over it,
 * focus or a press in it, or the form in view for DWELL_MS (reading it, not scrolling past). Then it adds
 * checker.js (with Subresource Integrity: the build writes its fingerprinted name and digest below), and
 * hands it what the reader did while it loaded: a focus or press in a form starts Python at once, a click
 * on a copy button is clicked again. Python itself still starts only on focus or a press (checker.js).
 *
 * Until checker.js runs, every field of the checker is disabled (macros/checker.j2): nothing can be pasted
 * before checker.js has switched off the ways out of the page and masked the secret fields.
 */
(function () {
  "use strict";

  // DNS prefetching off, on every page (the page's <head> says it too, for before any script runs).
  var prefetch = document.createElement("meta");
  prefetch.httpEquiv = "x-dns-prefetch-control";
  prefetch.content = "off";
  document.head.appendChild(prefetch);

  // Written by the build (keyguide/browser/assets.py): checker.js's fingerprinted name beside this file,
  // and the SRI digest of its bytes.
  var CHECKER = "checker.js";
  var INTEGRITY = "";
  var DWELL_MS = 600;

  var script = document.currentScript;
  var list = function (selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); };
  var hosts = list("form.kg-form, form[data-kg-lookup], .kg-picker");
  var links = list(".kg-copy-link");
  if (!script || (!hosts.length && !links.length)) return;

  var state = "idle"; // idle, loading, loaded
  var woken = null; // the form the reader focused or pressed in while checker.js loaded
  var clicked = null; // the copy button the reader clicked while checker.js loaded

  function load() {
    if (state !== "idle") return;
    state = "loading";
    var tag = document.createElement("script");
    tag.src = new URL(CHECKER, script.src).href;
    if (INTEGRITY) {
      tag.integrity = INTEGRITY;
      tag.crossOrigin = "anonymous";
    }
    tag.addEventListener("load", function () {
      state = "loaded";
      if (woken) woken.dispatchEvent(new FocusEvent("focusin", { bubbles: true }));
      if (clicked) clicked.click();
    });
    tag.addEventListener("error", function () {
      state = "idle"; // the next sign of intent tries again
      list("form.kg-form:not([data-kg-refusal]) [data-kg-status], form[data-kg-lookup]:not([data-kg-refusal]) [data-kg-status]")
        .forEach(function (status) {
          status.className = "kg-status kg-error";
          status.textContent = "The checker's script could not load. Check your connection, then click into the form again.";
        });
    });
    document.body.appendChild(tag);
  }

  function use(event) {
    if (state !== "loaded") woken = event.target.closest("form.kg-form, form[data-kg-lookup]") || woken;
    load();
  }

  hosts.forEach(function (host) {
    host.addEventListener("pointerenter", load);
    host.addEventListener("change", load);
    ["focusin", "pointerdown", "touchstart"].forEach(function (type) { host.addEventListener(type, use, { passive: true }); });
  });
  links.forEach(function (box) {
    box.addEventListener("pointerenter", load);
    box.addEventListener("focusin", load);
    box.addEventListener("click", function (event) {
      if (state === "loaded") return; // checker.js's own listener copies
      clicked = event.target.closest("button");
      load();
    });
  });

  if (window.top !== window.self) {
    load(); // framed: checker.js says the checker is off in a frame
  } else if (window.IntersectionObserver) {
    var timers = [];
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        var index = hosts.indexOf(entry.target);
        clearTimeout(timers[index]);
        if (entry.isIntersecting) timers[index] = setTimeout(load, DWELL_MS);
      });
    });
    hosts.forEach(function (host) { observer.observe(host); });
  }
})();
