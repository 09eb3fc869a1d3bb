/*
 * Test builds only (KEYGUIDE_TEST_HOOK=1): the build loads this file right before checker.js, and a
 * production build neither publishes nor loads it. With `?kg-test` in the page's URL, checker.js hands
 * its internals (the runtime state, the loaded Pyodide) to `window.__keyguideTestHook`, so a browser test
 * can run code in the very context the checker runs in (tests/browser/test_privacy.py: the egress probe).
 */
(function () {
  "use strict";
  window.__keyguideTestHookInstall = function (internals) {
    if (new URLSearchParams(location.search).has("kg-test")) window.__keyguideTestHook = internals;
  };
})();
