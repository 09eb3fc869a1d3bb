// Lighthouse (pinned in package-lock.json) over a list of URLs with Debian's Chromium; prints one JSON line.
//
//   node bench/lighthouse.mjs '{"chromePath": "/usr/bin/chromium", "chromeFlags": [...], "urls": [...], "runs": 3}'
//
// Default config: the mobile preset (emulated phone, simulated slow 4G and 4x CPU slowdown). Lighthouse
// resets the cache and storage before each run, so every run is a first visit. bench/lighthouse.py drives it.
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];
const METRICS = {
  fcp: "first-contentful-paint",
  lcp: "largest-contentful-paint",
  tbt: "total-blocking-time",
  si: "speed-index",
  cls: "cumulative-layout-shift",
  bytes: "total-byte-weight",
  domSize: "dom-size",
};

function summary(lhr) {
  const scores = Object.fromEntries(CATEGORIES.map((id) => [id, lhr.categories[id]?.score ?? null]));
  const metrics = Object.fromEntries(
    Object.entries(METRICS).map(([key, id]) => [key, lhr.audits[id]?.numericValue ?? null]),
  );
  const requests = lhr.audits["network-requests"]?.details?.items ?? [];
  // Audits that cost points outside performance (which is scored from the metrics alone).
  const failing = [];
  for (const id of CATEGORIES.slice(1)) {
    for (const ref of lhr.categories[id]?.auditRefs ?? []) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit && audit.score !== null && audit.score < 1) failing.push(`${id}:${ref.id}`);
    }
  }
  // What Lighthouse itself names as costing load time, largest first.
  const opportunities = Object.values(lhr.audits)
    .filter((audit) => audit.details?.type === "opportunity" && (audit.numericValue ?? 0) > 0)
    .sort((a, b) => b.numericValue - a.numericValue)
    .map((audit) => `${audit.id} ${Math.round(audit.numericValue)} ms`);
  return {
    scores,
    metrics,
    requests: requests.length,
    hosts: [...new Set(requests.map((item) => new URL(item.url).host))],
    failing,
    opportunities,
    runtimeError: lhr.runtimeError?.message ?? null,
    runWarnings: lhr.runWarnings ?? [],
  };
}

const options = JSON.parse(process.argv[2]);
const chrome = await chromeLauncher.launch({
  chromePath: options.chromePath,
  chromeFlags: ["--headless=new", ...options.chromeFlags],
  logLevel: "silent",
});
const results = Object.fromEntries(options.urls.map((url) => [url, []]));
try {
  // Run by run, each URL in turn (not all runs of one URL, then the next): a page and its plain twin then meet
  // the same load from the rest of the machine, which drifts over the minutes a pass over every URL takes.
  for (let run = 0; run < options.runs; run++) {
    for (const url of options.urls) {
      const result = await lighthouse(url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
      });
      results[url].push(summary(result.lhr));
    }
  }
} finally {
  await chrome.kill();
}
process.stdout.write(JSON.stringify(results) + "\n");
