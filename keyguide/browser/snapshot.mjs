// Makes the checker's Pyodide memory snapshot: Python started, the checker wheel unpacked and imported; and
// lists what the page may still import from the standard library archive after restoring it (closure.py).
//
//   node snapshot.mjs <runtime dir> <checker wheel> <output file> <archive list file> [signing wheel...]
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

const [runtimeDir, wheelPath, outPath, listPath, ...signingWheels] = process.argv.slice(2);
if (!listPath) {
  process.stderr.write("usage: node snapshot.mjs <runtime dir> <checker wheel> <output file> <archive list file> [signing wheel...]\n");
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
const options = { indexURL, packages: [], stdout: quiet, stderr: quiet };
const importChecker = (python, compiled = {}) => {
  const sitePackages = python.runPython("import sysconfig; sysconfig.get_path('purelib')");
  // Unpacked as the page does it, so what unpacking imports is in the snapshot too (the page unpacks wheels).
  python.unpackArchive(new Uint8Array(readFileSync(wheelPath)), "wheel", { extractDir: sitePackages });
  for (const [path, pyc] of Object.entries(compiled)) {
    python.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
    python.FS.writeFile(path, pyc);
  }
  // The clock stands still, so the import system cannot tell site-packages changed: tell it.
  python.runPython("import importlib; importlib.invalidate_caches(); import checker.browser");
};

// A first interpreter compiles every module the checker's start imports: the standard library's into a
// copy of the archive (as .pyc beside each .py: zipimport prefers them), the checker's into __pycache__
// (unchecked hash-based .pyc: the same wheel's sources are beside them). The interpreter of the snapshot
// then loads them without compiling, which leaves less garbage in the memory it is made of (gzip: 5.2 MB
// instead of 6.4 MB). Compiled without docstrings, as `python -OO` does (asserts stay): nothing on the page
// reads one, and they were 0.3 MB of the snapshot (4.8 MB).
const first = await loadPyodide(options);
importChecker(first);
const cached = first.runPython(`
import ast, importlib.util, sys, sysconfig, zipfile

# Statements only: a docstring can only open the body of a module, class or function, which are statements
# or in a statement's body (ast.walk through every expression took 3 of the 5 seconds of this step).
BODIES = ("body", "orelse", "finalbody", "handlers", "cases")

def statements(body):
    for node in body:
        yield node
        for field in BODIES:
            for child in getattr(node, field, None) or ():
                yield from statements([child] if isinstance(child, ast.stmt) else child.body)

def without_docstrings(tree):
    for node in (tree, *statements(tree.body)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                # An emptied body gets a pass where ast.fix_missing_locations put one: at its owner, a module's at 1:0.
                stub = ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=0) if node is tree else ast.copy_location(ast.Pass(), node)
                node.body = node.body[1:] or [stub]
    return tree

def pyc(data, origin):
    code = compile(without_docstrings(ast.parse(data)), origin, "exec", dont_inherit=True)
    return bytes(importlib._bootstrap_external._code_to_hash_pyc(code, importlib.util.source_hash(data), False))

archive = next(p for p in sys.path if p.endswith(".zip"))
site = "/" + sysconfig.get_path("purelib").lstrip("/")  # it starts "//"
origins = [getattr(sys.modules[name].__spec__, "origin", None) or "" for name in sorted(sys.modules)]
with zipfile.ZipFile(archive) as source, zipfile.ZipFile("/tmp/stdlib-pyc.zip", "w") as out:
    for info in source.infolist():
        # Stored, not deflated again (seconds in this interpreter): this copy is only read here.
        copy = zipfile.ZipInfo(info.filename, info.date_time)
        copy.external_attr = info.external_attr
        out.writestr(copy, source.read(info))
    for origin in origins:
        if origin.startswith(archive + "/") and origin.endswith(".py"):
            name = origin[len(archive) + 1 :]
            out.writestr(zipfile.ZipInfo(name + "c"), pyc(source.read(name), origin))
cached = []  # where the import looks for each, where it is written here
for origin in origins:
    if origin.startswith(site + "/") and origin.endswith(".py"):
        written = f"/tmp/{len(cached)}.pyc"
        with open(origin, "rb") as source, open(written, "wb") as out:
            out.write(pyc(source.read(), origin))
        cached.append([importlib.util.cache_from_source(origin), written])
cached
`).toJs();
const compiled = Object.fromEntries(cached.map(([path, written]) => [path, first.FS.readFile(written)]));
const stdlibPyc = outPath + ".stdlib-pyc.zip";
writeFileSync(stdlibPyc, first.FS.readFile("/tmp/stdlib-pyc.zip"));

// The memory as instantiation leaves it (the module's data segments, zeros elsewhere), kept to publish the
// snapshot as its difference from it: a page gets the same memory from the same wasm before restoring.
let instantiated = null;
const { default: createPyodideModule } = await import(pathToFileURL(indexURL + "pyodide.asm.mjs").href);
const keepInstantiated = (settings) => {
  const instantiate = settings.instantiateWasm;
  settings.instantiateWasm = (imports, done) =>
    instantiate(imports, (instance, module) => {
      instantiated = new Uint8Array(instance.exports.memory.buffer.slice(0));
      done(instance, module);
    });
  return createPyodideModule(settings);
};
const pyodide = await loadPyodide({
  ...options, stdLibURL: stdlibPyc, _makeSnapshot: true, createPyodideModule: keepInstantiated,
});
importChecker(pyodide, compiled);
// zipimport keeps the archive's table of contents (file offsets) in memory: drop it, so the restored
// interpreter reads the table of the archive the page gives it (a trimmed one), at its first import from it.
pyodide.runPython("import zipimport; zipimport._zip_directory_cache.clear()");
writeFileSync(outPath, asDifference(pyodide.makeMemorySnapshot(), instantiated));

// The snapshot with its memory image XOR-ed with the memory at instantiation, in place: the header (up to
// the offset its second word gives) stays as it is. The module's data segments, 1.5 MB of gzip when written
// out, become zeros; checker.js undoes it with the page's own memory at instantiation.
function asDifference(image, initial) {
  if (!initial) throw new Error("Pyodide did not instantiate through settings.instantiateWasm");
  const memoryStart = new DataView(image.buffer, image.byteOffset).getUint32(4, true);
  const memory = image.subarray(memoryStart);
  const length = Math.min(memory.length, initial.length);
  for (let i = 0; i < length; i += 1) memory[i] ^= initial[i];
  return image;
}

// The snapshot is taken: what runs now is not in it.
const loaded = pyodide.runPython("import sys; sorted(sys.modules)").toJs();
const [checker, ...packages] = [wheelPath, ...signingWheels].map((path, i) => {
  const inFs = `/tmp/keyguide-roots/${i}.whl`;
  pyodide.FS.mkdirTree("/tmp/keyguide-roots");
  pyodide.FS.writeFile(inFs, new Uint8Array(readFileSync(path)));
  return inFs;
});
const closure = pyodide.toPy({ __name__: "keyguide_closure" });
pyodide.runPython(readFileSync(new URL("closure.py", import.meta.url), "utf-8"), { globals: closure });
const archive = pyodide.runPython("import sys; next(p for p in sys.path if p.endswith('.zip'))");
const entries = closure.get("archive_entries")(archive, checker, pyodide.toPy(packages), pyodide.toPy(loaded)).toJs();
writeFileSync(listPath, JSON.stringify(entries) + "\n");
