"""Private keys as readers paste them: PEM blocks (PKCS#8, SEC1, PKCS#1), base64 key bytes, key files.

`read_private_key` turns a pasted value into a `PrivateKey` and says, as `Violation`s, everything wrong with it:
the PEM armour, literal `\\n` instead of line breaks, the DER structure, the kind of key, its curve and size,
an encrypted key, a public key or a certificate instead of the private key. Positions are in the value as
pasted; no message contains any of the value. Reading is structure only, with the standard library, so any
venue's diagnosis can say what a pasted key is without loading a cryptography package; only the check that
a key's public half belongs to its private half (`consistency_violations`) needs one (checker.asymmetric).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from checker.der import INTEGER, NULL, OCTET_STRING, SEQUENCE, DerError, Element, read_one
from checker.findings import Severity, Violation, describe_char
from checker.rules import Format
from checker.vocab import KEY_KINDS

# Object identifiers of the key algorithms and curves a pasted key may carry.
_ED25519 = "1.3.101.112"
_EC_PUBLIC_KEY = "1.2.840.10045.2.1"
_RSA = "1.2.840.113549.1.1.1"
_P256 = "1.2.840.10045.3.1.7"
_OTHER_ALGORITHMS = {
    "1.3.101.110": "an X25519 key (for key exchange, not for signing)",
    "1.3.101.111": "an X448 key (for key exchange, not for signing)",
    "1.3.101.113": "an Ed448 private key",
    "1.2.840.113549.1.1.10": "an RSA-PSS private key",
    "1.2.840.10040.4.1": "a DSA private key",
}
_CURVES = {
    _P256: "P-256",
    "1.3.132.0.10": "secp256k1 (the curve of Bitcoin keys)",
    "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521",
}
# The order of the P-256 group: a private scalar is a number from 1 to this, exclusive (a range check, no arithmetic).
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9]+(?: [A-Z0-9]+)*)-----")
_LOOSE_BEGIN = re.compile(r"-*[ \t]*BEGIN[ \t]+[A-Za-z0-9 ]*?[ \t]*-*", re.IGNORECASE)
_LOOSE_END = re.compile(r"-*[ \t]*END[ \t]+[A-Za-z0-9 ]*?[ \t]*-*", re.IGNORECASE)
_HEADER = re.compile(r"^([A-Za-z-]+):[^\n]*$", re.MULTILINE)
_BASE64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")
_SPACE = " \t\n"
_PUBLIC_LABELS = ("PUBLIC KEY", "RSA PUBLIC KEY", "EC PUBLIC KEY")
_FIX = "Copy the private key again, whole, from the file your key tool (or the venue) wrote."


@dataclass(frozen=True)
class PrivateKey:
    """Key material ready to sign with. Never shown: only its kind and size are.

    Attributes:
        kind: A key of checker.vocab.KEY_KINDS.
        secret: The Ed25519 seed, or the EC private scalar (32 bytes, big-endian); empty for RSA.
        public: The public half the paste carried (Ed25519: 32 bytes; EC: the encoded point), else empty.
        rsa: For RSA, the numbers n, e, d, p, q.
    """

    kind: str
    secret: bytes = b""
    public: bytes = b""
    rsa: tuple[int, int, int, int, int] | None = None

    @property
    def bits(self) -> int:
        return self.rsa[0].bit_length() if self.rsa is not None else 256


@dataclass(frozen=True)
class KeyReading:
    """What a pasted value holds: the key when it can sign, every problem found, and what it is in words."""

    key: PrivateKey | None
    problems: tuple[Violation, ...]
    holds: str = ""

    @property
    def errors(self) -> tuple[Violation, ...]:
        return tuple(p for p in self.problems if p.severity == "error")


@dataclass(frozen=True)
class KeyFile:
    """A key file pasted whole (Coinbase's CDP API key JSON): the names of its parts, never their values."""

    parts: tuple[str, ...]


@dataclass(frozen=True)
class _Found:
    """A key structure read from DER: its kind (None for kinds no venue signs with) and its words."""

    kind: str | None
    holds: str
    key: PrivateKey | None = None
    curve: str | None = None


class _Text:
    """The value with literal \\n read as line breaks, remembering where each character was in the paste."""

    def __init__(self, value: str, offset: int) -> None:
        chars: list[str] = []
        where: list[int] = []
        self.literal: int | None = None
        index = 0
        while index < len(value):
            for token, width in (("\\r\\n", 4), ("\\n", 2), ("\r\n", 2), ("\r", 1)):
                if value.startswith(token, index):
                    if token.startswith("\\") and self.literal is None:
                        self.literal = offset + index
                    chars.append("\n")
                    where.append(offset + index)
                    index += width
                    break
            else:
                chars.append(value[index])
                where.append(offset + index)
                index += 1
        self.text = "".join(chars)
        self.where = where
        self.end = offset + len(value)

    def at(self, index: int) -> int:
        """The position in the paste of character `index` of the normalised text."""
        return self.where[index] if index < len(self.where) else self.end


def describe_kind(kind: str) -> str:
    return KEY_KINDS.get(kind, kind)


def read_key_file(text: str) -> KeyFile | None:
    """The parts of a Coinbase CDP key file (`{"name" or "id", "privateKey"}`) pasted whole, else None."""
    stripped = text.strip()
    if not stripped.startswith("{") or "privateKey" not in stripped:
        return None
    try:
        data = json.loads(stripped)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict):
        names = tuple(str(name) for name in data)
    else:
        # A cut-off or hand-edited file: the member names still say what it is.
        names = tuple(re.findall(r'"([A-Za-z_]{1,40})"\s*:', stripped))
    if "privateKey" in names and ("name" in names or "id" in names):
        return KeyFile(parts=names)
    return None


def read_private_key(value: str, fmt: Format, *, label: str = "value", offset: int = 0) -> KeyReading:
    """Read `value` (trimmed) as the private key `fmt` declares, with every problem on the way.

    Args:
        value: The value as checked.
        fmt: The credential's format: `key` names the kind, `alphabet` the encoding ('pem' or 'base64').
        label: The credential's name, for messages.
        offset: Where `value` starts in what the reader pasted.
    """
    if fmt.key is None:
        raise ValueError("read_private_key: the format declares no key")
    if fmt.alphabet == "base64":
        return _read_key_bytes(value, fmt, offset)
    text = _Text(value, offset)
    problems: list[Violation] = []
    if text.literal is not None:
        problems.append(
            Violation(
                "literal_newlines",
                "info",
                text.literal,
                f"position {text.literal} starts a literal \\n (a backslash and the letter n) where the key has a "
                "line break; every \\n was read as a line break.",
                "Key files written as JSON (Coinbase's key file, .env files) carry the key this way. Code that "
                "reads the key must turn \\n into line breaks too (most SDKs do).",
            )
        )
    found = _read_pem(text, problems)
    if found is None and _is_ed25519_pair(text.text):
        # 64 bytes of base64 could be many things (a Kraken secret is too); only a seed whose public key is
        # the other half is surely an Ed25519 key, and then that, not the missing armour, is the problem.
        return KeyReading(
            None,
            (
                Violation(
                    "key_kind",
                    "error",
                    None,
                    "holds an Ed25519 private key written as base64 (its seed, then its public key), not a PEM "
                    f"block; this {label} is {describe_kind(fmt.key)} (a different kind of key).",
                    "Create a new key of the kind named here (where the key is made, choose its signature "
                    "algorithm) and paste its whole private key, with its -----BEGIN and -----END lines.",
                ),
            ),
            describe_kind("ed25519"),
        )
    return _judge(found, fmt, problems, label)


def _is_ed25519_pair(value: str) -> bool:
    """Whether `value` is base64 of an Ed25519 seed followed by its own public key (64 bytes); False when no
    cryptography package is loaded to tell."""
    try:
        raw = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    from checker.asymmetric import MissingLibrary, public_key

    try:
        return public_key(PrivateKey("ed25519", secret=raw[:32], public=raw[32:])) == raw[32:]
    except MissingLibrary:
        return False


def key_violations(value: str, fmt: Format, *, label: str = "value", offset: int = 0) -> Iterator[Violation]:
    """The problems of `read_private_key`, for checker.formats (structure only: no cryptography package)."""
    yield from read_private_key(value, fmt, label=label, offset=offset).problems


def describe_pem(value: str) -> tuple[str, str | None] | None:
    """What the PEM block in `value` holds: in words ("an Ed25519 private key"), and its kind of key (None for
    kinds no venue signs with); None when `value` has no PEM block."""
    text = _Text(value, 0)
    if _BEGIN.search(text.text) is None:
        return None
    found = _read_pem(text, [])
    return (found.holds, found.kind) if found is not None else ("a damaged PEM block", None)


def _read_key_bytes(value: str, fmt: Format, offset: int) -> KeyReading:
    """An Ed25519 key written as base64 bytes: the 32-byte seed, or seed and public key (Coinbase CDP, 64 bytes)."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        # checker.formats reports the base64 problem itself.
        return KeyReading(None, ())
    if fmt.key != "ed25519" or len(raw) not in (32, 64):
        what = describe_kind(fmt.key or "")
        return KeyReading(
            None,
            (
                Violation(
                    "key_size",
                    "error",
                    None,
                    f"decodes to {len(raw)} bytes, which is not {what} written as base64 (32 bytes of seed, or "
                    "64 bytes: the seed, then the public key).",
                    _FIX,
                ),
            ),
        )
    key = PrivateKey("ed25519", secret=raw[:32], public=raw[32:])
    return KeyReading(key, (), describe_kind("ed25519"))


def _violation(
    problems: list[Violation], problem: str, severity: Severity, position: int | None, message: str, hint: str = _FIX
) -> None:
    problems.append(Violation(problem, severity, position, message, hint))


def _read_pem(text: _Text, problems: list[Violation]) -> _Found | None:
    """The key in the PEM armour of `text`, or None with the reason in `problems`."""
    body = text.text
    blocks: list[tuple[str, str, int]] = []  # label, content, where the content starts
    position = 0
    for begin in _BEGIN.finditer(body):
        if begin.start() < position:
            continue
        label = begin.group(1)
        end_line = f"-----END {label}-----"
        end = body.find(end_line, begin.end())
        if end < 0:
            _unterminated(text, begin, label, problems)
            return None
        blocks.append((label, body[begin.end() : end], begin.end()))
        position = end + len(end_line)
    if not blocks:
        _missing_armour(text, problems)
        return None
    _extra_text(text, blocks, position, problems)
    private = [block for block in blocks if "PRIVATE KEY" in block[0]]
    chosen = private[0] if private else blocks[0]
    if len(blocks) > 1:
        # Name every block; only the chosen one reports its problems.
        others = [_describe_block(text, *block) for block in blocks]
        several = len(private) > 1
        _violation(
            problems,
            "pem_blocks",
            "error" if several else "warning",
            None,
            f"holds {len(blocks)} PEM blocks ({', '.join(others)}); "
            + ("only one private key belongs here." if several else "only the private key was read."),
            "Paste only the private key of the API key you registered. The public key is what you give the "
            "venue, not what signs.",
        )
        if several:
            return None
    return _read_block(text, *chosen, problems)


def _describe_block(text: _Text, label: str, content: str, start: int) -> str:
    found = _read_block(text, label, content, start, [])
    return found.holds if found is not None else "a damaged block"


def _extra_text(text: _Text, blocks: list[tuple[str, str, int]], after: int, problems: list[Violation]) -> None:
    body = text.text
    hint = (
        "Paste only the key, from its -----BEGIN line to its -----END line. Some libraries refuse anything around it."
    )
    lead = len(body) - len(body.lstrip(_SPACE))
    first_begin = body.rfind("-----BEGIN", 0, blocks[0][2])
    if lead < first_begin:
        at = text.at(lead)
        _violation(
            problems,
            "pem_extra",
            "warning",
            at,
            f"position {at} starts text before the -----BEGIN line; the key after it was read.",
            hint,
        )
    rest = body[after:]
    if rest.strip(_SPACE):
        at = text.at(after + len(rest) - len(rest.lstrip(_SPACE)))
        _violation(
            problems,
            "pem_extra",
            "warning",
            at,
            f"position {at} starts text after the -----END line; the key before it was read.",
            hint,
        )


def _missing_armour(text: _Text, problems: list[Violation]) -> None:
    body = text.text
    damaged = _LOOSE_BEGIN.search(body)
    if damaged is not None:
        at = text.at(damaged.start())
        _violation(
            problems,
            "pem_armour",
            "error",
            at,
            f"position {at} starts a damaged BEGIN line: a PEM key starts with exactly five dashes, BEGIN, the "
            "kind of key in capitals and five dashes (-----BEGIN PRIVATE KEY-----).",
        )
        return
    end = _LOOSE_END.search(body)
    if end is not None and "END" in end.group(0).upper() and end.group(0).startswith("-"):
        _violation(
            problems,
            "pem_armour",
            "error",
            text.at(end.start()),
            f"has an END line at position {text.at(end.start())} but no -----BEGIN line before it: the start of the "
            "key was not copied.",
        )
        return
    compact = "".join(body.split())
    inside = None
    if compact and set(compact) <= _BASE64:
        try:
            inside = _read_der_guess(base64.b64decode(compact, validate=True))
        except (binascii.Error, ValueError):
            inside = None
    holds = f" The text is the inside of {inside.holds}." if inside is not None else ""
    _violation(
        problems,
        "pem_missing",
        "error",
        None,
        "has no -----BEGIN line: a PEM key starts with -----BEGIN … KEY----- and ends with -----END … KEY-----."
        + holds,
        "Copy the whole key file, including its -----BEGIN and -----END lines.",
    )


def _unterminated(text: _Text, begin: re.Match[str], label: str, problems: list[Violation]) -> None:
    body = text.text
    damaged = _LOOSE_END.search(body, begin.end())
    if damaged is not None and damaged.group(0).startswith("-"):
        at = text.at(damaged.start())
        _violation(
            problems,
            "pem_armour",
            "error",
            at,
            f"position {at} starts a damaged END line: a key ends with exactly five dashes, END, the same kind of "
            "key as its BEGIN line, and five dashes.",
        )
        return
    _violation(
        problems,
        "pem_truncated",
        "error",
        text.at(len(body)),
        "the -----END line is missing: the copy stops before the end of the key.",
        "Copy the whole key file, including its last line.",
    )


def _read_block(text: _Text, label: str, block: str, start: int, problems: list[Violation]) -> _Found | None:
    """One PEM block's content: headers, base64 text, then its DER structure by label."""
    headers = {m.group(1).lower(): m for m in _HEADER.finditer(block)}
    if label == "ENCRYPTED PRIVATE KEY" or "proc-type" in headers:
        _violation(
            problems,
            "encrypted",
            "error",
            None,
            "is an encrypted private key (protected by a password): nothing can sign with it until it is decrypted.",
            "Use the key file without a password, or decrypt a copy (openssl pkey -in key.pem -out plain.pem) and "
            "keep that copy as safe as the original. Never send the password anywhere.",
        )
        return _Found(None, "an encrypted private key")
    if label in _PUBLIC_LABELS:
        holds = "a public key"
        spki = _decode_body(text, block, start, [])
        if spki is not None:
            holds = _describe_public(spki)
        _violation(
            problems,
            "public_key",
            "error",
            None,
            f"is {holds}, not the private key: the public key is the half you register with the venue; signing "
            "needs the private key that stays with you.",
            "Paste the private key (-----BEGIN PRIVATE KEY-----) from the same key pair.",
        )
        return _Found(None, holds)
    if label == "CERTIFICATE":
        _violation(
            problems,
            "certificate",
            "error",
            None,
            "is a certificate, not a private key.",
            "Paste the private key (-----BEGIN PRIVATE KEY-----) of the API key you registered.",
        )
        return _Found(None, "a certificate")
    if label == "OPENSSH PRIVATE KEY":
        _violation(
            problems,
            "openssh",
            "error",
            None,
            "is an OpenSSH private key file (made by ssh-keygen), not the PEM private key the venue's key uses.",
            "Create the key pair as the venue's guide says (it writes -----BEGIN PRIVATE KEY-----).",
        )
        return _Found(None, "an OpenSSH private key")
    if label not in ("PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"):
        _violation(
            problems,
            "pem_label",
            "error",
            None,
            "is a PEM block of a kind no venue key uses (its BEGIN line names no private key).",
            "Paste the private key: its first line is -----BEGIN PRIVATE KEY----- (or EC/RSA PRIVATE KEY).",
        )
        return _Found(None, "a PEM block")
    if headers:
        at = text.at(start + min(m.start() for m in headers.values()))
        _violation(
            problems,
            "pem_body",
            "error",
            at,
            f"position {at} starts a header line inside the key; an unencrypted key holds only base64 text "
            "between its lines.",
        )
        return None
    der = _decode_body(text, block, start, problems)
    if der is None:
        return None
    try:
        if label == "PRIVATE KEY":
            return _read_pkcs8(der)
        if label == "EC PRIVATE KEY":
            return _read_sec1(read_one(der), None)
        return _read_pkcs1(read_one(der))
    except DerError as error:
        what = {"PRIVATE KEY": "PKCS#8", "EC PRIVATE KEY": "SEC1 EC", "RSA PRIVATE KEY": "PKCS#1 RSA"}[label]
        _violation(
            problems,
            "der",
            "error",
            None,
            f"the key's bytes do not have the structure of a {what} private key: at byte {error.offset} of "
            f"{len(der)}, {error.reason}.",
            "The key is damaged (a line may be missing or changed). " + _FIX,
        )
        return None


def _decode_body(text: _Text, block: str, start: int, problems: list[Violation]) -> bytes | None:
    for index, char in enumerate(block):
        if char not in _BASE64 and char not in _SPACE:
            at = text.at(start + index)
            _violation(
                problems,
                "pem_body",
                "error",
                at,
                f"position {at} is {describe_char(char)}, which does not belong in a PEM key: between its lines "
                "there is only base64 text.",
            )
            return None
    compact = "".join(block.split())
    if "\n" not in block:
        _violation(
            problems,
            "pem_one_line",
            "warning",
            None,
            "has no line breaks inside: the key was read, but most code that reads PEM keys needs the line "
            "breaks of the original file.",
            "Keep the key's line breaks (a multi-line field, or \\n in a one-line setting). A single-line input "
            "box may remove them.",
        )
    stripped = compact.rstrip("=")
    if "=" in stripped or len(compact) % 4 or len(compact) - len(stripped) > 2:
        _violation(
            problems,
            "pem_body",
            "error",
            None,
            f"the base64 text between the lines is damaged ({len(compact)} characters, which no complete key "
            "is): part of it is missing or doubled.",
        )
        return None
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        _violation(problems, "pem_body", "error", None, "the base64 text between the lines cannot be decoded.")
        return None


def _read_der_guess(der: bytes) -> _Found | None:
    """What DER bytes hold when no label says (bare base64 pasted without armour)."""
    for read in (_read_pkcs8, lambda d: _read_sec1(read_one(d), None), lambda d: _read_pkcs1(read_one(d))):
        try:
            return read(der)
        except DerError:
            continue
    return None


def _sequence(element: Element, what: str) -> list[Element]:
    if element.tag != SEQUENCE:
        raise DerError(element.offset, f"{what} must be a SEQUENCE")
    return element.children()


def _read_pkcs8(der: bytes) -> _Found:
    """PrivateKeyInfo (RFC 5208 / 5958): version, algorithm, the key as an OCTET STRING, optional extras."""
    fields = _sequence(read_one(der), "a PKCS#8 key")
    if len(fields) < 3 or fields[0].tag != INTEGER:
        raise DerError(0, "a PKCS#8 key has a version, an algorithm and the key")
    if fields[0].integer() not in (0, 1):
        raise DerError(fields[0].offset, "a PKCS#8 key has version 0 or 1")
    algorithm = _sequence(fields[1], "the algorithm")
    if not algorithm:
        raise DerError(fields[1].offset, "the algorithm has no identifier")
    oid = algorithm[0].oid()
    inner = fields[2].octets()
    extras = fields[3:]
    if oid == _ED25519:
        seed = read_one(inner)
        if seed.tag != OCTET_STRING or len(seed.content) != 32:
            raise DerError(fields[2].content_offset, "an Ed25519 key holds 32 bytes")
        public = b""
        for extra in extras:
            if extra.tag == 0x81:  # [1] IMPLICIT publicKey (RFC 5958, version 1)
                public = extra.bits()
        return _Found("ed25519", describe_kind("ed25519"), PrivateKey("ed25519", secret=seed.content, public=public))
    if oid == _EC_PUBLIC_KEY:
        curve = algorithm[1].oid() if len(algorithm) > 1 else None
        return _read_sec1(read_one(inner), curve, base=fields[2].content_offset)
    if oid == _RSA:
        if len(algorithm) > 1 and algorithm[1].tag != NULL:
            raise DerError(algorithm[1].offset, "RSA keys carry no algorithm parameters")
        return _read_pkcs1(read_one(inner), base=fields[2].content_offset)
    return _Found(None, _OTHER_ALGORITHMS.get(oid, f"a private key of an unknown algorithm ({oid})"))


def _read_sec1(element: Element, curve: str | None, base: int = 0) -> _Found:
    """ECPrivateKey (RFC 5915): version 1, the private scalar, [0] the curve, [1] the public point."""
    fields = _sequence(element, "an EC key")
    if len(fields) < 2 or fields[0].integer() != 1:
        raise DerError(base + element.offset, "an EC key has version 1 and the private number")
    scalar = fields[1].octets()
    public = b""
    for extra in fields[2:]:
        if extra.tag == 0xA0:
            named = extra.children()
            if named:
                curve = curve or named[0].oid()
        elif extra.tag == 0xA1:
            points = extra.children()
            if points:
                public = points[0].bits()
    if curve != _P256:
        name = _CURVES.get(curve or "", f"the curve {curve}" if curve else "an unnamed curve")
        return _Found(None, f"an EC private key on {name}", curve=curve or "")
    value = int.from_bytes(scalar, "big")
    if len(scalar) > 32 or not 0 < value < _P256_ORDER:
        raise DerError(base + fields[1].offset, "the private number is out of range for P-256")
    key = PrivateKey("ec_p256", secret=value.to_bytes(32, "big"), public=public)
    return _Found("ec_p256", describe_kind("ec_p256"), key, curve=_P256)


def _read_pkcs1(element: Element, base: int = 0) -> _Found:
    """RSAPrivateKey (RFC 8017): version 0 and n, e, d, p, q (and the CRT numbers, recomputed when signing)."""
    fields = _sequence(element, "an RSA key")
    if len(fields) < 6:
        raise DerError(base + element.offset, "an RSA key holds at least a version and n, e, d, p, q")
    if fields[0].integer() != 0:
        raise DerError(base + fields[0].offset, "only two-prime RSA keys (version 0) are used by venues")
    n, e, d, p, q = (field.integer() for field in fields[1:6])
    if min(n, e, d, p, q) <= 0 or p * q != n:
        raise DerError(base + fields[1].offset, "the key's numbers do not belong together (n is not p times q)")
    key = PrivateKey("rsa", rsa=(n, e, d, p, q))
    return _Found("rsa", f"a {n.bit_length()}-bit RSA private key", key)


def _describe_public(der: bytes) -> str:
    """What a SubjectPublicKeyInfo (-----BEGIN PUBLIC KEY-----) is, in words."""
    try:
        fields = _sequence(read_one(der), "a public key")
        algorithm = _sequence(fields[0], "the algorithm")
        oid = algorithm[0].oid()
    except (DerError, IndexError):
        return "a public key"
    if oid == _ED25519:
        return "an Ed25519 public key"
    if oid == _RSA:
        return "an RSA public key"
    if oid == _EC_PUBLIC_KEY and len(algorithm) > 1:
        return f"an EC public key on {_CURVES.get(algorithm[1].oid(), 'another curve')}"
    return "a public key"


def _judge(found: _Found | None, fmt: Format, problems: list[Violation], label: str) -> KeyReading:
    """Compare what was found with the key the format declares."""
    if found is None:
        return KeyReading(None, tuple(problems))
    if any(p.severity == "error" for p in problems):
        return KeyReading(None, tuple(problems), found.holds)
    expected = fmt.key or ""
    if found.kind != expected:
        problem = "key_curve" if expected == "ec_p256" and found.curve is not None else "key_kind"
        what = "curve" if problem == "key_curve" else "kind of key"
        _violation(
            problems,
            problem,
            "error",
            None,
            f"holds {found.holds}; this {label} is {describe_kind(expected)} (a different {what}).",
            "Paste the private key of the key pair you registered for this key type, or choose the key type that "
            "matches your key.",
        )
        return KeyReading(None, tuple(problems), found.holds)
    key = found.key
    if key is not None and fmt.key_bits and key.bits not in fmt.key_bits:
        allowed = " or ".join(str(bits) for bits in fmt.key_bits)
        _violation(
            problems,
            "key_size",
            "error",
            None,
            f"holds a {key.bits}-bit RSA key; the venue accepts {allowed}-bit keys.",
            f"Create a new key pair of {allowed} bits and register its public key.",
        )
    return KeyReading(key, tuple(problems), found.holds)


def consistency_violations(key: PrivateKey) -> list[Violation]:
    """Whether the public half a pasted key carries belongs to its private half (a cryptography package computes
    the public key; without one loaded, say that it was not checked)."""
    if not key.public or key.kind == "rsa":
        return []
    from checker.asymmetric import MissingLibrary, public_key

    try:
        derived = public_key(key, compressed=key.public[:1] in (b"\x02", b"\x03"))
    except MissingLibrary:
        return [
            Violation(
                "key_unverified",
                "info",
                None,
                "whether its public half belongs to its private half was not checked (the signing package is not "
                "loaded).",
                "",
            )
        ]
    if derived == key.public:
        return []
    return [
        Violation(
            "key_halves",
            "error",
            None,
            "the public half of this key does not belong to its private half: the key is damaged, or parts of two "
            "keys were put together.",
            _FIX,
        )
    ]
