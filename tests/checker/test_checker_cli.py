"""`python -m checker` as a subprocess: JSON on stdin, JSON on stdout, exit 0 or 2."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("checker_tests_conftest_c", Path(__file__).with_name("conftest.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("rules") / "venues.json"
    path.write_text(json.dumps(module.RULES_DATA), encoding="utf-8")
    return path


def run(args: list[str], stdin: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "checker", *args], input=stdin, capture_output=True, text=True, cwd=ROOT, check=False
    )
    return done.returncode, json.loads(done.stdout)


def test_diagnose(rules_file: Path) -> None:
    payload = {"venue": "kraken-spot", "credentials": {"api_key": "", "api_secret": "your-secret-here"}}
    code, out = run(["diagnose", "--rules", str(rules_file)], json.dumps(payload))
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
    code, out = run(["sign", "--rules", str(rules_file)], json.dumps(payload))
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
    code, out = run(["diagnose", "--rules", str(rules_file)], stdin)
    assert code == 2 and message in out["error"]


def test_missing_rules_file_exits_2(tmp_path: Path) -> None:
    code, out = run(["diagnose", "--rules", str(tmp_path / "none.json")], "{}")
    assert code == 2 and "--rules" in out["error"]
