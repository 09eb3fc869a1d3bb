"""The signing schemes, one registry: each scheme's id, its formula in words, what it signs, how it decodes
the secret, how it writes a fresh timestamp, and its sign function.

A venue's YAML names its scheme (`signing.scheme`) and the venue-specific parameters (base URL, params, its
published example); everything else about a scheme is here, and the guides render it from here. Each sign
function is pure: nonce and timestamp come in with the request. A scheme says how its secret becomes key
material (`secret_decoding`): HMAC schemes get bytes, asymmetric ones a private key (checker.keys) of one of
the kinds they sign with (`key_kinds`), signed with by checker.asymmetric.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from checker import asymmetric
from checker.keys import PrivateKey, describe_kind
from checker.rules import CheckerInputError, Request, Venue
from checker.vocab import KEY_KINDS, NONCE_FORMATS, SECRET_DECODINGS, SIGNED_FIELDS, TIMESTAMP_FORMATS

# A plaintext passphrase header would put a secret on screen; show where it goes instead.
PASSPHRASE_PLACEHOLDER = "<your passphrase, sent as typed>"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SignContext:
    """What a sign function gets: credentials by role (outer whitespace trimmed), the key material, the request."""

    venue: Venue
    credentials: Mapping[str, str]  # role -> value
    secret: bytes
    request: Request
    params: Mapping[str, str]
    # The private key, for schemes whose secret_decoding is 'private_key' (then `secret` is empty).
    private_key: PrivateKey | None = None

    def key(self) -> str:
        return self.need_credential("key")

    def optional_key(self) -> str | None:
        return self.credentials.get("key") or None

    def need_credential(self, role: str) -> str:
        value = self.credentials.get(role)
        if not value:
            credential = self.venue.credential_for(role)
            name = credential.label if credential is not None else role
            raise CheckerInputError(f"{self.venue.name} signs with the {name}: it is missing")
        return value

    def need_private_key(self) -> PrivateKey:
        if self.private_key is None:
            raise CheckerInputError(f"{self.venue.name} signs with a private key: none was read")
        return self.private_key

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
    """A sign function's output: the signature, the headers it sets, and the exact string it signed."""

    signature: str
    headers: Mapping[str, str]
    prehash: str
    prehash_note: str | None = None
    # Set when the scheme added parameters to the query (Binance's timestamp).
    query: str | None = None
    # Venues that send the signature as a parameter (Binance: `signature=`) rather than a header.
    signature_param: str | None = None
    # False when the payload travels in a header instead of the body (Gemini).
    sends_body: bool = True
    # A JSON Web Token's header and claims, decoded, when the signature is a JWT (Coinbase CDP).
    token: Mapping[str, Mapping[str, Any]] | None = None


Signer: TypeAlias = Callable[[SignContext], Signed]


@dataclass(frozen=True)
class Scheme:
    """One signing scheme.

    Attributes:
        id: What a venue's `signing.scheme` names.
        formula: The signature in words, shown on the guide and beside every signature the checker makes.
        signs: Request fields besides method, path, query and body that requests carry (checker.vocab.SIGNED_FIELDS).
        secret_decoding: How the pasted secret becomes key material (checker.vocab.SECRET_DECODINGS).
        timestamp_format: How the venue writes its timestamp (checker.vocab.TIMESTAMP_FORMATS), if it signs one.
        nonce_format: How the venue writes its nonce (checker.vocab.NONCE_FORMATS), if it signs one.
        sign: The pure sign function.
        key_kinds: For a 'private_key' decoding, the kinds of key it signs with (checker.vocab.KEY_KINDS).
    """

    id: str
    formula: str
    signs: tuple[str, ...]
    secret_decoding: str
    sign: Signer
    timestamp_format: str | None = None
    key_kinds: tuple[str, ...] = ()
    nonce_format: str = "unix_ms"

    def __post_init__(self) -> None:
        unknown = [f for f in self.signs if f not in SIGNED_FIELDS]
        if unknown or self.secret_decoding not in SECRET_DECODINGS:
            raise ValueError(f"scheme {self.id}: unknown signed field or secret decoding")
        if (self.secret_decoding == "private_key") != bool(self.key_kinds) or not set(self.key_kinds) <= set(KEY_KINDS):
            raise ValueError(f"scheme {self.id}: a scheme signs with private keys of known kinds, or with a secret")
        if (self.timestamp_format is None) == ("timestamp" in self.signs) or (
            self.timestamp_format is not None and self.timestamp_format not in TIMESTAMP_FORMATS
        ):
            raise ValueError(f"scheme {self.id}: a scheme that signs a timestamp names its format, and only then")
        if self.nonce_format not in NONCE_FORMATS:
            raise ValueError(f"scheme {self.id}: unknown nonce format {self.nonce_format!r}")

    @property
    def requires(self) -> tuple[str, ...]:
        """The Python distributions beside the standard library that signing needs (the wheels a page loads)."""
        return tuple(sorted({name for kind in self.key_kinds for name in asymmetric.PACKAGES[kind]}))

    def fresh_values(self, now_ms: int, uuid: str | None = None, *, with_nonce: bool = True) -> dict[str, str]:
        """A fresh nonce and timestamp for `now_ms` (the page's clock), written as this venue expects.

        A scheme whose nonce is a random UUID takes it from the caller (`uuid`): the checker draws no random
        numbers of its own. `with_nonce=False` leaves the nonce out (the reader typed one).
        """
        values: dict[str, str] = {}
        if "nonce" in self.signs and with_nonce:
            values["nonce"] = _fresh_nonce(self, now_ms, uuid)
        if self.timestamp_format is not None:
            values["timestamp"] = format_timestamp(now_ms, self.timestamp_format)
        return values


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _fresh_nonce(scheme: Scheme, now_ms: int, uuid: str | None) -> str:
    if scheme.nonce_format == "unix_us":
        return str(now_ms * 1000)
    if scheme.nonce_format == "uuid":
        if uuid is None or not _UUID.match(uuid):
            raise CheckerInputError(f"scheme {scheme.id} signs a random UUID nonce: pass one as uuid (lowercase)")
        return uuid
    return str(now_ms)


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01 (H. Hinnant's algorithm: no clock, no datetime)."""
    days += 719_468
    era, day_of_era = divmod(days, 146_097)
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def format_timestamp(now_ms: int, timestamp_format: str) -> str:
    """`now_ms` (Unix milliseconds) in one of checker.vocab.TIMESTAMP_FORMATS."""
    if timestamp_format == "unix_ms":
        return str(now_ms)
    if timestamp_format == "unix_s":
        return str(now_ms // 1000)
    if timestamp_format == "iso8601_ms":
        days, ms = divmod(now_ms, 86_400_000)
        year, month, day = _civil_from_days(days)
        seconds, millis = divmod(ms, 1000)
        hours, rest = divmod(seconds, 3600)
        return f"{year:04d}-{month:02d}-{day:02d}T{hours:02d}:{rest // 60:02d}:{rest % 60:02d}.{millis:03d}Z"
    raise CheckerInputError(f"unknown timestamp format {timestamp_format!r}")


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
    # The venue's params name a routing prefix the signed endpoint path leaves out.
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


def _binance_payload(ctx: SignContext) -> tuple[str, str]:
    """The query string as sent (timestamp and recvWindow added when given apart) and the signed payload."""
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
    return query, query + body


def _binance_signed(ctx: SignContext, signature: str, query: str, prehash: str, note: str) -> Signed:
    return Signed(
        signature=signature,
        headers=_headers(("X-MBX-APIKEY", ctx.optional_key()), ("Content-Type", FORM if ctx.request.body else None)),
        prehash=prehash,
        prehash_note=note,
        query=query,
        signature_param="signature",
    )


def sign_binance(ctx: SignContext) -> Signed:
    query, prehash = _binance_payload(ctx)
    signature = hmac.new(ctx.secret, prehash.encode(), "sha256").hexdigest()
    note = "signature = hex(HMAC-SHA256(secret, query string + request body)), sent as signature=."
    return _binance_signed(ctx, signature, query, prehash, note)


def sign_binance_ed25519(ctx: SignContext) -> Signed:
    query, prehash = _binance_payload(ctx)
    signature = _b64(asymmetric.sign(ctx.need_private_key(), prehash.encode()))
    note = (
        "signature = base64(Ed25519(private key, query string + request body)): 88 characters, sent as "
        "signature= with +, / and = percent-encoded."
    )
    return _binance_signed(ctx, signature, query, prehash, note)


def sign_binance_rsa(ctx: SignContext) -> Signed:
    query, prehash = _binance_payload(ctx)
    key = ctx.need_private_key()
    signature = _b64(asymmetric.sign(key, prehash.encode()))
    note = (
        f"signature = base64(RSASSA-PKCS1-v1_5(SHA-256, {key.bits}-bit private key, query string + request body)), "
        "sent as signature= with +, / and = percent-encoded."
    )
    return _binance_signed(ctx, signature, query, prehash, note)


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
    # Key versions 2 and 3 send the passphrase HMAC'd with the secret, never as typed; they differ only in the
    # version header, which the venue's params set (KuCoin issues version 3 keys today).
    signed_passphrase = _b64(_mac(ctx.secret, passphrase.encode(), "sha256")) if passphrase else None
    return Signed(
        signature=signature,
        headers=_headers(
            ("KC-API-KEY", ctx.optional_key()),
            ("KC-API-SIGN", signature),
            ("KC-API-TIMESTAMP", timestamp),
            ("KC-API-PASSPHRASE", signed_passphrase),
            ("KC-API-KEY-VERSION", ctx.params.get("key_version", "2")),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
        prehash_note="KC-API-PASSPHRASE = base64(HMAC-SHA256(secret, passphrase)) for key versions 2 and 3.",
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
        sends_body=False,
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


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _seconds(ctx: SignContext) -> int:
    timestamp = ctx.need("timestamp")
    if not timestamp.isdigit() or not timestamp.isascii():
        raise CheckerInputError(f"{ctx.venue.name} signs the time in Unix seconds: request.timestamp is not a number")
    return int(timestamp)


# Coinbase's JWTs are valid for two minutes from their `nbf`.
CDP_JWT_LIFETIME = 120
_JWT_ALGORITHMS = {"ec_p256": "ES256", "ed25519": "EdDSA"}


def sign_coinbase_cdp_jwt(ctx: SignContext) -> Signed:
    """One JWT per request, as Coinbase's documentation builds it (PyJWT sample) and CCXT's coinbase.py sends it.

    The claims follow the documentation (`iss` "cdp"; CCXT still sends the older "coinbase-cloud" with an `aud`);
    the `uri` claim is METHOD, a space, host and path without the query string, as both do. The nonce is the
    request's: the checker draws no random numbers. ES256 signs with the RFC 6979 nonce, so a request signs the
    same every time; the venue verifies it with the public key like any other.
    """
    key = ctx.need_private_key()
    name, nonce, seconds = ctx.key(), ctx.need("nonce"), _seconds(ctx)
    path = ctx.request.path.split("?", 1)[0]
    header = {"alg": _JWT_ALGORITHMS[key.kind], "kid": name, "nonce": nonce, "typ": "JWT"}
    claims = {
        "sub": name,
        "iss": "cdp",
        "nbf": seconds,
        "exp": seconds + CDP_JWT_LIFETIME,
        "uri": f"{ctx.request.method} {_host(ctx)}{path}",
    }
    signing_input = ".".join(_b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    token = signing_input + "." + _b64url(asymmetric.sign(key, signing_input.encode()))
    return Signed(
        signature=token,
        headers=_headers(("Authorization", f"Bearer {token}"), ("Content-Type", JSON)),
        prehash=signing_input,
        prehash_note=(
            f"The JWT's signing input: base64url(header) + '.' + base64url(claims). Its signature is "
            f"{header['alg']} ({describe_kind(key.kind)}) over that text, base64url-encoded after a second '.'; "
            f"the token is valid from nbf to exp ({CDP_JWT_LIFETIME} seconds) and for this one method and path."
        ),
        token={"header": header, "payload": claims},
    )


def sign_coinbase_legacy(ctx: SignContext) -> Signed:
    timestamp = ctx.need("timestamp")
    prehash = timestamp + ctx.request.method + ctx.request.path + ctx.request.body
    signature = hmac.new(ctx.secret, prehash.encode(), "sha256").hexdigest()
    return Signed(
        signature=signature,
        headers=_headers(
            ("CB-ACCESS-KEY", ctx.optional_key()),
            ("CB-ACCESS-SIGN", signature),
            ("CB-ACCESS-TIMESTAMP", timestamp),
            ("Content-Type", JSON),
        ),
        prehash=prehash,
    )


def _scheme(*schemes: Scheme) -> dict[str, Scheme]:
    return {scheme.id: scheme for scheme in schemes}


SCHEMES: Mapping[str, Scheme] = _scheme(
    Scheme(
        id="kraken_spot_rest",
        formula="API-Sign = base64(HMAC-SHA512(key = base64-decoded secret, message = URI path + "
        "SHA256(nonce + POST data))); the API key goes in API-Key",
        signs=("nonce",),
        secret_decoding="base64",
        sign=sign_kraken_spot,
    ),
    Scheme(
        id="kraken_futures_authent",
        formula="Authent = base64(HMAC-SHA512(key = base64-decoded secret, message = SHA256(POST data or query "
        "+ nonce + endpoint path))); the API key goes in APIKey, the nonce, when sent, in Nonce",
        signs=("nonce",),
        secret_decoding="base64",
        sign=sign_kraken_futures,
    ),
    Scheme(
        id="binance_hmac_sha256",
        formula="signature = hex(HMAC-SHA256(key = secret as text, message = query string + request body)), "
        "sent as the signature parameter; the API key goes in X-MBX-APIKEY",
        signs=("timestamp", "recv_window"),
        secret_decoding="raw",
        timestamp_format="unix_ms",
        sign=sign_binance,
    ),
    Scheme(
        id="binance_ed25519",
        formula="signature = base64(Ed25519 signature by the private key of query string + request body), sent "
        "percent-encoded as the signature parameter; the API key goes in X-MBX-APIKEY",
        signs=("timestamp", "recv_window"),
        secret_decoding="private_key",
        key_kinds=("ed25519",),
        timestamp_format="unix_ms",
        sign=sign_binance_ed25519,
    ),
    Scheme(
        id="binance_rsa",
        formula="signature = base64(RSASSA-PKCS1-v1_5 signature with SHA-256 by the private key of query string + "
        "request body), sent percent-encoded as the signature parameter; the API key goes in X-MBX-APIKEY",
        signs=("timestamp", "recv_window"),
        secret_decoding="private_key",
        key_kinds=("rsa",),
        timestamp_format="unix_ms",
        sign=sign_binance_rsa,
    ),
    Scheme(
        id="bybit_v5_hmac",
        formula="X-BAPI-SIGN = lowercase hex(HMAC-SHA256(key = secret as text, message = timestamp + API key + "
        "recv_window + (query string for GET, or JSON body for POST)))",
        signs=("timestamp", "recv_window"),
        secret_decoding="raw",
        timestamp_format="unix_ms",
        sign=sign_bybit,
    ),
    Scheme(
        id="okx_v5",
        formula="OK-ACCESS-SIGN = base64(HMAC-SHA256(key = secret as text, message = timestamp + METHOD + "
        "request path with ?query + body)); the passphrase goes as typed in OK-ACCESS-PASSPHRASE",
        signs=("timestamp",),
        secret_decoding="raw",
        timestamp_format="iso8601_ms",
        sign=sign_okx,
    ),
    Scheme(
        id="kucoin_v2",
        formula="KC-API-SIGN = base64(HMAC-SHA256(key = secret as text, message = timestamp + METHOD + endpoint "
        "with ?query + body)); for key versions 2 and 3, KC-API-PASSPHRASE = base64(HMAC-SHA256(key = secret, "
        "message = passphrase)), and KC-API-KEY-VERSION names the key's version",
        signs=("timestamp",),
        secret_decoding="raw",
        timestamp_format="unix_ms",
        sign=sign_kucoin,
    ),
    Scheme(
        id="gate_v4",
        formula="SIGN = hex(HMAC-SHA512(key = secret as text, message = METHOD, path, query, hex(SHA512(body)) "
        "and timestamp joined by newlines)); the API key goes in KEY, the timestamp in seconds in Timestamp",
        signs=("timestamp",),
        secret_decoding="raw",
        timestamp_format="unix_s",
        sign=sign_gate,
    ),
    Scheme(
        id="bitget_v2",
        formula="ACCESS-SIGN = base64(HMAC-SHA256(key = secret as text, message = timestamp + METHOD + request "
        "path with ?query + body)); the passphrase goes as typed in ACCESS-PASSPHRASE",
        signs=("timestamp",),
        secret_decoding="raw",
        timestamp_format="unix_ms",
        sign=sign_bitget,
    ),
    Scheme(
        id="bitfinex_v2",
        formula="bfx-signature = hex(HMAC-SHA384(key = secret as text, message = '/api/' + path + nonce + "
        "body)); the API key goes in bfx-apikey, the nonce in bfx-nonce",
        signs=("nonce",),
        secret_decoding="raw",
        # Bitfinex documents microseconds; a key that once saw one refuses smaller, millisecond nonces.
        nonce_format="unix_us",
        sign=sign_bitfinex,
    ),
    Scheme(
        id="gemini_v1",
        formula="X-GEMINI-SIGNATURE = hex(HMAC-SHA384(key = secret as text, message = base64(JSON payload))); "
        "the payload travels base64-encoded in X-GEMINI-PAYLOAD, with an empty body",
        signs=("nonce",),
        secret_decoding="raw",
        sign=sign_gemini,
    ),
    Scheme(
        id="bitstamp_v2",
        formula="X-Auth-Signature = hex(HMAC-SHA256(key = secret as text, message = 'BITSTAMP ' + API key + "
        "METHOD + host + path + query + content type + nonce + timestamp + 'v2' + body))",
        signs=("nonce", "timestamp"),
        secret_decoding="raw",
        timestamp_format="unix_ms",
        # Bitstamp signs a UUID nonce, unique within its window; the page draws it (crypto.randomUUID()).
        nonce_format="uuid",
        sign=sign_bitstamp,
    ),
    Scheme(
        id="coinbase_cdp_jwt",
        formula="Authorization: Bearer JWT, a new one per request: header {alg: ES256 for an EC P-256 key or EdDSA "
        "for an Ed25519 key, kid: key name, nonce, typ: JWT}, claims {sub: key name, iss: 'cdp', nbf: timestamp in "
        "seconds, exp: nbf + 120, uri: METHOD + ' ' + host + path}, signed by the private key; each part "
        "base64url-encoded and joined by dots",
        signs=("nonce", "timestamp"),
        secret_decoding="private_key",
        key_kinds=("ec_p256", "ed25519"),
        timestamp_format="unix_s",
        sign=sign_coinbase_cdp_jwt,
    ),
    Scheme(
        id="coinbase_legacy_hmac",
        formula="CB-ACCESS-SIGN = hex(HMAC-SHA256(key = secret as text, message = timestamp in seconds + METHOD + "
        "request path + body)); the API key goes in CB-ACCESS-KEY, the timestamp in CB-ACCESS-TIMESTAMP",
        signs=("timestamp",),
        secret_decoding="raw",
        timestamp_format="unix_s",
        sign=sign_coinbase_legacy,
    ),
)


def scheme_for(venue: Venue) -> Scheme:
    """The scheme a venue's rules name; a clear error when it names none or one not implemented here."""
    if venue.signing is None:
        raise CheckerInputError(f"{venue.name}: the rules declare no signing scheme")
    scheme = SCHEMES.get(venue.signing.scheme)
    if scheme is None:
        known = ", ".join(sorted(SCHEMES))
        raise CheckerInputError(f"{venue.name}: signing scheme {venue.signing.scheme!r} is not one of {known}")
    return scheme
