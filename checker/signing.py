"""Request signing for every HMAC scheme a venue can declare in its rules.

Each signer is a pure function of (credentials, request, params): nonce and timestamp come in with the
request. Signers return the exact string that was signed so a reader can diff it against their own.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from checker.diagnose import MAX_LENGTH, diagnose_credentials
from checker.findings import Finding
from checker.rules import CheckerInputError, Compare, Request, Rules, Venue

_TRIM = " \t\r\n\f\v"
# A plaintext passphrase header would put a secret on screen; show where it goes instead.
PASSPHRASE_PLACEHOLDER = "<your passphrase, sent as typed>"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class SigningRefused(CheckerInputError):
    """The credentials cannot be used to sign (e.g. a base64 secret that does not decode); see findings."""

    def __init__(self, message: str, findings: tuple[Finding, ...]) -> None:
        super().__init__(message)
        self.findings = findings


@dataclass(frozen=True)
class SignContext:
    """What a signer gets: credential values (outer whitespace trimmed), the decoded secret, the request."""

    venue: Venue
    credentials: Mapping[str, str]
    secret: bytes
    request: Request
    params: Mapping[str, str]

    def key(self) -> str:
        return self.need_credential("api_key")

    def optional_key(self) -> str | None:
        return self.credentials.get("api_key") or None

    def need_credential(self, name: str) -> str:
        value = self.credentials.get(name)
        if not value:
            raise CheckerInputError(f"{self.venue.name} signs with the {name}: it is missing")
        return value

    def need(self, name: str) -> str:
        value = getattr(self.request, name)
        if value is None or value == "":
            raise CheckerInputError(f"{self.venue.name} signs with request.{name}: it is missing")
        return str(value)

    def query(self) -> str:
        # Readers paste "?a=b" as often as "a=b"; the question mark is never part of what is signed here.
        return self.request.query[1:] if self.request.query.startswith("?") else self.request.query

    def path_and_query(self) -> str:
        query = self.query()
        return self.request.path + ("?" + query if query else "")


@dataclass(frozen=True)
class Signed:
    """A signer's output. `query` is set when the signer added parameters to it (Binance timestamp)."""

    signature: str
    headers: Mapping[str, str]
    prehash: str
    prehash_note: str | None = None
    query: str | None = None
    # Venues that send the signature as a parameter (Binance: `signature=`) rather than a header.
    signature_param: str | None = None


@dataclass(frozen=True)
class SignResult:
    signature: str
    headers: Mapping[str, str]
    prehash: str
    prehash_note: str | None
    query: str | None
    send_query: str
    send_body: str
    findings: tuple[Finding, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "signature": self.signature,
            "headers": dict(self.headers),
            "prehash": self.prehash,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.prehash_note is not None:
            result["prehash_note"] = self.prehash_note
        if self.query is not None:
            result["query"] = self.query
        # Exactly what goes on the wire (signature parameter included), so callers build a request
        # without knowing where a venue puts its signature.
        result["send"] = {"query": self.send_query, "body": self.send_body}
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


Signer: TypeAlias = Callable[[SignContext], Signed]


def _mac(secret: bytes, message: bytes, digest: str) -> bytes:
    return hmac.new(secret, message, digest).digest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _headers(*pairs: tuple[str, str | None]) -> dict[str, str]:
    return {name: value for name, value in pairs if value is not None}


def sign_kraken_spot(ctx: SignContext) -> Signed:
    nonce = ctx.need("nonce")
    data = ctx.query() if ctx.request.method == "GET" else ctx.request.body
    prehash = nonce + data
    message = ctx.request.path.encode() + hashlib.sha256(prehash.encode()).digest()
    signature = _b64(_mac(ctx.secret, message, "sha512"))
    return Signed(
        signature=signature,
        headers=_headers(
            ("API-Key", ctx.optional_key()),
            ("API-Sign", signature),
            ("Content-Type", FORM if ctx.request.body else None),
        ),
        prehash=prehash,
        prehash_note=(
            "API-Sign = base64(HMAC-SHA512(key = base64-decoded secret, message = URI path + SHA256(prehash))), "
            f"where prehash = nonce + POST data, the URI path is {ctx.request.path!r}, and SHA256 gives its raw "
            "32 bytes (not hex)."
        ),
    )


def sign_kraken_futures(ctx: SignContext) -> Signed:
    path = ctx.request.path
    prefix = ctx.params.get("strip_prefix", "")
    # Since 2024-02-20 Kraken signs the endpoint path without the "/derivatives" routing prefix.
    if prefix and path.startswith(prefix):
        path = path[len(prefix) :]
    data = ctx.query() if ctx.request.method == "GET" else ctx.request.body
    nonce = ctx.request.nonce or ""
    prehash = data + nonce + path
    signature = _b64(_mac(ctx.secret, hashlib.sha256(prehash.encode()).digest(), "sha512"))
    return Signed(
        signature=signature,
        headers=_headers(
            ("APIKey", ctx.optional_key()),
            ("Authent", signature),
            ("Nonce", nonce or None),
            ("Content-Type", FORM if ctx.request.body else None),
        ),
        prehash=prehash,
        prehash_note=(
            "Authent = base64(HMAC-SHA512(key = base64-decoded secret, message = SHA256(prehash) as raw 32 bytes)), "
            f"where prehash = postData + nonce + endpoint path ({path!r}"
            + (f", with {prefix!r} removed" if prefix else "")
            + "); for GET the query string is the postData."
        ),
    )


def _has_param(text: str, name: str) -> bool:
    return any(part.split("=", 1)[0] == name for part in text.split("&") if part)


def sign_binance(ctx: SignContext) -> Signed:
    query, body = ctx.query(), ctx.request.body
    timestamp = ctx.request.timestamp
    if not (_has_param(query, "timestamp") or _has_param(body, "timestamp")):
        if timestamp is None:
            raise CheckerInputError(
                f"{ctx.venue.name} signs a timestamp: give request.timestamp or a timestamp= parameter"
            )
        extra = []
        if ctx.request.recv_window is not None and not (
            _has_param(query, "recvWindow") or _has_param(body, "recvWindow")
        ):
            extra.append(f"recvWindow={ctx.request.recv_window}")
        extra.append(f"timestamp={timestamp}")
        query = "&".join([query, *extra] if query else extra)
    prehash = query + body
    signature = hmac.new(ctx.secret, prehash.encode(), "sha256").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(("X-MBX-APIKEY", ctx.optional_key()), ("Content-Type", FORM if body else None)),
        prehash=prehash,
        prehash_note="signature = hex(HMAC-SHA256(secret, query string + request body)), sent as signature=.",
        query=query,
        signature_param="signature",
    )


def sign_bybit(ctx: SignContext) -> Signed:
    timestamp, recv_window, key = ctx.need("timestamp"), ctx.need("recv_window"), ctx.key()
    payload = ctx.request.body if ctx.request.method == "POST" else ctx.query()
    prehash = timestamp + key + recv_window + payload
    signature = hmac.new(ctx.secret, prehash.encode(), "sha256").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("X-BAPI-API-KEY", key),
            ("X-BAPI-TIMESTAMP", timestamp),
            ("X-BAPI-RECV-WINDOW", recv_window),
            ("X-BAPI-SIGN", signature),
            ("Content-Type", JSON if ctx.request.method == "POST" else None),
        ),
        prehash=prehash,
    )


def _sign_timestamp_method_path_body(ctx: SignContext) -> tuple[str, str, str]:
    """OKX, KuCoin and Bitget share one formula: base64(HMAC-SHA256(secret, ts + METHOD + path?query + body))."""
    timestamp = ctx.need("timestamp")
    prehash = timestamp + ctx.request.method + ctx.path_and_query() + ctx.request.body
    return timestamp, prehash, _b64(_mac(ctx.secret, prehash.encode(), "sha256"))


def sign_okx(ctx: SignContext) -> Signed:
    timestamp, prehash, signature = _sign_timestamp_method_path_body(ctx)
    return Signed(
        signature=signature,
        headers=_headers(
            ("OK-ACCESS-KEY", ctx.optional_key()),
            ("OK-ACCESS-SIGN", signature),
            ("OK-ACCESS-TIMESTAMP", timestamp),
            ("OK-ACCESS-PASSPHRASE", PASSPHRASE_PLACEHOLDER),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
    )


def sign_kucoin(ctx: SignContext) -> Signed:
    timestamp, prehash, signature = _sign_timestamp_method_path_body(ctx)
    passphrase = ctx.credentials.get("passphrase")
    # Key version 2 sends the passphrase HMAC'd with the secret, never as typed.
    signed_passphrase = _b64(_mac(ctx.secret, passphrase.encode(), "sha256")) if passphrase else None
    return Signed(
        signature=signature,
        headers=_headers(
            ("KC-API-KEY", ctx.optional_key()),
            ("KC-API-SIGN", signature),
            ("KC-API-TIMESTAMP", timestamp),
            ("KC-API-PASSPHRASE", signed_passphrase),
            ("KC-API-KEY-VERSION", "2"),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
        prehash_note="KC-API-PASSPHRASE = base64(HMAC-SHA256(secret, passphrase)) for key version 2.",
    )


def sign_gate(ctx: SignContext) -> Signed:
    timestamp = ctx.need("timestamp")
    body_hash = hashlib.sha512(ctx.request.body.encode()).hexdigest()
    prehash = "\n".join([ctx.request.method, ctx.request.path, ctx.query(), body_hash, timestamp])
    signature = hmac.new(ctx.secret, prehash.encode(), "sha512").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("KEY", ctx.optional_key()),
            ("Timestamp", timestamp),
            ("SIGN", signature),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
        prehash_note="Lines joined by \\n: METHOD, path, query, hex(SHA512(body)), timestamp in seconds.",
    )


def sign_bitget(ctx: SignContext) -> Signed:
    timestamp, prehash, signature = _sign_timestamp_method_path_body(ctx)
    return Signed(
        signature=signature,
        headers=_headers(
            ("ACCESS-KEY", ctx.optional_key()),
            ("ACCESS-SIGN", signature),
            ("ACCESS-TIMESTAMP", timestamp),
            ("ACCESS-PASSPHRASE", PASSPHRASE_PLACEHOLDER),
            ("Content-Type", JSON),
            ("locale", "en-US"),
        ),
        prehash=prehash,
    )


def sign_bitfinex(ctx: SignContext) -> Signed:
    nonce = ctx.need("nonce")
    prehash = "/api/" + ctx.request.path.lstrip("/") + nonce + ctx.request.body
    signature = hmac.new(ctx.secret, prehash.encode(), "sha384").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("bfx-nonce", nonce),
            ("bfx-apikey", ctx.optional_key()),
            ("bfx-signature", signature),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
    )


def sign_gemini(ctx: SignContext) -> Signed:
    if not ctx.request.body:
        raise CheckerInputError(
            f"{ctx.venue.name} signs the JSON payload: give it as request.body (it is sent base64-encoded in "
            "a header, not as a body)"
        )
    payload = _b64(ctx.request.body.encode())
    signature = hmac.new(ctx.secret, payload.encode(), "sha384").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("Content-Type", "text/plain"),
            ("Content-Length", "0"),
            ("X-GEMINI-APIKEY", ctx.optional_key()),
            ("X-GEMINI-PAYLOAD", payload),
            ("X-GEMINI-SIGNATURE", signature),
            ("Cache-Control", "no-cache"),
        ),
        prehash=payload,
        prehash_note="The JSON payload exactly as given is base64-encoded; the HMAC-SHA384 covers that base64 text.",
    )


def _host(ctx: SignContext) -> str:
    host = ctx.params.get("host")
    if host:
        return host
    base = ctx.venue.signing.base_url if ctx.venue.signing else ""
    host = base.split("://", 1)[-1].split("/", 1)[0]
    if not host:
        raise CheckerInputError(f"{ctx.venue.name}: the rules give no host to sign (params.host or base_url)")
    return host


def sign_bitstamp(ctx: SignContext) -> Signed:
    key, nonce, timestamp = ctx.key(), ctx.need("nonce"), ctx.need("timestamp")
    body = ctx.request.body
    # Bitstamp signs the content type only when a body is sent.
    content_type = ctx.params.get("content_type", FORM) if body else ""
    auth = "BITSTAMP " + key
    prehash = (
        auth
        + ctx.request.method
        + _host(ctx)
        + ctx.request.path
        + ctx.query()
        + content_type
        + nonce
        + timestamp
        + "v2"
    ) + body
    signature = hmac.new(ctx.secret, prehash.encode(), "sha256").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("X-Auth", auth),
            ("X-Auth-Signature", signature),
            ("X-Auth-Nonce", nonce),
            ("X-Auth-Timestamp", timestamp),
            ("X-Auth-Version", "v2"),
            ("Content-Type", content_type or None),
        ),
        prehash=prehash,
    )


SCHEMES: dict[str, Signer] = {
    "kraken_spot_rest": sign_kraken_spot,
    "kraken_futures_authent": sign_kraken_futures,
    "binance_hmac_sha256": sign_binance,
    "bybit_v5_hmac": sign_bybit,
    "okx_v5": sign_okx,
    "kucoin_v2": sign_kucoin,
    "gate_v4": sign_gate,
    "bitget_v2": sign_bitget,
    "bitfinex_v2": sign_bitfinex,
    "gemini_v1": sign_gemini,
    "bitstamp_v2": sign_bitstamp,
}


def _secret_field(venue: Venue) -> str:
    ids = [c.id for c in venue.credentials]
    if "api_secret" in ids:
        return "api_secret"
    for credential in venue.credentials:
        if credential.secret and "passphrase" not in credential.id:
            return credential.id
    raise CheckerInputError(f"{venue.name}: the rules declare no secret credential to sign with")


def sign_request(rules: Rules, venue_id: str, credentials: Mapping[str, str | None], request: Request) -> SignResult:
    """Sign `request` as the venue's declared scheme does; findings are the diagnosis of the credentials.

    Credential values are used with outer ASCII whitespace trimmed (the one normalisation the diagnosis also
    applies and reports); everything else is signed exactly as given.
    """
    venue = rules.venue(venue_id)
    if venue.signing is None:
        raise CheckerInputError(f"{venue.name}: the rules declare no signing scheme")
    signer = SCHEMES.get(venue.signing.scheme)
    if signer is None:
        raise CheckerInputError(f"{venue.name}: signing scheme {venue.signing.scheme!r} is not supported here")
    findings = diagnose_credentials(rules, venue_id, credentials).findings
    secret_id = _secret_field(venue)
    values = {name: (value or "").strip(_TRIM) for name, value in credentials.items()}
    if any(len(value or "") > MAX_LENGTH for value in credentials.values()):
        raise SigningRefused(f"a credential is over {MAX_LENGTH} characters; not signing", findings)
    raw_secret = values.get(secret_id, "")
    if not raw_secret:
        raise CheckerInputError(f"{venue.name} signs with the {secret_id}: it is missing")
    if venue.signing.secret_decoding == "base64":
        try:
            secret = base64.b64decode(raw_secret, validate=True)
        except (binascii.Error, ValueError):
            raise SigningRefused(
                f"the {secret_id} is not valid standard base64, and {venue.name} signs with its decoded bytes; "
                "see the findings",
                findings,
            ) from None
    else:
        try:
            secret = raw_secret.encode("utf-8")
        except UnicodeEncodeError:
            raise SigningRefused(
                f"the {secret_id} contains a lone surrogate and cannot be encoded; see the findings", findings
            ) from None
    context = SignContext(venue, values, secret, request, venue.signing.params)
    try:
        signed = signer(context)
    except UnicodeEncodeError:
        raise CheckerInputError("the request contains a lone surrogate and cannot be encoded as UTF-8") from None
    send_query = signed.query if signed.query is not None else context.query()
    send_body = request.body
    if signed.signature_param is not None:
        param = f"{signed.signature_param}={signed.signature}"
        if send_body and not send_query:
            send_body = f"{send_body}&{param}"
        else:
            send_query = f"{send_query}&{param}" if send_query else param
    return SignResult(
        signature=signed.signature,
        headers=signed.headers,
        prehash=signed.prehash,
        prehash_note=signed.prehash_note,
        query=signed.query,
        send_query=send_query,
        send_body=send_body,
        findings=findings,
    )


def signatures_equal(computed: str, theirs: str, compare: Compare) -> bool:
    if compare == "hex-ci":
        return computed.lower() == theirs.lower()
    return computed == theirs


def run_selftest(rules: Rules, venue_id: str) -> SelfTest:
    """Sign the venue's published example and say whether the checker reproduces it."""
    venue = rules.venue(venue_id)
    example = venue.signing.example if venue.signing else None
    if example is None:
        raise CheckerInputError(f"{venue.name}: the rules carry no signing example")
    result = sign_request(rules, venue_id, example.credentials, example.request)
    prehash_ok = None if example.prehash is None else result.prehash == example.prehash
    return SelfTest(
        ok=signatures_equal(result.signature, example.signature, example.compare) and prehash_ok is not False,
        signature=result.signature,
        expected=example.signature,
        official=example.official,
        source_url=example.source_url,
        prehash_ok=prehash_ok,
    )
