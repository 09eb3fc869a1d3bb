/*
 * keyguide's one script. Three jobs, each driven by data-kg-* attributes in markup from macros/:
 *   - the key checker on guide pages and /checker/ (form.kg-form), which runs the Python checker
 *     (checker/, shipped as a wheel) under self-hosted Pyodide;
 *   - the error lookup on /errors/ (form[data-kg-lookup]): the same Python, asked about every venue;
 *   - "Copy link" buttons after step, pitfall and error headings ([data-kg-copy-link]), for support.
 *
 * Before any of that, and before any Python exists, it switches off the ways out of the page that the
 * Content-Security-Policy does not govern (see "first things" below and content/how-the-checker-works.md).
 *
 * Where Python runs: on the page's main thread, not in a Web Worker. The page's Content-Security-Policy is a
 * <meta> tag (static hosts cannot send headers), and a meta policy does not govern a worker loaded from a
 * URL: there, Python's js.fetch could reach any server. On the main thread the same policy that guards
 * the page (connect-src 'self', no other origin) also guards the Python code. The cost is a UI pause of
 * a second or two while Python starts, which happens once, while the reader pastes.
 *
 * Lazy: nothing of Pyodide is fetched until the reader focuses or clicks into a checker or the lookup.
 * Checked: the checker wheel is unpacked only if its SHA-256 is the one runtime.json names.
 * Quiet: no console output, no storage, nothing in the URL or title; Python's stdout and stderr go nowhere.
 * DOM wiring only: every venue rule, scheme, header, anchor and URL on the site comes from the checker
 * (checker/browser.py), which reads venues.json (built from the YAML); every timeout and label from the
 * markup (macros/). What the page shows of a result is what the checker returned: the checker itself
 * replaces every secret value in its output by a placeholder. This file knows none of the rules.
 */
(function () {
  "use strict";

  // ---- first things: what the page's security policy cannot govern ------------------------------------
  //
  // The policy (connect-src, img-src, frame-src, ... all limited to this site) stops requests that a page
  // makes. It says nothing about these, so they are switched off here, before any checker code exists:
  //   - WebRTC: a peer connection sends STUN/TURN packets to any address it is given;
  //   - window.open: a pop-up is a new page, which this page's policy does not follow;
  //   - leaving for another site: navigating this tab (location, a link clicked by a script, a refresh
  //     tag) sends its URL to that site. Only a link the reader clicks may go to another site;
  //   - DNS prefetching: looking up a name is a request to a resolver (the built page also says this
  //     in a meta tag, which works before any script).
  // A new frame is a new window with its own copies of all of it, so each frame gets the same treatment
  // the moment it exists.

  var guarded = new WeakSet();
  var RTC = /^(webkit|moz)?RTC/;

  function guardWindow(win) {
    try {
      if (guarded.has(win)) return;
      guarded.add(win);
      Object.getOwnPropertyNames(win).forEach(function (name) {
        if (!RTC.test(name)) return;
        try {
          delete win[name];
        } catch (error) {
          Object.defineProperty(win, name, { value: undefined, writable: false });
        }
      });
      Object.defineProperty(win, "open", { value: function () { return null; }, writable: false, configurable: false });
      // An empty frame (about:blank) loads synchronously as it is inserted: its load event reaches a
      // capturing listener before the inserting script can use the new window.
      win.addEventListener("load", guardFrameOf, true);
      ["HTMLIFrameElement", "HTMLFrameElement", "HTMLObjectElement"].forEach(function (type) {
        if (win[type]) guardFrameAccess(win[type].prototype);
      });
      var attachShadow = win.Element.prototype.attachShadow;
      // A frame inside a shadow root: its load event stops at the root, so listen there too.
      win.Element.prototype.attachShadow = function () {
        var root = attachShadow.apply(this, arguments);
        root.addEventListener("load", guardFrameOf, true);
        return root;
      };
    } catch (error) {
      // Another origin's window: nothing of it is reachable from here, and nothing here from it.
    }
  }

  function guardFrameOf(event) {
    var target = event.target;
    if (target && target.contentWindow) guardWindow(target.contentWindow);
  }

  function guardFrameAccess(proto) {
    ["contentWindow", "contentDocument"].forEach(function (name) {
      var property = Object.getOwnPropertyDescriptor(proto, name);
      if (!property || !property.get) return;
      var get = property.get;
      Object.defineProperty(proto, name, {
        configurable: false,
        enumerable: property.enumerable,
        get: function () {
          var value = get.call(this);
          var win = value && name === "contentDocument" ? value.defaultView : value;
          if (win) guardWindow(win);
          return value;
        },
      });
    });
  }

  function guardNavigation() {
    var navigation = window.navigation;
    if (!navigation || typeof navigation.addEventListener !== "function") return; // no Navigation API
    var clicked = null; // the link the reader last clicked (a real click: isTrusted)
    window.addEventListener("click", function (event) {
      if (!event.isTrusted) return;
      var path = event.composedPath();
      for (var i = 0; i < path.length; i += 1) {
        var node = path[i];
        if ((node.localName === "a" || node.localName === "area") && typeof node.href === "string" && node.href) {
          clicked = { url: node.href, at: Date.now() };
          return;
        }
      }
    }, true);
    navigation.addEventListener("navigate", function (event) {
      if (!event.cancelable) return; // back and forward through the browser's history: not the page's to stop
      var destination = new URL(event.destination.url);
      if (destination.origin === location.origin) return;
      var link = clicked;
      clicked = null;
      if (link && link.url === destination.href && Date.now() - link.at < 2000) return;
      event.preventDefault();
    });
  }

  guardWindow(window);
  guardNavigation();
  var prefetch = document.createElement("meta");
  prefetch.httpEquiv = "x-dns-prefetch-control";
  prefetch.content = "off";
  document.head.appendChild(prefetch);

  var script = document.currentScript;
  if (!script) return;

  var ROOT = new URL("../../", script.src); // this file is <site>/assets/keyguide/checker.js
  var ASSETS = new URL("assets/keyguide/", ROOT);
  var PYODIDE = new URL("assets/pyodide/", ROOT);
  var DEBOUNCE_MS = 250;
  var COPIED_MS = 4000;
  var MAX_PASTE = 65536; // the checker reports anything over its own limit; never hand it megabytes
  var noop = function () {};
  // A form marked data-kg-refusal (the site is published where other sites share its origin) never starts.
  var refused = all(document, "form.kg-form[data-kg-refusal], form[data-kg-lookup][data-kg-refusal]");
  var forms = all(document, "form.kg-form:not([data-kg-refusal])");
  var lookups = all(document, "form[data-kg-lookup]:not([data-kg-refusal])");
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
      return fetchOk(url.href).then(function (r) { return r.arrayBuffer(); }).then(function (bytes) {
        return verified(bytes, data.sha256);
      });
    });
    var python = Promise.all([import(new URL("pyodide.mjs", PYODIDE).href + bust), info]).then(function (parts) {
      var options = { indexURL: PYODIDE.href, stdout: noop, stderr: noop, packages: [] };
      var restore = parts[1].snapshot && window.DecompressionStream ? parts[1].snapshot : null;
      // Python already started, with the checker imported (keyguide/browser/snapshot.py): restoring it is most
      // of the start saved. Checked like the wheel before Python sees a byte of it. It needs only the part of
      // the standard library archive it may still import (keyguide/browser/stdlib.py), a twentieth of the whole.
      if (restore) {
        var image = snapshot(restore);
        options._loadSnapshot = image;
        options.createPyodideModule = restoring(import(new URL("pyodide.asm.mjs", PYODIDE).href + bust), image);
        options.stdLibURL = new URL(restore.stdlib.file, ASSETS).href;
      }
      return parts[0].loadPyodide(options).then(function (pyodide) {
        return restore ? archiveChecked(pyodide, restore.stdlib.sha256) : pyodide;
      });
    });
    return Promise.all([python, wheel, rulesText, info]).then(function (parts) {
      var pyodide = parts[0];
      setStage("Starting the checker…");
      pyodide.setStdout({ batched: noop });
      pyodide.setStderr({ batched: noop });
      // A snapshot holds the `random` state of the build that made it: draw a fresh one from this browser.
      if (parts[3].snapshot) pyodide.runPython("import random; random.seed()");
      var sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
      pyodide.unpackArchive(parts[1], "wheel", { extractDir: sitePackages });
      pyodide.runPython("import importlib; importlib.invalidate_caches()");
      var handle = pyodide.pyimport("checker.browser").handle;
      var text = parts[2];
      return {
        pyodide: pyodide,
        call: function (request) { return JSON.parse(handle(text, JSON.stringify(request))); },
        // The signing packages' wheels (name -> {wheel, sha256}), unpacked only when a key type needs them.
        packages: parts[3].packages || {},
        sitePackages: sitePackages,
      };
    });
  }

  // The snapshot, once its gzip bytes match runtime.json (static hosts send it as they are). Its memory image
  // is published as its difference (XOR) from the memory instantiation leaves, i.e. without the module's own
  // data, 1.5 MB of the download (snapshot.mjs): `restoring` adds that memory back before Pyodide copies it.
  function snapshot(entry) {
    return fetchOk(new URL(entry.file, ASSETS).href).then(function (r) { return r.arrayBuffer(); }).then(function (bytes) {
      return verified(bytes, entry.sha256);
    }).then(function (bytes) {
      return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
    }).then(function (buffer) {
      return new Uint8Array(buffer); // Pyodide restores from this very array (prepareSnapshot keeps a view)
    });
  }

  // Pyodide's module factory (`asm`, the promise of pyodide.asm.mjs) with its own wasm instantiation wrapped:
  // once the instance exists, and before Pyodide copies `image` into its memory, the memory the instance
  // starts with is XOR-ed back into `image`.
  function restoring(asm, image) {
    return function (settings) {
      return Promise.all([asm, image]).then(function (parts) {
        var instantiate = settings.instantiateWasm;
        if (typeof instantiate !== "function") throw new Error("this Pyodide does not instantiate through instantiateWasm");
        settings.instantiateWasm = function (imports, done) {
          return instantiate(imports, function (instance, module) {
            undoDifference(parts[1], new Uint8Array(instance.exports.memory.buffer));
            done(instance, module);
          });
        };
        return parts[0].default(settings);
      });
    };
  }

  function undoDifference(image, initial) {
    var start = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(4, true); // header size
    var length = Math.min(image.length - start, initial.length);
    var at = image.byteOffset + start;
    if (at % 4 === 0 && length % 4 === 0) {
      var mine = new Uint32Array(image.buffer, at, length / 4), theirs = new Uint32Array(initial.buffer, 0, length / 4);
      for (var i = 0; i < mine.length; i += 1) mine[i] ^= theirs[i];
    } else {
      for (var j = 0; j < length; j += 1) image[start + j] ^= initial[j];
    }
  }

  // Pyodide writes the archive it fetched to /lib/python3XY.zip; the restored Python has not read it yet (the
  // snapshot keeps no table of contents of it: snapshot.mjs), and reads it only if its bytes match runtime.json.
  function archiveChecked(pyodide, expected) {
    var zips = pyodide.FS.readdir("/lib").filter(function (name) { return /^python\d+\.zip$/.test(name); });
    if (zips.length !== 1) return Promise.reject(new Error("no standard library archive in /lib"));
    return verified(pyodide.FS.readFile("/lib/" + zips[0]), expected).then(function () { return pyodide; });
  }

  // A refusal the reader should read as it is (not "could not load ... check your connection").
  function Refusal(message) {
    this.name = "Refusal";
    this.message = message;
  }
  Refusal.prototype = Object.create(Error.prototype);

  // The wheel's bytes, if their SHA-256 is `expected` (hex, from runtime.json); nothing is unpacked otherwise.
  function verified(bytes, expected) {
    if (!window.crypto || !crypto.subtle) {
      // Browsers offer the digest only to pages on https (or this computer): refuse rather than skip it.
      return Promise.reject(new Refusal(
        "The checker was not started: this page was not loaded over a secure connection (https), so it " +
        "cannot verify the checker's code before running it."
      ));
    }
    return crypto.subtle.digest("SHA-256", bytes).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
      if (hex !== String(expected).toLowerCase()) {
        throw new Refusal(
          "The checker was not started: its code does not match the SHA-256 fingerprint this site " +
          "published for it, so it may have been changed on the way or on the server. Reload the page; " +
          "if this message stays, do not paste a key here."
        );
      }
      return bytes;
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
    // The size as the guide's form states it (macros/checker.j2), so the two never disagree.
    var size = forms.length ? forms[0].getAttribute("data-kg-download") : null;
    setStage(size ? "Loading the checker (" + size + ", once)…" : "Loading the checker…");
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
      var message = error instanceof Refusal
        ? error.message
        : error && error.message === "timeout"
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
    all(form, "[data-kg-credential]").filter(inUse).forEach(function (input) {
      values[input.getAttribute("data-kg-credential")] = input.value.slice(0, MAX_PASTE);
    });
    return values;
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
    box.appendChild(findingList(shown));
  }

  // Findings as the checker words them: severity, message, hint, code, and where the guide explains it.
  function findingList(findings) {
    var list = el("ul", "kg-finding-list");
    findings.forEach(function (f) {
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
        // A finding about another venue's answer links to that venue's guide, not to a troubleshooting entry.
        var link = el("a", null, f.guide ? "Guide" : "Troubleshooting");
        link.href = siteHref(f.link);
        meta.appendChild(link);
      }
      item.appendChild(meta);
      list.appendChild(item);
    });
    return list;
  }

  // A fresh random UUID, for venues that sign one as their nonce (the checker draws no random numbers).
  function randomUuid() { return crypto.randomUUID(); }

  // ---- verify the key: the venue's own answer about what the key can do ------------------------------------

  function keyInfo(form) {
    var result = ask(form, {
      op: "sign", venue: form.getAttribute("data-kg-venue"), credentials: credentials(form),
      request_kind: "key_info", now_ms: Date.now(), uuid: randomUuid(),
    });
    var panel = q(form, "[data-kg-keyinfo]");
    if (result.findings) renderFindings(form, result.findings, true);
    if (result.error) {
      panel.hidden = true;
      var findings = q(form, "[data-kg-findings]");
      findings.insertBefore(declined(result.error), findings.firstChild);
    } else {
      out(form, "keyinfo_curl").textContent = result.curl;
      panel.hidden = false;
    }
    clearUsed(form, result);
  }

  function audit(form) {
    var box = out(form, "audit");
    var answer = q(form, '[data-kg-input="key_answer"]').value.slice(0, MAX_PASTE);
    box.textContent = "";
    if (!answer.trim()) return showError(box, "Paste the answer the command printed first.");
    var result = runtime.api.call({
      op: "audit", venue: form.getAttribute("data-kg-venue"), response: answer,
      use_case: q(form, '[data-kg-input="use_case"]').value, now_ms: Date.now(),
    });
    if (result.error) return showError(box, result.error);
    box.appendChild(el("p", result.ok ? "kg-ok" : "kg-error",
      result.ok ? "✓ Nothing in the answer says this key can do more than your use case needs." : "✗ This key needs attention:"));
    box.appendChild(findingList(result.findings || []));
  }

  function diagnose(form) {
    if (runtime.state !== "ready") return;
    var values = credentials(form);
    if (!Object.keys(values).some(function (k) { return values[k] !== ""; })) {
      q(form, "[data-kg-findings]").textContent = "";
      return;
    }
    var result = ask(form, { op: "diagnose", venue: form.getAttribute("data-kg-venue"), credentials: values });
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
    var result = ask(form, {
      op: "prepare", venue: form.getAttribute("data-kg-venue"), now_ms: fresh ? Date.now() : null, uuid: fresh ? randomUuid() : null, values: values,
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

  // What Sign and Compare show: the checker's answer as it is (it holds no secret value: the checker puts
  // "<your …>" where one would be).
  function showSigned(form, result) {
    var headers = Object.keys(result.headers).map(function (name) { return name + ": " + result.headers[name]; }).join("\n");
    out(form, "prehash").textContent = result.prehash;
    out(form, "prehash_note").textContent = result.prehash_note || result.formula;
    out(form, "signature").textContent = result.signature;
    showToken(form, result.jwt);
    out(form, "headers").textContent = headers || "(none)";
    out(form, "curl").textContent = result.curl;
    q(form, "[data-kg-signed]").hidden = false;
  }

  function declined(message) {
    return el("p", "kg-error", message.charAt(0).toUpperCase() + message.slice(1));
  }

  // After Sign or Compare, the secret fields are emptied: a secret stays on the page only from pasting it
  // to using it. When the checker declined because of a problem with a value (in the wrong field, another
  // venue's, the key pasted twice), that field is emptied too: a secret may be sitting in a field shown in
  // clear. The reader pastes again, into the right field.
  function clearUsed(form, result) {
    var fields = {};
    if (result.error) (result.findings || []).forEach(function (f) { if (f.severity === "error" && f.field) fields[f.field] = true; });
    all(form, "[data-kg-credential]").forEach(function (input) {
      if (input.getAttribute("data-kg-secret") === "true" || fields[input.getAttribute("data-kg-credential")]) input.value = "";
    });
    all(form, "[data-kg-show]").forEach(function (button) { setShown(form, button, false); });
  }

  function sign(form) {
    var result = ask(form, { op: "sign", venue: form.getAttribute("data-kg-venue"), credentials: credentials(form), request: request(form) });
    if (result.findings) renderFindings(form, result.findings, true);
    if (result.error) {
      q(form, "[data-kg-signed]").hidden = true;
      var findings = q(form, "[data-kg-findings]");
      findings.insertBefore(declined(result.error), findings.firstChild);
    } else {
      showSigned(form, result);
    }
    clearUsed(form, result);
  }

  function compare(form) {
    var theirs = q(form, '[data-kg-input="bot_signature"]').value.trim();
    var box = out(form, "compare");
    if (!theirs) return showError(box, "Paste the signature your bot computed first.");
    var result = ask(form, {
      op: "compare", venue: form.getAttribute("data-kg-venue"), credentials: credentials(form),
      request: request(form), signature: theirs,
    });
    box.textContent = "";
    if (result.findings) renderFindings(form, result.findings, true);
    if (result.error) {
      box.className = "kg-result";
      box.appendChild(declined(result.error));
    } else {
      showSigned(form, result);
      box.className = "kg-result " + (result.match ? "kg-ok" : "kg-error");
      box.textContent = result.match
        ? "✓ Match: your bot signs this request exactly as this page does."
        : "✗ No match. " + (result.message || "") + (result.likely_cause ? " (likely cause: " + result.likely_cause.replace(/_/g, " ") + ")" : "");
    }
    clearUsed(form, result);
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
    var result = ask(form, { op: "selftest", venue: form.getAttribute("data-kg-venue") });
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

  // ---- key types, and the signing packages a key type needs ------------------------------------------------
  //
  // A venue that issues several kinds of key (say HMAC, Ed25519 and RSA keys) offers a choice: only the chosen
  // kind's fields are shown and read, and every call about the form names it (`key_type`). Signing with a
  // private key needs Python packages beside the checker (ecdsa, six, rsa). The checker says which
  // (`requirements`: none for HMAC); only then are their wheels fetched, once per page, and each is unpacked
  // only if its SHA-256 is the one runtime.json names, like the checker's own wheel.

  var READY = "Ready. The checker runs in this tab; nothing you paste leaves it.";
  var unpacking = {}; // distribution name -> promise of its wheel unpacked
  var unpacked = {}; // distribution name -> true once unpacked

  function keyTypeOf(form) {
    var checked = q(form, "[data-kg-key-type-choice]:checked");
    if (checked) return checked.value;
    var single = q(form, "[data-kg-key-type]"); // one kind of key, not the venue's own declaration
    return single ? single.getAttribute("data-kg-key-type") : null;
  }

  // One checker call about this form, for its key type (none: the venue's own declaration).
  function ask(form, request) {
    var keyType = keyTypeOf(form);
    if (keyType) request.key_type = keyType;
    return runtime.api.call(request);
  }

  // A credential field of the chosen key type (the others are hidden, and never read).
  function inUse(input) { return !input.closest("[data-kg-key-types][hidden]"); }

  // Show the chosen key type's fields. A hidden field is disabled, and a secret in it is emptied.
  function showKeyType(form) {
    var keyType = keyTypeOf(form);
    all(form, "[data-kg-key-types]").forEach(function (field) {
      var used = field.getAttribute("data-kg-key-types").split(" ").indexOf(keyType) >= 0;
      field.hidden = !used;
      all(field, "[data-kg-credential], [data-kg-show]").forEach(function (node) {
        if (!used && node.getAttribute("data-kg-secret") === "true") node.value = "";
        if (!used && node.hasAttribute("data-kg-show")) setShown(form, node, false);
        node.disabled = !used;
      });
    });
  }

  function setupKeyTypes(form) {
    showKeyType(form);
    all(form, "[data-kg-key-type-choice]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        var signed = q(form, "[data-kg-signed]");
        if (signed) signed.hidden = true; // it was signed with the other kind of key
        showKeyType(form);
        if (runtime.state !== "ready") return;
        if (q(form, "[data-kg-request]")) fillRequest(form, true); // this kind's scheme may sign other fields
        useKeyType(form);
      });
    });
  }

  // The packages this form's key type signs with, then its self-test and diagnosis. Nothing to load (HMAC):
  // at once. Otherwise the form says so while they load, and actions that sign wait (afterPackages).
  function useKeyType(form) {
    var needed = ask(form, { op: "requirements", venue: form.getAttribute("data-kg-venue") });
    var missing = (needed.packages || []).filter(function (name) { return !unpacked[name]; });
    var done = function () {
      selftest(form);
      diagnose(form);
    };
    var status = q(form, "[data-kg-status]");
    if (!missing.length) {
      form.kgPackages = null;
      if (form.hasAttribute("aria-busy") || status.className !== "kg-status kg-ready") {
        // Back from a key type whose code was loading, or was refused.
        form.removeAttribute("aria-busy");
        status.className = "kg-status kg-ready";
        status.textContent = READY;
      }
      return done();
    }
    status.className = "kg-status kg-loading";
    status.textContent = "Loading the code that signs with this kind of key…";
    form.setAttribute("aria-busy", "true");
    var pending = Promise.all(missing.map(unpackPackage));
    form.kgPackages = pending;
    pending.then(function () {
      if (form.kgPackages !== pending) return; // the reader chose another key type meanwhile
      form.kgPackages = null;
      form.removeAttribute("aria-busy");
      status.className = "kg-status kg-ready";
      status.textContent = READY;
      done();
    }, function (error) {
      if (form.kgPackages !== pending) return;
      form.removeAttribute("aria-busy");
      status.className = "kg-status kg-error";
      status.textContent = error.message;
    });
    pending.catch(noop);
  }

  function unpackPackage(name) {
    if (!unpacking[name]) {
      var entry = runtime.api.packages[name];
      var bytes = entry
        ? fetchPackage(entry)
        : Promise.reject(new Refusal("Signing with this kind of key is not possible here: this site publishes no " + name + " package."));
      unpacking[name] = bytes.then(function (data) {
        runtime.api.pyodide.unpackArchive(data, "wheel", { extractDir: runtime.api.sitePackages });
        runtime.api.pyodide.runPython("import importlib; importlib.invalidate_caches()"); // site-packages changed
        unpacked[name] = true;
      });
      unpacking[name].catch(function () { delete unpacking[name]; }); // a later choice of key type tries again
    }
    return unpacking[name];
  }

  function fetchPackage(entry) {
    var url = new URL(entry.wheel, ASSETS);
    url.search = "v=" + entry.sha256.slice(0, 16);
    return fetchOk(url.href).then(function (r) { return r.arrayBuffer(); }).then(function (bytes) {
      return verified(bytes, entry.sha256).catch(function (error) {
        if (!(error instanceof Refusal)) throw error;
        throw new Refusal(
          "Signing with this kind of key is turned off: the package " + entry.wheel + " does not match the " +
          "SHA-256 fingerprint this site published for it, so it may have been changed on the way or on the " +
          "server. Reload the page; if this message stays, do not paste a private key here."
        );
      });
    }, function (error) {
      throw new Error("The code that signs with this kind of key could not load (" + error.message + "). Check your connection.");
    });
  }

  // Sign, Compare and the key check wait for the packages their key type signs with. If those could not be
  // loaded, nothing is signed: the form says why, and the secret fields are emptied as signing would.
  var SIGNS = { sign: true, compare: true, "key-info": true };

  function afterPackages(form, action, run) {
    var pending = form.kgPackages;
    if (!SIGNS[action] || !pending) return run();
    // Once loaded, look again: the reader may have chosen another key type meanwhile.
    pending.then(function () { afterPackages(form, action, run); }, function (error) {
      var findings = q(form, "[data-kg-findings]");
      findings.insertBefore(declined(error.message), findings.firstChild);
      clearUsed(form, {});
    });
  }

  // A JSON Web Token's header and claims (venues that sign with JWTs), as the checker decoded them, beside it.
  function showToken(form, jwt) {
    var box = q(form, "[data-kg-jwt]");
    if (!box) return;
    box.hidden = !jwt;
    out(form, "jwt_header").textContent = jwt ? JSON.stringify(jwt.header, null, 2) : "";
    out(form, "jwt_payload").textContent = jwt ? JSON.stringify(jwt.payload, null, 2) : "";
  }

  // A multi-line secret (a PEM private key) cannot be a password field: where the browser cannot mask text,
  // its characters are drawn transparent (the caret stays visible).
  function maskArea(area, masked) {
    if (masked && !area.style.getPropertyValue("caret-color")) area.style.setProperty("caret-color", getComputedStyle(area).color);
    area.style.setProperty("color", masked ? "transparent" : "");
    if (!masked) area.style.removeProperty("caret-color");
  }

  // ---- wiring ----------------------------------------------------------------------------------------------

  // Secret fields are type=text, masked with -webkit-text-security: a form with a password field is what
  // password managers take for a login and offer to save when the reader leaves the page. A browser without
  // that property gets type=password instead: the secret is never shown in clear unless the reader asks.
  var MASKING = window.CSS && CSS.supports("-webkit-text-security", "disc");

  function mask(input, masked) {
    if (MASKING) input.style.setProperty("-webkit-text-security", masked ? "disc" : "none");
    else if (input.localName === "textarea") maskArea(input, masked);
    else input.type = masked ? "password" : "text";
  }

  function setShown(form, button, shown) {
    var input = document.getElementById(button.getAttribute("data-kg-show"));
    mask(input, !shown); // every other attribute (spellcheck=false, ...) stays as is
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    button.textContent = shown ? "Hide" : "Show";
  }

  // A secret field gives nothing to the clipboard or a drag, masked or shown (as a password field would).
  function guardSecretField(input) {
    mask(input, true);
    ["copy", "cut", "dragstart"].forEach(function (type) {
      input.addEventListener(type, function (event) { event.preventDefault(); });
    });
  }

  function clearForm(form) {
    all(form, "input:not([type=radio]), textarea").forEach(function (input) {
      input.value = "";
      delete input.dataset.kgEdited;
    });
    all(form, "[data-kg-show]").forEach(function (button) { setShown(form, button, false); });
    q(form, "[data-kg-findings]").textContent = "";
    all(form, "[data-kg-out]").forEach(function (node) { node.textContent = ""; });
    all(form, "[data-kg-signed], [data-kg-keyinfo]").forEach(function (panel) { panel.hidden = true; });
    if (runtime.state === "ready" && q(form, "[data-kg-request]")) fillRequest(form, true);
  }

  function onReady(form) {
    var status = q(form, "[data-kg-status]");
    form.removeAttribute("aria-busy");
    status.className = "kg-status kg-ready";
    status.textContent = READY;
    if (q(form, "[data-kg-request]")) fillRequest(form, true);
    all(form, "button[data-kg-action]").forEach(function (button) { button.disabled = false; });
    useKeyType(form); // the self-test and the diagnosis, once what this key type signs with is loaded
  }

  // Published where other sites share this origin (the build decides, from site_url): any of them could read
  // this page. The form stays disabled and Python is never loaded.
  function refuse(form) {
    var status = q(form, "[data-kg-status]");
    status.className = "kg-status kg-error";
    status.textContent = form.getAttribute("data-kg-refusal");
  }

  function setup(form) {
    if (window.top !== window.self) {
      // Framed by another page (clickjacking): hosts that honour _headers forbid it; elsewhere, refuse here.
      q(form, "[data-kg-status]").textContent = "The checker is turned off inside a frame. Open this page directly.";
      return;
    }
    var timer = null;
    all(form, '[data-kg-secret="true"]').forEach(guardSecretField);
    all(form, "input, textarea, select, [data-kg-show]").forEach(function (node) { node.disabled = false; });
    setupKeyTypes(form);
    all(form, "[data-kg-show]").forEach(function (button) {
      button.addEventListener("click", function () { setShown(form, button, button.getAttribute("aria-pressed") !== "true"); });
    });
    all(form, '[data-kg-action="clear"]').forEach(function (b) { b.disabled = false; });
    // After a failure only the Retry button starts again, so the error stays readable.
    var wake = function () { if (runtime.state === "idle") start(timeoutOf(form)); };
    form.addEventListener("focusin", wake);
    form.addEventListener("pointerdown", wake);
    // The form is never submitted: it has no submit button (the theme adds copy buttons to its code blocks
    // without a type, which would make them submit buttons: they become type=button as they appear), and
    // the page policy says form-action 'none'. Should a script submit it anyway, the submission carries no
    // field: its data is emptied before it is sent, and the policy then refuses it.
    var unsubmittable = function () {
      all(form, "button:not([type])").forEach(function (button) { button.type = "button"; });
    };
    unsubmittable();
    new MutationObserver(unsubmittable).observe(form, { childList: true, subtree: true });
    form.addEventListener("formdata", function (event) {
      Array.from(event.formData.keys()).forEach(function (name) { event.formData.delete(name); });
    });
    form.addEventListener("input", function (event) {
      var target = event.target;
      if (target.hasAttribute("data-kg-credential")) {
        clearTimeout(timer);
        timer = setTimeout(function () { timer = null; diagnose(form); }, DEBOUNCE_MS);
      } else if (target.hasAttribute("data-kg-request")) {
        target.dataset.kgEdited = "1";
        if (target.hasAttribute("data-kg-fills") && runtime.state === "ready") fillRequest(form, false);
      }
    });
    var actions = {
      sign: sign, compare: compare, match: matchError, clear: clearForm, "key-info": keyInfo, audit: audit,
      fresh: function (form) { fillRequest(form, true); },
      "copy-reply": function (form, button) { copyReply(button); },
    };
    form.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-kg-action]");
      if (!button) return;
      var action = button.getAttribute("data-kg-action");
      if (action !== "clear" && runtime.state !== "ready") return;
      // A diagnosis still waiting for the reader to stop typing runs now, before the action: run later, it
      // would see the fields the action emptied and wipe what the action said (such as why it did not sign).
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
        if (action !== "clear") diagnose(form);
      }
      afterPackages(form, action, function () { actions[action](form, button); });
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
  refused.forEach(refuse);
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

  // Tests only: test builds load test-hook.js before this file (production builds do not publish it); with
  // `?kg-test` in the URL it exposes the loaded Python, so a test can run code in the very context the
  // checker runs in (an exfiltration probe). It exposes nothing a page script could not do.
  if (typeof window.__keyguideTestHookInstall === "function") {
    window.__keyguideTestHookInstall({
      state: function () { return runtime.state; },
      pyodide: function () { return runtime.api && runtime.api.pyodide; },
    });
  }
})();
