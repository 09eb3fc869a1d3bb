# Thin wrappers: every target installs what it needs, so a fresh clone works with one command.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# npm ci installs exactly package-lock.json (sha512-checked): the pinned Pyodide the site ships, and axe-core
# for the tests. No install scripts run. The build reads node_modules/pyodide and checks each file against
# keyguide/browser/pyodide-manifest.json.
NPM_STAMP := node_modules/.keyguide-installed
export NO_MKDOCS_2_WARNING := 1
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PIP    := $(PY) -m pip install -q --disable-pip-version-check
# `make lock` resolves for the machines the project runs on: Debian x86-64, Python 3.11.5 and later.
LOCK_TARGET := --python-version 3.11.5 --python-platform x86_64-unknown-linux-gnu

.PHONY: serve build test bench check lint lock clean wheels

# Every Python package comes from requirements.lock, checked against its SHA-256 (--require-hashes: pip
# refuses anything unpinned or unhashed). Then the project itself, with no dependencies of its own to fetch
# and no build isolation (the build backend was just installed from the lock).
$(STAMP): pyproject.toml requirements.lock
	python3 -m venv $(VENV)
	$(PIP) --require-hashes --no-deps -r requirements.lock
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

# The wheels the page signs private keys with (ecdsa, six, rsa), exactly as requirements.lock pins them:
# `pip download --no-deps --require-hashes --only-binary=:all:` into .cache/wheels/. The build never downloads;
# it checks each file against the lock again and stops, naming it, if one is missing or differs. Quick and
# offline once the files are there (they are hashed, not downloaded again).
wheels: $(STAMP)  ## download the locked signing wheels the site ships (ecdsa, six, rsa)
	$(PY) -m keyguide.browser wheels

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

serve: $(STAMP) $(NPM_STAMP) wheels  ## build and serve on http://127.0.0.1:8000 with live reload
	$(VENV)/bin/mkdocs serve --dev-addr 127.0.0.1:8000

build: $(STAMP) $(NPM_STAMP) wheels  ## write the static site to site/
	$(VENV)/bin/mkdocs build --strict

check: $(STAMP)  ## validate venue files
	$(VENV)/bin/keyguide check venues

chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

lint: $(STAMP)
	$(VENV)/bin/ruff check keyguide checker tests bench
	$(VENV)/bin/ruff format --check keyguide checker tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports  # the import contracts in pyproject.toml

test: $(STAMP) $(NPM_STAMP) wheels chromium lint  ## run every test
	$(VENV)/bin/pytest

# One run prints every figure of issue 12 next to its reference, with ratio and goal (bench/__main__.py);
# e.g. `make bench BENCH_ARGS=--quick`, or `BENCH_ARGS="--only build --sizes 500"`. Profile a build with
# `$(PY) -m bench.profile --venues 100` (see bench/profile.py).
bench: $(STAMP) $(NPM_STAMP) wheels chromium  ## print build, page and checker figures next to their references
	$(PY) -m bench $(BENCH_ARGS)

lock: $(STAMP)  ## re-resolve requirements.lock after editing pyproject.toml's pins; review the diff
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra lock --generate-hashes $(LOCK_TARGET) \
		--quiet -o requirements.lock

clean:
	rm -rf site .venv .pytest_cache .mypy_cache node_modules
