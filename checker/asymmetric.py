"""Signing with a private key: the one module of the checker that uses a package outside the standard library.

The packages are imported inside the functions, so a venue that signs with HMAC never loads them (the page
ships their wheels beside the checker's and unpacks them only for venues whose key types need them:
`checker.schemes.Scheme.requires`). No curve or modular arithmetic is written here.

- `ecdsa` (python-ecdsa, tlsfuzzer): pure Python, maintained; Ed25519 (RFC 8032) and ECDSA P-256 with
  deterministic nonces (RFC 6979), so every signature the checker makes is reproducible and testable.
- `rsa` (python-rsa): pure Python RSASSA-PKCS1-v1_5 with blinding. Its author archived it in April 2025 (4.9.1 is
  the last release); it stays because no maintained pure-Python RSA signer exists (tlslite-ng, the maintained
  one, imports a whole TLS stack with sockets and threads on import, unfit for Pyodide), PKCS#1 v1.5 signing is a
  fixed algorithm, and its signatures are deterministic: the tests compare them bit for bit with OpenSSL's. Keys
  are built from the numbers checker.keys read, so its ASN.1 dependency (pyasn1) is never imported. Swapping it
  for another signer touches `_sign_rsa` only.

Neither package promises constant-time arithmetic. The checker signs one test request with the reader's own key
in the reader's own browser, on a page that runs no third-party script; there is nobody to time it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from checker.keys import PrivateKey
from checker.rules import CheckerInputError

# The distribution each key kind needs, and what it needs in turn: the page loads exactly these wheels.
PACKAGES = {"ed25519": ("ecdsa", "six"), "ec_p256": ("ecdsa", "six"), "rsa": ("rsa",)}


class MissingLibrary(CheckerInputError):
    """The package a key kind signs with is not installed (on the page: its wheel was not loaded)."""


def _ecdsa() -> Any:
    try:
        import ecdsa
    except ImportError:
        raise MissingLibrary("signing with this key needs the Python package ecdsa, which is not loaded here") from None
    return ecdsa


def _signing_key(key: PrivateKey) -> Any:
    ecdsa = _ecdsa()
    if key.kind == "ed25519":
        return ecdsa.SigningKey.from_string(key.secret, curve=ecdsa.Ed25519)
    return ecdsa.SigningKey.from_string(key.secret, curve=ecdsa.NIST256p, hashfunc=hashlib.sha256)


def _sign_rsa(key: PrivateKey, message: bytes) -> bytes:
    try:
        import rsa
    except ImportError:
        raise MissingLibrary("signing with an RSA key needs the Python package rsa, which is not loaded here") from None
    assert key.rsa is not None
    n, e, d, p, q = key.rsa
    return rsa.sign(message, rsa.PrivateKey(n, e, d, p, q), "SHA-256")


def sign(key: PrivateKey, message: bytes) -> bytes:
    """The signature of `message`.

    Ed25519: the 64-byte RFC 8032 signature. EC P-256: ECDSA over SHA-256 with the RFC 6979 nonce, as r || s
    (32 bytes each, the JWS form). RSA: RSASSA-PKCS1-v1_5 over SHA-256, as long as the modulus.
    """
    if key.kind == "rsa":
        return _sign_rsa(key, message)
    signing_key = _signing_key(key)
    if key.kind == "ed25519":
        return bytes(signing_key.sign(message))
    from ecdsa.util import sigencode_string

    return bytes(signing_key.sign_deterministic(message, hashfunc=hashlib.sha256, sigencode=sigencode_string))


def public_key(key: PrivateKey, *, compressed: bool = False) -> bytes:
    """The public key of an Ed25519 key (32 bytes) or an EC P-256 key (the encoded point: 65 bytes, or 33
    compressed)."""
    if key.kind == "rsa":
        raise ValueError("public_key: RSA keys carry their public numbers already")
    verifying = _signing_key(key).get_verifying_key()
    if key.kind == "ed25519":
        return bytes(verifying.to_string())
    return bytes(verifying.to_string("compressed" if compressed else "uncompressed"))
