"""Signing a request as a venue's scheme does, and reproducing the venue's published example.

Signing depends on the rules only; composing it with the diagnosis is the caller's job (checker.browser).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from checker.keys import PrivateKey, describe_kind, read_private_key
from checker.rules import MAX_LENGTH, TRIM, CheckerInputError, Request, Rules, Venue
from checker.schemes import Scheme, SignContext, scheme_for


class SigningRefused(CheckerInputError):
    """The credentials cannot be used to sign (e.g. a base64 secret that does not decode)."""


@dataclass(frozen=True)
class SignResult:
    """A signed request, with exactly what goes on the wire (signature parameter included)."""

    signature: str
    headers: Mapping[str, str]
    prehash: str
    prehash_note: str | None
    formula: str
    method: str
    url: str
    send_query: str
    send_body: str | None  # None when the venue sends no body (the payload travels in a header)
    query: str | None = None
    # A JWT's header and claims, decoded (Coinbase CDP), shown beside the token.
    token: Mapping[str, Mapping[str, Any]] | None = None
    key_type: str | None = None

    def curl(self) -> str:
        """The same request as a curl command line, each part shell-quoted."""
        parts = ["curl", "-X", self.method, _shell_quote(self.url)]
        for name, value in self.headers.items():
            parts += ["-H", _shell_quote(f"{name}: {value}")]
        if self.send_body:
            parts += ["--data-raw", _shell_quote(self.send_body)]
        return " ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "signature": self.signature,
            "headers": dict(self.headers),
            "prehash": self.prehash,
            "formula": self.formula,
            "url": self.url,
            "curl": self.curl(),
            # Exactly what goes on the wire, so callers build a request without knowing where a venue
            # puts its signature.
            "send": {"query": self.send_query, "body": self.send_body or ""},
        }
        if self.prehash_note is not None:
            result["prehash_note"] = self.prehash_note
        if self.query is not None:
            result["query"] = self.query
        if self.token is not None:
            result["jwt"] = {"header": dict(self.token["header"]), "payload": dict(self.token["payload"])}
        if self.key_type is not None:
            result["key_type"] = self.key_type
        return result


@dataclass(frozen=True)
class SelfTest:
    ok: bool
    signature: str
    expected: str
    official: bool
    source_url: str
    prehash_ok: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "signature": self.signature,
            "expected": self.expected,
            "official": self.official,
            "source_url": self.source_url,
            "prehash_ok": self.prehash_ok,
        }


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _by_role(venue: Venue, credentials: Mapping[str, str | None]) -> dict[str, str]:
    """Credential values keyed by role, outer ASCII whitespace trimmed (the diagnosis reports that trim)."""
    values: dict[str, str] = {}
    for credential in venue.credentials:
        value = credentials.get(credential.id) or ""
        if len(value) > MAX_LENGTH:
            raise SigningRefused(f"the {credential.label} is over {MAX_LENGTH} characters; not signing")
        values[credential.role] = value.strip(TRIM)
    return values


def _percent_encode(value: str) -> str:
    """A signature as a query or form parameter value: base64's +, / and = percent-encoded (hex has none)."""
    return value.replace("%", "%25").replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")


def _private_key(venue: Venue, scheme: Scheme, raw: str) -> PrivateKey:
    credential = venue.credential_for("secret")
    assert credential is not None  # _key_material looked it up
    if credential.format.key is None:
        raise CheckerInputError(f"{venue.name}: the {credential.label}'s format names no kind of key to read")
    reading = read_private_key(raw, credential.format, label=credential.label)
    if reading.key is None:
        reason = reading.errors[0].message if reading.errors else "it holds no private key"
        raise SigningRefused(f"the {credential.label} cannot sign: {reason} See the findings.")
    if reading.key.kind not in scheme.key_kinds:
        kinds = " or ".join(describe_kind(kind) for kind in scheme.key_kinds)
        raise SigningRefused(f"the {credential.label} holds {reading.holds}; {venue.name} signs with {kinds}")
    return reading.key


def _key_material(venue: Venue, scheme: Scheme, values: Mapping[str, str]) -> bytes | PrivateKey:
    credential = venue.credential_for("secret")
    if credential is None:
        raise CheckerInputError(f"{venue.name}: the rules declare no credential with the role 'secret'")
    raw = values.get("secret", "")
    if not raw:
        raise CheckerInputError(f"{venue.name} signs with the {credential.label}: it is missing")
    decoding = scheme.secret_decoding
    if decoding == "private_key":
        return _private_key(venue, scheme, raw)
    if decoding == "base64":
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise SigningRefused(
                f"the {credential.label} is not valid standard base64, and {venue.name} signs with its decoded "
                "bytes; see the findings"
            ) from None
    try:
        return raw.encode("utf-8")
    except UnicodeEncodeError:
        raise SigningRefused(
            f"the {credential.label} contains a lone surrogate and cannot be encoded; see the findings"
        ) from None


def sign_request(
    rules: Rules,
    venue_id: str,
    credentials: Mapping[str, str | None],
    request: Request,
    *,
    base_url: str | None = None,
    key_type: str | None = None,
) -> SignResult:
    """Sign `request` as the venue's scheme does (with `key_type`, as that key type of the venue signs).

    Credentials are keyed by the venue's credential ids. Values are used with outer ASCII whitespace trimmed
    (the one normalisation the diagnosis also applies and reports); everything else is signed exactly as given,
    except that a private key is read from its PEM block (checker.keys; its findings say what was read how).
    `base_url` sends the request to another host than the venue's signing base URL (its key-information service).
    """
    venue = rules.venue(venue_id, key_type)
    if venue.key_type is not None and venue.key_type.retired:
        raise SigningRefused(f"{venue.name} no longer accepts the {venue.key_type.label}: {venue.key_type.retired}")
    scheme = scheme_for(venue)
    assert venue.signing is not None  # scheme_for refuses a venue without one
    values = _by_role(venue, credentials)
    material = _key_material(venue, scheme, values)
    if isinstance(material, PrivateKey):
        context = SignContext(venue, values, b"", request, venue.signing.params, private_key=material)
    else:
        context = SignContext(venue, values, material, request, venue.signing.params)
    try:
        signed = scheme.sign(context)
    except UnicodeEncodeError:
        raise CheckerInputError("the request contains a lone surrogate and cannot be encoded as UTF-8") from None
    send_query = signed.query if signed.query is not None else context.query()
    send_body = request.body if signed.sends_body else None
    if signed.signature_param is not None:
        param = f"{signed.signature_param}={_percent_encode(signed.signature)}"
        if send_body and not send_query:
            send_body = f"{send_body}&{param}"
        else:
            send_query = f"{send_query}&{param}" if send_query else param
    url = (base_url or venue.signing.base_url).rstrip("/") + request.path + (f"?{send_query}" if send_query else "")
    return SignResult(
        signature=signed.signature,
        headers=signed.headers,
        prehash=signed.prehash,
        prehash_note=signed.prehash_note,
        formula=scheme.formula,
        method=request.method,
        url=url,
        send_query=send_query,
        send_body=send_body,
        query=signed.query,
        token=signed.token,
        key_type=key_type,
    )


def signatures_equal(computed: str, theirs: str, compare: str) -> bool:
    if compare == "hex-ci":
        return computed.lower() == theirs.lower()
    return computed == theirs


def run_selftest(rules: Rules, venue_id: str, key_type: str | None = None) -> SelfTest:
    """Sign the venue's published example (or its key type's) and say whether the checker reproduces it."""
    venue = rules.venue(venue_id, key_type)
    example = venue.signing.example if venue.signing else None
    if example is None:
        raise CheckerInputError(f"{venue.name}: the rules carry no signing example")
    result = sign_request(rules, venue_id, example.credentials, example.request, key_type=key_type)
    prehash_ok = None if example.prehash is None else result.prehash == example.prehash
    return SelfTest(
        ok=signatures_equal(result.signature, example.signature, example.compare) and prehash_ok is not False,
        signature=result.signature,
        expected=example.signature,
        official=example.official,
        source_url=example.source_url,
        prehash_ok=prehash_ok,
    )
