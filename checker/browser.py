"""The one entry the page calls through Pyodide: JSON string in, JSON string out, never an exception."""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from checker.diagnose import diagnose_credentials
from checker.errors import compare_signature, match_error
from checker.rules import CheckerInputError, Rules, load_rules, parse_request
from checker.signing import SigningRefused, run_selftest, sign_request


@functools.lru_cache(maxsize=4)
def _parse_rules(rules_json: str) -> Rules:
    # The page passes the same rules string on every call; parse it once.
    try:
        data = json.loads(rules_json)
    except json.JSONDecodeError as error:
        raise CheckerInputError(f"rules: not valid JSON ({error.msg} at position {error.pos})") from None
    return load_rules(data)


def parse_json_object(text: str, where: str) -> dict[str, Any]:
    """One JSON object from the page or stdin; anything else is a CheckerInputError naming `where`."""
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise CheckerInputError(f"{where}: not valid JSON ({error.msg} at position {error.pos})") from None
    if not isinstance(payload, dict):
        raise CheckerInputError(f"{where}: expected a JSON object")
    return payload


def _text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str):
        raise CheckerInputError(f"{name}: required, as a string")
    return value


def _credentials(payload: Mapping[str, Any]) -> dict[str, str | None]:
    value = payload.get("credentials")
    if not isinstance(value, dict):
        raise CheckerInputError("credentials: required, as an object of field -> string")
    for name, item in value.items():
        if item is not None and not isinstance(item, str):
            # Name the field, never echo the value.
            raise CheckerInputError(f"credentials.{name}: expected a string, got {type(item).__name__}")
    return dict(value)


def dispatch(rules: Rules, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run one operation; raise `CheckerInputError` for malformed input."""
    op = payload.get("op")
    if op == "diagnose":
        return diagnose_credentials(rules, _text(payload, "venue"), _credentials(payload)).to_dict()
    if op == "sign":
        request = parse_request(payload.get("request"))
        return sign_request(rules, _text(payload, "venue"), _credentials(payload), request).to_dict()
    if op == "selftest":
        return run_selftest(rules, _text(payload, "venue")).to_dict()
    if op == "match_error":
        venue = payload.get("venue")
        if venue is not None and not isinstance(venue, str):
            raise CheckerInputError("venue: expected a string")
        return {"matches": [m.to_dict() for m in match_error(rules, _text(payload, "text"), venue)]}
    if op == "compare":
        venue_id = _text(payload, "venue")
        result = sign_request(rules, venue_id, _credentials(payload), parse_request(payload.get("request")))
        signing = rules.venue(venue_id).signing
        mode = signing.example.compare if signing is not None and signing.example is not None else "exact"
        comparison = compare_signature(result.signature, _text(payload, "signature"), mode)
        return {**comparison.to_dict(), **result.to_dict()}
    raise CheckerInputError(f"op: expected one of 'diagnose', 'sign', 'selftest', 'match_error', 'compare', got {op!r}")


def error_response(error: CheckerInputError) -> dict[str, Any]:
    response: dict[str, Any] = {"error": str(error)}
    if isinstance(error, SigningRefused):
        response["findings"] = [f.to_dict() for f in error.findings]
    return response


def handle(rules_json: str, request_json: str) -> str:
    """Answer one request from the page. Errors come back as `{"error": "..."}`, never as exceptions."""
    try:
        rules = _parse_rules(rules_json)
        response = dispatch(rules, parse_json_object(request_json, "request"))
    except CheckerInputError as error:
        response = error_response(error)
    except Exception as error:  # noqa: BLE001 - the page must always get JSON back, even on a checker bug
        response = {"error": f"internal error ({type(error).__name__}); please report it"}
    return json.dumps(response)
