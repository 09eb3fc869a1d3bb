/*
 * Test builds only (KEYGUIDE_TEST_HOOK=1): the build loads this file right before the loader, and a
 * production build neither publishes nor loads it. With `?kg-test` in the page's URL, `window.__keyguideTestHook`
 * exists from the start and, once the loader has added checker.js, reads checker.js's internals (the runtime
 * state, the loaded Pyodide), so a browser test can run code in the very context the checker runs in
 * (tests/browser/test_egress.py: the egress probe).
 */
(function () {
  "use strict";
  var internals = null;
  window.__keyguideTestHookInstall = function (given) { internals = given; };
  if (!new URLSearchParams(location.search).has("kg-test")) return;
  window.__keyguideTestHook = {
    state: function () { return internals ? internals.state() : "idle"; },
    pyodide: function () { return internals ? internals.pyodide() : null; },
  };
})();
