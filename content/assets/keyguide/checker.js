/*
 * keyguide's one script. Three jobs, each driven by data-kg-* attributes in markup from macros/:
 *   - the key checker on guide pages and /checker/ (form.kg-form), which runs the Python checker
 *     (checker/, shipped as a wheel) under self-hosted Pyodide;
 *   - the error lookup on /errors/ (form[data-kg-lookup]): the same Python, asked about every venue;
 *   - "Copy link" buttons after step, pitfall and error headings ([data-kg-copy-link]), for support.
 *
 * Where Python runs: on the page's main thread, not in a Web Worker. The page's Content-Security-Policy is a
 * <meta> tag (static hosts cannot send headers), and a meta policy does not govern a worker loaded from a
 * URL: there, Python's js.fetch could reach any server. On the main thread the same policy that guards
 * the page (connect-src 'self', no other origin) also guards the Python code. The cost is a UI pause of
 * a second or two while Python starts, which happens once, while the reader pastes.
 *
 * Lazy: nothing of Pyodide is fetched until the reader focuses or clicks into a checker or the lookup.
 * Quiet: no console output, no storage, nothing in the URL or title; Python's stdout and stderr go nowhere.
 * DOM wiring only: every venue rule, scheme, header, anchor and URL on the site comes from the checker
 * (checker/browser.py), which reads venues.json (built from the YAML); every timeout and label from the
 * markup (macros/). This file knows none of them.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script) return;

  var ROOT = new URL("../../", script.src); // this file is <site>/assets/keyguide/checker.js
  var ASSETS = new URL("assets/keyguide/", ROOT);
  var PYODIDE = new URL("assets/pyodide/", ROOT);
  var DEBOUNCE_MS = 250;
  var COPIED_MS = 4000;
  var MAX_PASTE = 65536; // the checker reports anything over its own limit; never hand it megabytes
  var noop = function () {};
  var forms = all(document, "form.kg-form");
  var lookups = all(document, "form[data-kg-lookup]");
  var hosts = forms.concat(lookups); // everything that shows the runtime's status

  // ---- the runtime: one Python per page, shared by every form on it ---------------------------------

  var runtime = { state: "idle", promise: null, attempt: 0, api: null };

  function fetchOk(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status + " for " + new URL(url).pathname);
      return response;
    });
  }

  function boot(attempt) {
    var bust = attempt ? "?retry=" + attempt : ""; // a failed module import is cached under its URL
    var info = fetchOk(new URL("runtime.json", ASSETS).href, { cache: "no-cache" }).then(function (r) { return r.json(); });
    var rulesText = fetchOk(new URL("venues.json", ASSETS).href, { cache: "no-cache" }).then(function (r) { return r.text(); });
    var wheel = info.then(function (data) {
      var url = new URL(data.wheel, ASSETS);
      url.search = "v=" + data.sha256.slice(0, 16);
      return fetchOk(url.href).then(function (r) { return r.arrayBuffer(); });
    });
    var python = import(new URL("pyodide.mjs", PYODIDE).href + bust).then(function (module) {
      return module.loadPyodide({ indexURL: PYODIDE.href, stdout: noop, stderr: noop, packages: [] });
    });
    return Promise.all([python, wheel, rulesText]).then(function (parts) {
      var pyodide = parts[0];
      setStage("Starting the checker…");
      pyodide.setStdout({ batched: noop });
      pyodide.setStderr({ batched: noop });
      var sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
      pyodide.unpackArchive(parts[1], "wheel", { extractDir: sitePackages });
      var handle = pyodide.pyimport("checker.browser").handle;
      var text = parts[2];
      return {
        pyodide: pyodide,
        call: function (request) { return JSON.parse(handle(text, JSON.stringify(request))); },
      };
    });
  }

  function start(timeoutMs) {
    if (runtime.state === "ready" || runtime.state === "loading") return;
    // After a timeout the first attempt may still finish (a slow line): wait for it again rather than
    // starting a second Python. After a failure, start afresh.
    if (!runtime.promise || runtime.failed) {
      runtime.attempt += 1;
      runtime.failed = false;
      runtime.promise = boot(runtime.attempt - 1);
      runtime.promise.catch(function () { runtime.failed = true; });
    }
    runtime.state = "loading";
    setStage("Loading the checker (about 5 MB, once)…");
    var timer;
    var timeout = new Promise(function (_, reject) {
      timer = setTimeout(function () { reject(new Error("timeout")); }, timeoutMs);
    });
    Promise.race([runtime.promise, timeout]).then(function (api) {
      clearTimeout(timer);
      runtime.api = api;
      runtime.state = "ready";
      forms.forEach(onReady);
      lookups.forEach(onLookupReady);
    }, function (error) {
      clearTimeout(timer);
      runtime.state = "failed";
      var seconds = Math.round(timeoutMs / 1000);
      var message = error && error.message === "timeout"
        ? "The checker did not start within " + seconds + " seconds. Your browser may block WebAssembly on this page (a policy or an extension), or the connection is slow."
        : "The checker could not load (" + ((error && error.name) || "Error") + "). Check your connection.";
      hosts.forEach(function (host) { showFailure(host, message); });
    });
  }

  function setStage(text) {
    hosts.forEach(function (host) {
      var status = host.querySelector("[data-kg-status]");
      status.className = "kg-status kg-loading";
      status.textContent = text;
      host.setAttribute("aria-busy", "true");
    });
  }

  function showFailure(host, message) {
    var status = host.querySelector("[data-kg-status]");
    host.removeAttribute("aria-busy");
    status.className = "kg-status kg-error";
    status.textContent = message + " ";
    var retry = el("button", "md-button", "Retry");
    retry.type = "button";
    retry.setAttribute("data-kg-retry", "");
    retry.addEventListener("click", function () { start(timeoutOf(host)); });
    status.appendChild(retry);
  }

  function timeoutOf(host) { return parseInt(host.getAttribute("data-kg-timeout-ms"), 10); }

  // ---- small DOM helpers (text only: nothing pasted is ever parsed as HTML) --------------------------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function q(form, selector) { return form.querySelector(selector); }
  function all(form, selector) { return Array.prototype.slice.call(form.querySelectorAll(selector)); }
  function out(form, name) { return q(form, '[data-kg-out="' + name + '"]'); }

  // `target` (a URL on this site) relative to this page, the way MkDocs writes links: "../venues/x/#id".
  function relativeHref(target) {
    var here = location.pathname.split("/").slice(0, -1);
    var there = target.pathname.split("/");
    var same = 0;
    while (same < here.length && same < there.length - 1 && here[same] === there[same]) same += 1;
    return new Array(here.length - same + 1).join("../") + there.slice(same).join("/") + target.hash;
  }

  // A link the checker gives relative to the site root, as a link relative to this page ("#id" on the page itself).
  function siteHref(link) { return relativeHref(new URL(link, ROOT)); }

  function credentials(form) {
    var values = {};
    all(form, "[data-kg-credential]").forEach(function (input) {
      values[input.getAttribute("data-kg-credential")] = input.value.slice(0, MAX_PASTE);
    });
    return values;
  }

  // The curl line and header list never show a secret, even where a scheme sends one as typed.
  function redact(form, text) {
    all(form, '[data-kg-secret="true"]').forEach(function (input) {
      var value = input.value.trim();
      if (value) text = text.split(value).join("<your " + input.getAttribute("data-kg-label") + ">");
    });
    return text;
  }

  // ---- findings ---------------------------------------------------------------------------------------

  function renderFindings(form, findings, showEmpty) {
    var box = q(form, "[data-kg-findings]");
    box.textContent = "";
    var values = credentials(form);
    var filled = Object.keys(values).filter(function (k) { return values[k] !== ""; });
    if (!filled.length && !showEmpty) return;
    // While pasting, a field not yet filled is not a problem worth shouting about.
    var shown = findings.filter(function (f) { return showEmpty || !f.field || values[f.field] !== "" || !(f.field in values); });
    if (!shown.length) {
      box.appendChild(el("p", "kg-ok", "✓ No problems found in what you pasted so far."));
      return;
    }
    var list = el("ul", "kg-finding-list");
    shown.forEach(function (f) {
      var item = el("li", "kg-finding kg-" + f.severity);
      item.appendChild(el("strong", "kg-severity", f.severity === "error" ? "Problem" : f.severity === "warning" ? "Warning" : "Note"));
      item.appendChild(document.createTextNode(" "));
      item.appendChild(el("span", "kg-message", f.message));
      if (f.hint) item.appendChild(el("span", "kg-hint", " " + f.hint));
      var meta = el("span", "kg-meta");
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("code", null, f.code));
      if (f.link) {
        meta.appendChild(document.createTextNode(" · "));
        var link = el("a", null, "Troubleshooting");
        link.href = siteHref(f.link);
        meta.appendChild(link);
      }
      item.appendChild(meta);
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function diagnose(form) {
    if (runtime.state !== "ready") return;
    var values = credentials(form);
    if (!Object.keys(values).some(function (k) { return values[k] !== ""; })) {
      q(form, "[data-kg-findings]").textContent = "";
      return;
    }
    var result = runtime.api.call({ op: "diagnose", venue: form.getAttribute("data-kg-venue"), credentials: values });
    if (result.error) return showError(q(form, "[data-kg-findings]"), result.error);
    renderFindings(form, result.findings || [], false);
  }

  function showError(box, message) {
    box.textContent = "";
    box.appendChild(el("p", "kg-error", message));
  }

  // ---- signing, comparing, matching errors -------------------------------------------------------------

  // The test request's fields, filled by the checker: a fresh nonce or timestamp from this computer's clock
  // (fresh), or the values the reader typed into the fields that feed the others (nonce, timestamp, ...).
  // A field the reader edited keeps the reader's text.
  function fillRequest(form, fresh) {
    var values = {};
    all(form, "[data-kg-fills]").forEach(function (input) { if (!fresh) values[input.name] = input.value; });
    var result = runtime.api.call({
      op: "prepare", venue: form.getAttribute("data-kg-venue"), now_ms: fresh ? Date.now() : null, values: values,
    });
    if (result.error) return showError(q(form, "[data-kg-findings]"), result.error);
    all(form, "[data-kg-request]").forEach(function (input) {
      if (fresh) delete input.dataset.kgEdited;
      var value = result.fields[input.getAttribute("data-kg-request")];
      if (value !== undefined && !input.dataset.kgEdited) input.value = value;
    });
  }

  function request(form) {
    var req = {};
    all(form, "[data-kg-request]").forEach(function (input) { req[input.getAttribute("data-kg-request")] = input.value; });
    return req;
  }

  function sign(form) {
    var result = runtime.api.call({ op: "sign", venue: form.getAttribute("data-kg-venue"), credentials: credentials(form), request: request(form) });
    var box = q(form, "[data-kg-signed]");
    if (result.findings) renderFindings(form, result.findings, true);
    if (result.error) {
      box.hidden = true;
      var findings = q(form, "[data-kg-findings]");
      findings.insertBefore(el("p", "kg-error", "Not signed: " + result.error), findings.firstChild);
      return;
    }
    var headers = Object.keys(result.headers).map(function (name) { return name + ": " + result.headers[name]; }).join("\n");
    out(form, "prehash").textContent = result.prehash;
    out(form, "prehash_note").textContent = result.prehash_note || result.formula;
    out(form, "signature").textContent = result.signature;
    out(form, "headers").textContent = redact(form, headers || "(none)");
    out(form, "curl").textContent = redact(form, result.curl);
    box.hidden = false;
    // A shown secret goes back to dots once it has been used.
    all(form, "[data-kg-show]").forEach(function (button) { setShown(form, button, false); });
  }

  function compare(form) {
    var theirs = q(form, '[data-kg-input="bot_signature"]').value.trim();
    var box = out(form, "compare");
    if (!theirs) return showError(box, "Paste the signature your bot computed first.");
    var result = runtime.api.call({
      op: "compare", venue: form.getAttribute("data-kg-venue"), credentials: credentials(form),
      request: request(form), signature: theirs,
    });
    box.textContent = "";
    if (result.error) return showError(box, result.error);
    box.className = "kg-result " + (result.match ? "kg-ok" : "kg-error");
    box.textContent = result.match
      ? "✓ Match: your bot signs this request exactly as this page does."
      : "✗ No match. " + (result.message || "") + (result.likely_cause ? " (likely cause: " + result.likely_cause.replace(/_/g, " ") + ")" : "");
  }

  function matchError(form) {
    var venueId = form.getAttribute("data-kg-venue");
    var text = q(form, '[data-kg-input="error_text"]').value;
    var list = out(form, "matches");
    list.textContent = "";
    if (!text.trim()) return;
    var result = runtime.api.call({ op: "match_error", text: text.slice(0, MAX_PASTE), venue: venueId, site_url: ROOT.href });
    if (result.error) return list.appendChild(el("li", "kg-error", result.error));
    if (!result.matches.length) {
      list.appendChild(el("li", null, "No troubleshooting entry of this venue matches that text."));
      return;
    }
    // The same entry as the error index shows: link, cause, what the message says, a support reply.
    result.matches.forEach(function (match) { list.appendChild(renderLookupMatch(match)); });
  }

  function selftest(form) {
    var line = q(form, "[data-kg-selftest]");
    var result = runtime.api.call({ op: "selftest", venue: form.getAttribute("data-kg-venue") });
    line.textContent = "";
    if (result.error) return;
    var name = result.venue_name;
    line.className = "kg-selftest " + (result.ok ? "kg-ok" : "kg-error");
    var link = el("a", null, result.official ? name + "'s published signature example" : "a computed signature example");
    link.href = siteHref(result.link);
    if (result.ok) {
      line.appendChild(document.createTextNode("✓ Self-test: this page reproduces "));
      line.appendChild(link);
      line.appendChild(document.createTextNode(result.official ? "." : " for " + name + " (" + name + " publishes none)."));
    } else {
      line.appendChild(document.createTextNode("✗ Self-test failed: this page does not reproduce "));
      line.appendChild(link);
      line.appendChild(document.createTextNode(". Do not rely on its signatures."));
    }
  }

  // ---- copying: links to a heading, support replies ------------------------------------------------------

  function copyText(text, status, refusedMessage, onRefused) {
    var show = function (message, copied) {
      clearTimeout(status.kgTimer);
      status.className = "kg-copy-status " + (copied ? "kg-copied" : "kg-copy-refused");
      status.textContent = message;
      if (copied) status.kgTimer = setTimeout(function () { status.textContent = ""; }, COPIED_MS);
    };
    var refused = function () {
      show(refusedMessage, false);
      if (onRefused) onRefused();
    };
    // The clipboard exists only in a secure context (https, or 127.0.0.1 while testing).
    if (!navigator.clipboard || !navigator.clipboard.writeText) return refused();
    navigator.clipboard.writeText(text).then(function () { show("Copied", true); }, refused);
  }

  function setupCopyLink(box) {
    var button = q(box, "button[data-kg-copy-link]");
    var status = q(box, ".kg-copy-status");
    button.addEventListener("click", function () {
      var url = location.origin + location.pathname + "#" + button.getAttribute("data-kg-copy-link");
      copyText(url, status, "Your browser did not allow copying. The link is " + url);
    });
    box.hidden = false;
  }

  // ---- the error lookup: every venue's troubleshooting entries, with a support reply each ------------------

  var HOW = { code: "same code", alias: "same code, another name for it", message: "similar wording" };

  function renderLookupMatch(match) {
    var target = new URL(match.url, ROOT);
    var item = el("li", "kg-match");
    var title = el("p", "kg-match-title");
    var link = el("a", null, match.venue_name + ": " + match.code);
    link.href = relativeHref(target);
    title.appendChild(link);
    if (match.message) title.appendChild(document.createTextNode(" “" + match.message + "”"));
    title.appendChild(el("span", "kg-match-how", " (" + (HOW[match.matched] || match.matched) + ")"));
    item.appendChild(title);
    if (match.cause) item.appendChild(el("p", "kg-hint", match.cause));
    match.notes.forEach(function (note) { item.appendChild(el("p", "kg-value-note", note)); });

    var reply = el("details", "kg-reply");
    reply.appendChild(el("summary", null, "Support reply"));
    var pre = el("pre");
    var code = el("code", null, match.reply);
    code.setAttribute("data-kg-reply", "");
    pre.appendChild(code);
    reply.appendChild(pre);
    item.appendChild(reply);
    var row = el("p", "kg-buttons");
    var button = el("button", "md-button", "Copy support reply");
    button.type = "button";
    button.setAttribute("data-kg-action", "copy-reply");
    button.setAttribute("aria-label", "Copy support reply for " + match.venue_name + " " + match.code);
    row.appendChild(button);
    row.appendChild(document.createTextNode(" "));
    var status = el("span", "kg-copy-status");
    status.setAttribute("role", "status");
    row.appendChild(status);
    item.appendChild(row);
    return item;
  }

  function lookup(box) {
    var list = out(box, "matches");
    var text = q(box, '[data-kg-input="error_text"]').value.slice(0, MAX_PASTE);
    list.textContent = "";
    if (!text.trim()) return list.appendChild(el("li", null, "Paste an error message first."));
    var result = runtime.api.call({ op: "match_error", text: text, site_url: ROOT.href });
    if (result.error) return list.appendChild(el("li", "kg-error", result.error));
    if (!result.matches.length) {
      return list.appendChild(el("li", null, "No entry of any guide matches this text. Search the tables below for its code."));
    }
    result.matches.forEach(function (match) { list.appendChild(renderLookupMatch(match)); });
  }

  function copyReply(button) {
    var item = button.closest(".kg-match");
    var details = q(item, "details.kg-reply");
    copyText(q(item, "[data-kg-reply]").textContent, q(item, ".kg-copy-status"),
      "Your browser did not allow copying. Select the reply above and copy it.",
      function () { details.open = true; });
  }

  function clearLookup(box) {
    q(box, '[data-kg-input="error_text"]').value = "";
    out(box, "matches").textContent = "";
    delete box.dataset.kgPending;
  }

  function onLookupReady(box) {
    var status = q(box, "[data-kg-status]");
    box.removeAttribute("aria-busy");
    status.className = "kg-status kg-ready";
    status.textContent = "Ready. The lookup runs in this tab; nothing you paste leaves it.";
    if (box.dataset.kgPending) {
      delete box.dataset.kgPending;
      lookup(box);
    }
  }

  function setupLookup(box) {
    var text = q(box, '[data-kg-input="error_text"]');
    var wake = function () { if (runtime.state === "idle") start(timeoutOf(box)); };
    var run = function () {
      if (runtime.state === "ready") return lookup(box);
      box.dataset.kgPending = "1"; // runs once Python is ready
      wake();
    };
    text.disabled = false;
    all(box, "button[data-kg-action]").forEach(function (button) { button.disabled = false; });
    box.addEventListener("focusin", wake);
    box.addEventListener("pointerdown", wake);
    box.addEventListener("submit", function (event) { event.preventDefault(); });
    text.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) run();
    });
    box.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-kg-action]");
      if (!button) return;
      var action = button.getAttribute("data-kg-action");
      if (action === "lookup") run();
      else if (action === "clear") clearLookup(box);
      else if (action === "copy-reply") copyReply(button);
    });
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  function setShown(form, button, shown) {
    var input = document.getElementById(button.getAttribute("data-kg-show"));
    input.type = shown ? "text" : "password"; // every other attribute (spellcheck=false, ...) stays as is
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    button.textContent = shown ? "Hide" : "Show";
  }

  function clearForm(form) {
    all(form, "input, textarea").forEach(function (input) {
      input.value = "";
      delete input.dataset.kgEdited;
    });
    all(form, "[data-kg-show]").forEach(function (button) { setShown(form, button, false); });
    q(form, "[data-kg-findings]").textContent = "";
    all(form, "[data-kg-out]").forEach(function (node) { node.textContent = ""; });
    var signed = q(form, "[data-kg-signed]");
    if (signed) signed.hidden = true;
    if (runtime.state === "ready" && q(form, "[data-kg-request]")) fillRequest(form, true);
  }

  function onReady(form) {
    var status = q(form, "[data-kg-status]");
    form.removeAttribute("aria-busy");
    status.className = "kg-status kg-ready";
    status.textContent = "Ready. The checker runs in this tab; nothing you paste leaves it.";
    selftest(form);
    if (q(form, "[data-kg-request]")) fillRequest(form, true);
    all(form, "button[data-kg-action]").forEach(function (button) { button.disabled = false; });
    diagnose(form);
  }

  function setup(form) {
    if (window.top !== window.self) {
      // Framed by another page (clickjacking): hosts that honour _headers forbid it; elsewhere, refuse here.
      q(form, "[data-kg-status]").textContent = "The checker is turned off inside a frame. Open this page directly.";
      return;
    }
    var timer = null;
    all(form, "input, textarea, [data-kg-show]").forEach(function (node) { node.disabled = false; });
    all(form, "[data-kg-show]").forEach(function (button) {
      button.addEventListener("click", function () { setShown(form, button, button.getAttribute("aria-pressed") !== "true"); });
    });
    all(form, '[data-kg-action="clear"]').forEach(function (b) { b.disabled = false; });
    // After a failure only the Retry button starts again, so the error stays readable.
    var wake = function () { if (runtime.state === "idle") start(timeoutOf(form)); };
    form.addEventListener("focusin", wake);
    form.addEventListener("pointerdown", wake);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (target.hasAttribute("data-kg-credential")) {
        clearTimeout(timer);
        timer = setTimeout(function () { diagnose(form); }, DEBOUNCE_MS);
      } else if (target.hasAttribute("data-kg-request")) {
        target.dataset.kgEdited = "1";
        if (target.hasAttribute("data-kg-fills") && runtime.state === "ready") fillRequest(form, false);
      }
    });
    var actions = {
      sign: sign, compare: compare, match: matchError, clear: clearForm,
      fresh: function (form) { fillRequest(form, true); },
      "copy-reply": function (form, button) { copyReply(button); },
    };
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-kg-action]");
      if (!button) return;
      var action = button.getAttribute("data-kg-action");
      if (action !== "clear" && runtime.state !== "ready") return;
      actions[action](form, button);
    });
  }

  function setupPicker(picker) {
    var select = picker.querySelector("select[data-kg-picker]");
    var show = function () {
      Array.prototype.forEach.call(picker.querySelectorAll("[data-kg-pick]"), function (box) {
        box.hidden = box.getAttribute("data-kg-pick") !== select.value;
      });
    };
    select.addEventListener("change", show);
    show();
  }

  all(document, ".kg-copy-link").forEach(setupCopyLink);
  forms.forEach(setup);
  lookups.forEach(setupLookup);
  all(document, ".kg-picker").forEach(setupPicker);
  // Leaving the page (or freezing it into the back/forward cache) empties every field.
  var clearAll = function () {
    forms.forEach(clearForm);
    lookups.forEach(clearLookup);
  };
  window.addEventListener("pagehide", clearAll);
  window.addEventListener("pageshow", function (event) { if (event.persisted) clearAll(); });

  // Tests only: `?kg-test` in the URL exposes the loaded Python, so a test can run code in the very
  // context the checker runs in (an exfiltration probe). It exposes nothing a page script could not do.
  if (new URLSearchParams(location.search).has("kg-test")) {
    window.__keyguideTestHook = {
      state: function () { return runtime.state; },
      pyodide: function () { return runtime.api && runtime.api.pyodide; },
    };
  }
})();
