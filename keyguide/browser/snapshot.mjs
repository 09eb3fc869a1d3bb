// Makes the checker's Pyodide memory snapshot: Python started, the checker wheel unpacked and imported.
//
//   node snapshot.mjs <runtime dir> <checker wheel> <output file>
//
// Run by keyguide/browser/snapshot.py with the runtime files the build verified against
// pyodide-manifest.json (copied to <runtime dir>). The page restores the snapshot instead of starting a new
// interpreter and importing the checker (loadPyodide's `_loadSnapshot`), which is most of a cold start.
//
// The same inputs give the same bytes: while the snapshot is made, every source of entropy and time Pyodide
// can read returns a fixed sequence (random bytes, clocks, Math.random, the script's path in argv). What that
// fixes in the snapshot, and how the page undoes it: Python's hash seed (fixed for every reader: nothing of
// the checker depends on it being secret) and the `random` module's state (the page reseeds it from the
// browser's crypto.getRandomValues right after restoring; the checker draws no random numbers anyway).
import nodeCrypto from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [runtimeDir, wheelPath, outPath] = process.argv.slice(2);
if (!outPath) {
  process.stderr.write("usage: node snapshot.mjs <runtime dir> <checker wheel> <output file>\n");
  process.exit(2);
}

let counter = 0;
const fill = (view) => {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (counter++ * 131 + 7) & 255;
  return view;
};
nodeCrypto.randomFillSync = fill;
globalThis.crypto.getRandomValues = fill;
Math.random = () => 0.5;
let tick = 0;
performance.now = () => (tick += 0.001);
Date.now = () => 1_700_000_000_000;
process.argv = [process.argv[0], "/keyguide/snapshot.mjs"];

const quiet = () => {};
const indexURL = runtimeDir.endsWith("/") ? runtimeDir : runtimeDir + "/"; // under Node: a path
const { loadPyodide } = await import(pathToFileURL(indexURL + "pyodide.mjs").href);
const pyodide = await loadPyodide({ indexURL, packages: [], stdout: quiet, stderr: quiet, _makeSnapshot: true });
const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
pyodide.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: sitePackages });
// The clock stands still, so the import system cannot tell site-packages changed: tell it.
pyodide.runPython("import importlib; importlib.invalidate_caches(); import checker.browser");
writeFileSync(outPath, pyodide.makeMemorySnapshot());
