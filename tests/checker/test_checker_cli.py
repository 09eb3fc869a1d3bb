"""`python -m checker` as a subprocess: rules from `--rules` only, JSON on stdin, JSON on stdout, exit 0 or 2."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_checker

from checker import load_rules
from checker.cli import MISSING_RULES, run

ROOT = Path(__file__).resolve().parents[2]
KRAKEN_PLACEHOLDER = {"venue": "kraken-spot", "credentials": {"api_key": "", "api_secret": "your-secret-here"}}


@pytest.fixture(scope="module")
def rules_file(real_rules_file: Path) -> Path:
    return real_rules_file


def test_module_entry_point(rules_file: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checker", "diagnose", "--rules", str(rules_file)],
        input=json.dumps(KRAKEN_PLACEHOLDER),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is False


def test_diagnose(rules_file: Path) -> None:
    code, out = run_checker(["diagnose", "--rules", str(rules_file)], json.dumps(KRAKEN_PLACEHOLDER))
    assert code == 0
    assert out["ok"] is False
    assert {f["code"] for f in out["findings"]} == {"api_key.empty", "api_secret.placeholder"}


def test_sign(rules_file: Path) -> None:
    payload = {
        "venue": "kraken-spot",
        "credentials": {
            "api_secret": "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg=="
        },
        "request": {
            "method": "POST",
            "path": "/0/private/AddOrder",
            "nonce": "1616492376594",
            "body": "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25",
        },
    }
    code, out = run_checker(["sign", "--rules", str(rules_file)], json.dumps(payload))
    assert code == 0
    assert (
        out["signature"] == "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ=="
    )
    assert payload["credentials"]["api_secret"] not in json.dumps(out)


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("not json", "stdin: not valid JSON"),
        ('{"venue": "nope", "credentials": {}}', "unknown venue"),
        ('{"venue": "binance"}', "credentials: required"),
    ],
)
def test_malformed_input_exits_2(rules_file: Path, stdin: str, message: str) -> None:
    code, out = run_checker(["diagnose", "--rules", str(rules_file)], stdin)
    assert code == 2 and message in out["error"]


def test_without_rules_it_says_where_rules_come_from() -> None:
    code, out = run_checker(["diagnose"], json.dumps(KRAKEN_PLACEHOLDER))
    assert code == 2 and out == {"error": MISSING_RULES}
    assert out["error"].startswith("--rules FILE is required")


def test_the_venues_option_is_gone(tmp_path: Path) -> None:
    """The checker never reads venue YAML: that is the build side's job."""
    done = subprocess.run(
        [sys.executable, "-m", "checker", "diagnose", "--venues", "venues"],
        input="{}",
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 2 and "unrecognized arguments: --venues" in done.stderr


def test_missing_rules_file_exits_2(tmp_path: Path) -> None:
    code, out = run_checker(["diagnose", "--rules", str(tmp_path / "none.json")], "{}")
    assert code == 2 and out["error"].startswith(f"--rules {tmp_path / 'none.json'}: ")


@pytest.mark.parametrize(("content", "message"), [("[1, 2", "Expecting"), ('{"venues": []}', "venues")])
def test_a_rules_file_that_is_not_rules_exits_2_naming_it(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "venues.json"
    path.write_text(content, encoding="utf-8")
    code, out = run_checker(["diagnose", "--rules", str(path)], json.dumps(KRAKEN_PLACEHOLDER))
    assert code == 2 and out["error"].startswith(f"--rules {path}: ") and message in out["error"]


def test_run_takes_rules_the_caller_loaded(rules_file: Path) -> None:
    rules = load_rules(json.loads(rules_file.read_text(encoding="utf-8")))
    stdout = io.StringIO()
    code = run(["diagnose"], io.StringIO(json.dumps(KRAKEN_PLACEHOLDER)), stdout, rules=rules)
    assert code == 0
    assert {f["code"] for f in json.loads(stdout.getvalue())["findings"]} == {"api_key.empty", "api_secret.placeholder"}
