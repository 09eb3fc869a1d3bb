"""Every closed vocabulary of a venue file, declared once, each value with the words readers see.

The checker is the lowest floor that needs these values, so they live here. The build side's model takes
its allowed values from these mappings (and the editor schema from the model); the page templates receive
the words through the Jinja environment. Nothing else lists the values again.

Each vocabulary is an ordered mapping `value -> reader-facing words`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


def _frozen(words: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(words)


# Characters a credential value is made of; the words complete "A Private Key is 88 …".
ALPHABETS: Final = _frozen(
    {
        "base64": "standard base64 characters (A-Z a-z 0-9 + / and = padding)",
        "base64url": "URL-safe base64 characters (A-Z a-z 0-9 - _)",
        "hex": "hexadecimal digits (0-9 a-f)",
        "alphanumeric": "letters and digits (A-Z a-z 0-9)",
        "uuid": "a UUID (8-4-4-4-12 hex digits with dashes)",
        "printable": "printable ASCII characters",
        "pem": "a PEM block (base64 text between -----BEGIN and -----END lines)",
    }
)

# What a private key credential holds (a credential format's `key`); the words complete "… holding …".
KEY_KINDS: Final = _frozen(
    {
        "ed25519": "an Ed25519 private key",
        "ec_p256": "an EC private key on the P-256 curve (ECDSA)",
        "rsa": "an RSA private key",
    }
)

# Letter case of a credential value; 'any' adds nothing to a description.
CASES: Final = _frozen({"any": "", "mixed": "mixed case", "lower": "lowercase", "upper": "uppercase"})

# How the venue compares a signature with its own.
COMPARES: Final = _frozen({"exact": "exactly as computed", "hex-ci": "hexadecimal; either letter case is accepted"})

# What a credential does; secret roles sign or unlock requests and never appear in any output.
CREDENTIAL_ROLES: Final = _frozen(
    {
        "key": "identifies the key; sent with every request, not a secret",
        "secret": "a secret; it signs requests, never share it",
        "passphrase": "a secret you chose when creating the key; never share it",
    }
)
SECRET_ROLES: Final = frozenset({"secret", "passphrase"})

# Categories of a venue's error codes: the troubleshooting entry's subtitle and the error index's column.
ERROR_KINDS: Final = _frozen(
    {
        "invalid_key": "Key not recognised",
        "invalid_signature": "Signature rejected",
        "invalid_passphrase": "Passphrase rejected",
        "nonce": "Nonce problem",
        "timestamp": "Clock or timestamp problem",
        "permission": "Missing permission",
        "ip": "IP address not allowed",
        "expired": "Key expired",
        "rate_limit": "Rate limit",
        "environment": "Wrong environment",
        "request": "Malformed request",
        "account": "Account restriction",
        "service": "Exchange-side problem",
    }
)

# How a permission box of the venue's key form is set for one use case. 'never' is for boxes no use case may
# tick (withdrawals, transfers); 'off' for boxes this use case does not need.
PERMISSION_STATES: Final = _frozen(
    {"required": "Tick", "optional": "Optional", "off": "Leave off", "never": "Never tick"}
)

# What a key is for, as the key audit judges it: a trading key may trade; a read-only key must not.
USE_KINDS: Final = _frozen({"trading": "places and cancels orders", "read_only": "only reads"})

# Products a key can trade.
PRODUCTS: Final = _frozen({"spot": "Spot", "margin": "Margin", "futures": "Futures", "options": "Options"})

# Fields of a request to sign, with their form labels, in form order.
REQUEST_FIELDS: Final = _frozen(
    {
        "method": "Method",
        "path": "Path",
        "query": "Query string",
        "body": "Body",
        "nonce": "Nonce",
        "timestamp": "Timestamp",
        "recv_window": "Receive window (ms)",
    }
)
# The request fields a scheme may sign besides method, path, query and body, as a sentence names them.
SIGNED_FIELDS: Final = _frozen({"nonce": "a nonce", "timestamp": "a timestamp", "recv_window": "a receive window"})

# How a venue writes the timestamp it signs.
TIMESTAMP_FORMATS: Final = _frozen(
    {"unix_ms": "Unix milliseconds", "unix_s": "Unix seconds", "iso8601_ms": "ISO 8601, UTC"}
)

# What a dated notice on a guide announces.
NOTICE_KINDS: Final = _frozen(
    {
        "deprecation": "Deprecation",
        "change": "Change",
        "incident": "Incident",
        "retirement": "Retired",
    }
)

# How a venue writes the nonce it signs. A UUID must be random, and the checker draws no random numbers: the
# page passes one in (crypto.randomUUID()).
NONCE_FORMATS: Final = _frozen(
    {"unix_ms": "Unix milliseconds", "unix_us": "Unix microseconds", "uuid": "a random UUID"}
)

# How a scheme turns the pasted secret into key bytes.
SECRET_DECODINGS: Final = _frozen(
    {
        "raw": "used as it is, as text",
        "base64": "base64-decoded, and the bytes are the HMAC key",
        "private_key": "read as the private key the key format names (a PEM block, or base64 key bytes)",
    }
)
