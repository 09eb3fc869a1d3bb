"""The one entry the page calls through Pyodide: JSON string in, display-ready JSON string out, never an exception.

This is where diagnosis and signing meet: the page script only wires the DOM, so everything it shows (the
filled test request, the URL, headers, the curl line, where a finding or the self-test links to) is made here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from checker.audit import audit_for, audit_response
from checker.diagnose import diagnose_credentials, misplaced
from checker.errors import compare_signature, match_error
from checker.findings import Finding
from checker.rules import TRIM, CheckerInputError, Request, Rules, Venue, fill_request, load_rules, parse_request
from checker.schemes import scheme_for
from checker.signing import SigningRefused, run_selftest, sign_request

_JSON = TypeVar("_JSON")
OPERATIONS = ("diagnose", "prepare", "sign", "selftest", "match_error", "compare", "audit", "requirements")
# Which of a venue's requests `prepare`, `sign` and `compare` work on: the harmless test request, or the
# key-information request whose answer the key audit reads.
REQUEST_KINDS = ("test", "key_info")


class NotSigned(CheckerInputError):
    """Signing was refused; the diagnosis of the credentials says why."""

    def __init__(self, message: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.findings = findings


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


def _optional_text(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is not None and not isinstance(value, str):
        raise CheckerInputError(f"{name}: expected a string")
    return value


def _key_type(payload: Mapping[str, Any]) -> str | None:
    """Which of a venue's key types the credentials are (Binance: 'hmac', 'ed25519', 'rsa'); None: the venue's own."""
    return _optional_text(payload, "key_type") or None


def _credentials(payload: Mapping[str, Any]) -> dict[str, str | None]:
    value = payload.get("credentials")
    if not isinstance(value, dict):
        raise CheckerInputError("credentials: required, as an object of field -> string")
    for name, item in value.items():
        if item is not None and not isinstance(item, str):
            # Name the field, never echo the value.
            raise CheckerInputError(f"credentials.{name}: expected a string, got {type(item).__name__}")
    return dict(value)


def _finding(venue: Venue, finding: Finding) -> dict[str, Any]:
    result = finding.to_dict()
    # A finding about another venue (a paste of its answer) links to that venue's guide.
    guide = finding.guide if finding.guide is not None else venue.guide_url
    result["link"] = f"{guide}#{finding.anchor}" if finding.anchor else finding.guide
    return result


def _diagnose(
    rules: Rules, venue_id: str, credentials: Mapping[str, str | None], key_type: str | None = None
) -> dict[str, Any]:
    venue = rules.venue(venue_id, key_type)
    diagnosis = diagnose_credentials(rules, venue_id, credentials, key_type)
    return {"ok": diagnosis.ok, "findings": [_finding(venue, f) for f in diagnosis.findings]}


def requirements(rules: Rules, venue_id: str, key_type: str | None = None) -> dict[str, Any]:
    """The Python packages beyond the checker that signing needs, for one key type or, without one, for every
    key type of the venue: the page unpacks exactly these wheels before it signs (none for HMAC venues)."""
    venue = rules.venue(venue_id)
    ids: list[str | None] = [key_type] if key_type is not None else [None, *(k.id for k in venue.key_types)]
    packages: set[str] = set()
    for one in ids:
        view = venue.with_key_type(one)
        if view.signing is not None and not (view.key_type is not None and view.key_type.retired):
            packages.update(scheme_for(view).requires)
    return {"packages": sorted(packages)}


def _template(venue: Venue, request_kind: str) -> Request:
    """The venue's request of this kind, placeholders unfilled."""
    if request_kind == "key_info":
        return audit_for(venue)[0].request
    template = venue.signing.test_request if venue.signing is not None else None
    if template is None:
        raise CheckerInputError(f"{venue.name}: the rules carry no test request")
    return template


def prepare_request(
    rules: Rules,
    venue_id: str,
    now_ms: int | None,
    values: Mapping[str, str],
    request_kind: str = "test",
    key_type: str | None = None,
    uuid: str | None = None,
) -> dict[str, Any]:
    """The venue's test (or key-information) request with a fresh nonce/timestamp for `now_ms`, or with the
    values the reader typed (the key type's scheme says how it writes them).

    Returns the filled fields by name (method, path, query, body and the signed fields the request carries).
    """
    venue = rules.venue(venue_id, key_type)
    scheme = scheme_for(venue)
    template = _template(venue, request_kind)
    typed = {name: value for name, value in values.items() if value}
    fresh = {} if now_ms is None else scheme.fresh_values(now_ms, uuid, with_nonce="nonce" not in typed)
    given = {**fresh, **typed}
    recv_window = given.get("recv_window", template.recv_window)
    filled = fill_request(template, nonce=given.get("nonce"), timestamp=given.get("timestamp"), recv_window=recv_window)
    fields = {"method": filled.method, "path": filled.path, "query": filled.query, "body": filled.body}
    for name in ("nonce", "timestamp", "recv_window"):
        value = getattr(filled, name)
        if getattr(template, name) is not None and value is not None:
            fields[name] = value
    return {"fields": fields}


def _now_ms(payload: Mapping[str, Any]) -> int | None:
    value = payload.get("now_ms")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise CheckerInputError("now_ms: expected milliseconds since 1970 as a number")
    return int(value)


def _request_kind(payload: Mapping[str, Any]) -> str:
    value = payload.get("request_kind", "test")
    if value not in REQUEST_KINDS:
        raise CheckerInputError(f"request_kind: expected one of {', '.join(repr(k) for k in REQUEST_KINDS)}")
    return str(value)


def _values(payload: Mapping[str, Any]) -> dict[str, str]:
    value = payload.get("values", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise CheckerInputError("values: expected an object of field -> string")
    return dict(value)


def _secrets(venue: Venue, credentials: Mapping[str, str | None]) -> dict[str, str]:
    """Every secret-role value as pasted and as trimmed, with the placeholder that stands for it in output."""
    found: dict[str, str] = {}
    for credential in venue.credentials:
        value = credentials.get(credential.id) or ""
        if credential.secret:
            for form in (value, value.strip(TRIM)):
                if form:
                    found[form] = f"<your {credential.label}>"
    return found


def redact(data: _JSON, secrets: Mapping[str, str]) -> _JSON:
    """`data` with every string that holds a secret value rewritten to hold its placeholder instead.

    Longer values go first, so a secret that contains another is replaced whole.
    """
    if isinstance(data, str):
        text: str = data
        for value in sorted(secrets, key=len, reverse=True):
            text = text.replace(value, secrets[value])
        return cast(_JSON, text)
    if isinstance(data, dict):
        return cast(_JSON, {key: redact(item, secrets) for key, item in data.items()})
    if isinstance(data, list):
        return cast(_JSON, [redact(item, secrets) for item in data])
    return data


def _sign(rules: Rules, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Diagnose, then sign; refuse while a value is misplaced, and never return a secret value in any output."""
    venue_id = _text(payload, "venue")
    key_type = _key_type(payload)
    venue = rules.venue(venue_id, key_type)
    credentials = _credentials(payload)
    diagnosis = diagnose_credentials(rules, venue_id, credentials, key_type)
    findings = [_finding(venue, f) for f in diagnosis.findings]
    blocking = misplaced(diagnosis.findings)
    if blocking:
        fields = ", ".join(sorted({f.field for f in blocking}))
        raise NotSigned(
            f"not signed: a value is in the wrong field or is the wrong kind of value ({fields}; see the problems "
            "above). Signing it could show a secret where this page shows your key.",
            findings,
        )
    request_kind = _request_kind(payload)
    base_url = audit_for(venue)[0].base_url if request_kind == "key_info" else None
    if payload.get("request") is None and request_kind == "key_info":
        # The page may ask for the key check in one step: the key-information request, filled for now_ms.
        now_ms = _now_ms(payload)
        if now_ms is None:
            raise CheckerInputError("request or now_ms: one is required to sign the key-information request")
        uuid = _optional_text(payload, "uuid")
        request = parse_request(prepare_request(rules, venue_id, now_ms, {}, request_kind, key_type, uuid)["fields"])
    else:
        request = parse_request(payload.get("request"))
    try:
        result = sign_request(rules, venue_id, credentials, request, base_url=base_url, key_type=key_type)
    except SigningRefused as error:
        raise NotSigned(str(error), findings) from None
    return redact({**result.to_dict(), "findings": findings}, _secrets(venue, credentials))


def _selftest(rules: Rules, venue_id: str, key_type: str | None = None) -> dict[str, Any]:
    venue = rules.venue(venue_id, key_type)
    return {
        **run_selftest(rules, venue_id, key_type).to_dict(),
        "link": venue.example_url or None,
        "venue_name": venue.name,
    }


def _compare(rules: Rules, payload: Mapping[str, Any]) -> dict[str, Any]:
    signed = _sign(rules, payload)
    venue = rules.venue(_text(payload, "venue"), _key_type(payload))
    signing = venue.signing
    mode = signing.example.compare if signing is not None and signing.example is not None else "exact"
    comparison = compare_signature(signed["signature"], _text(payload, "signature"), mode).to_dict()
    return redact({**comparison, **signed}, _secrets(venue, _credentials(payload)))


def _audit(rules: Rules, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Read the pasted answer of the venue's key-information request: what the key can do, never a value of it."""
    venue = rules.venue(_text(payload, "venue"))
    diagnosis = audit_response(
        rules,
        venue.id,
        _text(payload, "response"),
        use_case=_optional_text(payload, "use_case") or None,
        now_ms=_now_ms(payload),
    )
    return {"ok": diagnosis.ok, "findings": [_finding(venue, f) for f in diagnosis.findings]}


def dispatch(rules: Rules, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Run one operation; raise `CheckerInputError` for malformed input."""
    op = payload.get("op")
    if op == "diagnose":
        return _diagnose(rules, _text(payload, "venue"), _credentials(payload), _key_type(payload))
    if op == "prepare":
        return prepare_request(
            rules,
            _text(payload, "venue"),
            _now_ms(payload),
            _values(payload),
            _request_kind(payload),
            _key_type(payload),
            _optional_text(payload, "uuid"),
        )
    if op == "sign":
        return _sign(rules, payload)
    if op == "selftest":
        return _selftest(rules, _text(payload, "venue"), _key_type(payload))
    if op == "requirements":
        return requirements(rules, _text(payload, "venue"), _key_type(payload))
    if op == "match_error":
        matches = match_error(
            rules,
            _text(payload, "text"),
            _optional_text(payload, "venue"),
            site_url=_optional_text(payload, "site_url") or "",
        )
        return {"matches": [m.to_dict() for m in matches]}
    if op == "compare":
        return _compare(rules, payload)
    if op == "audit":
        return _audit(rules, payload)
    raise CheckerInputError(f"op: expected one of {', '.join(repr(o) for o in OPERATIONS)}, got {op!r}")


def error_response(error: CheckerInputError) -> dict[str, Any]:
    response: dict[str, Any] = {"error": str(error)}
    if isinstance(error, NotSigned):
        response["findings"] = error.findings
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
