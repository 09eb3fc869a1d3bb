"""Typed view of the venues.json slice the build exports from the venue YAML files.

The slice is a contract with the build side: this module only reads it. Unknown keys are ignored so the
build can add facts without breaking older checkers; missing or mistyped required keys raise `RulesError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from checker.vocab import (
    ALPHABETS,
    CASES,
    COMPARES,
    CREDENTIAL_ROLES,
    ERROR_KINDS,
    KEY_KINDS,
    SECRET_ROLES,
    USE_KINDS,
)

# No credential is longer; anything over it is reported and never analysed or signed.
MAX_LENGTH = 16384
# The one normalisation of a pasted value: outer ASCII whitespace is trimmed (and the diagnosis says so).
TRIM = " \t\r\n\f\v"


class CheckerInputError(ValueError):
    """Input the checker cannot work with. The message never contains a credential value."""


class RulesError(CheckerInputError):
    """The rules slice does not have the shape the checker expects."""


@dataclass(frozen=True)
class Length:
    min: int | None
    max: int | None


@dataclass(frozen=True)
class Format:
    alphabet: str  # a key of checker.vocab.ALPHABETS
    length: Length | None = None
    decoded_bytes: int | None = None
    prefix: str | None = None
    case: str = "any"  # a key of checker.vocab.CASES
    observed: bool = False
    # A private key credential: what kind of key it holds (a key of checker.vocab.KEY_KINDS), and for RSA the
    # modulus sizes the venue accepts (empty: any). checker.keys reads such values.
    key: str | None = None
    key_bits: tuple[int, ...] = ()

    @property
    def specific(self) -> bool:
        """True when the format tells values apart (so a match says something about where a value came from)."""
        if self.key is not None:
            return True
        has_length = self.length is not None and (self.length.min is not None or self.length.max is not None)
        return self.alphabet != "printable" and (has_length or bool(self.prefix) or self.alphabet == "uuid")


@dataclass(frozen=True)
class Credential:
    id: str
    label: str
    role: str  # a key of checker.vocab.CREDENTIAL_ROLES
    required: bool
    format: Format
    samples: tuple[str, ...] = ()

    @property
    def secret(self) -> bool:
        """True for values that sign or unlock requests: they never appear in any output."""
        return self.role in SECRET_ROLES


@dataclass(frozen=True)
class Request:
    """One HTTP request as the signer sees it. nonce/timestamp are inputs: the checker has no clock."""

    method: str
    path: str
    query: str = ""
    body: str = ""
    nonce: str | None = None
    timestamp: str | None = None
    recv_window: str | None = None


@dataclass(frozen=True)
class Example:
    official: bool
    source_url: str
    note: str
    credentials: Mapping[str, str]
    request: Request
    signature: str
    prehash: str | None = None
    compare: str = "exact"  # a key of checker.vocab.COMPARES


@dataclass(frozen=True)
class Signing:
    """A venue's use of a signing scheme: which one (checker.schemes), where, and its published example."""

    scheme: str
    base_url: str
    params: Mapping[str, str] = field(default_factory=dict)
    test_request: Request | None = None
    example: Example | None = None


@dataclass(frozen=True)
class KeyInfo:
    """A venue's key-information request: the signed request whose answer says what the key may do.

    `audit` names the reader of the answer (checker.audit.AUDITS); `base_url` is set when the request goes to
    another host than the signing base URL; `unbound_ip` (what the venue does to a key bound to no IP address)
    and `revoke` (how to delete a key) are Markdown.
    """

    audit: str | None  # None while the checker has no reader for this venue's answer
    request: Request
    revoke: str
    base_url: str | None = None
    unbound_ip: str = ""


@dataclass(frozen=True)
class UseCase:
    """What a reader wants the key for; `kind` (checker.vocab.USE_KINDS) is what the key audit judges."""

    id: str
    title: str
    kind: str


@dataclass(frozen=True)
class ErrorEntry:
    code: str
    id: str
    kind: str
    message: str = ""
    aliases: tuple[str, ...] = ()
    cause: str = ""
    fix: str = ""


@dataclass(frozen=True)
class KeyType:
    """One kind of key a venue issues (Binance: HMAC, Ed25519, RSA), when it issues more than one.

    `scheme`, `credentials` and `example` are the key type's own; None means the venue's own (`signing.scheme`,
    `credentials`, `signing.example`), so the venue's declaration is one key type and needs no copy. `retired`
    is set (reader-facing words) for a key type the venue no longer accepts: such keys are recognised and
    explained, never signed with.
    """

    id: str
    label: str
    scheme: str | None = None
    credentials: tuple[Credential, ...] | None = None
    example: Example | None = None
    retired: str = ""


@dataclass(frozen=True)
class Venue:
    id: str
    name: str
    credentials: tuple[Credential, ...]
    signing: Signing | None
    errors: tuple[ErrorEntry, ...] = ()
    # Where the venue's guide is, relative to the site root ("venues/kraken-spot/"), and where on it the
    # signing example is: the build knows the site's layout, the checker only links to it.
    guide_url: str = ""
    example_url: str = ""
    key_info: KeyInfo | None = None
    use_cases: tuple[UseCase, ...] = ()
    key_types: tuple[KeyType, ...] = ()
    # Set on the view `with_key_type` returns: the key type whose credentials and scheme this view carries.
    key_type: KeyType | None = None

    def find_key_type(self, key_type_id: str) -> KeyType | None:
        return next((k for k in self.key_types if k.id == key_type_id), None)

    def with_key_type(self, key_type_id: str | None) -> Venue:
        """This venue as one of its key types signs: that type's credentials, scheme and example.

        None is the venue's own declaration (what every venue without key types has).
        """
        if key_type_id is None:
            return self
        key_type = self.find_key_type(key_type_id)
        if key_type is None:
            known = ", ".join(repr(k.id) for k in self.key_types) or "none"
            raise CheckerInputError(f"{self.name}: key_type {key_type_id!r} is not one of its key types ({known})")
        signing = self.signing
        if signing is not None and (key_type.scheme is not None or key_type.credentials is not None):
            signing = replace(signing, scheme=key_type.scheme or signing.scheme, example=key_type.example)
        return replace(
            self,
            credentials=self.credentials if key_type.credentials is None else key_type.credentials,
            signing=signing,
            key_type=key_type,
        )

    def use_case(self, use_case_id: str) -> UseCase | None:
        return next((u for u in self.use_cases if u.id == use_case_id), None)

    def credential(self, field_id: str) -> Credential | None:
        return next((c for c in self.credentials if c.id == field_id), None)

    def credential_for(self, role: str) -> Credential | None:
        """The venue's credential with `role` (each role is declared at most once)."""
        return next((c for c in self.credentials if c.role == role), None)

    def first_error(self, kind: str) -> ErrorEntry | None:
        return next((e for e in self.errors if e.kind == kind), None)


@dataclass(frozen=True)
class Rules:
    venues: Mapping[str, Venue]

    def venue(self, venue_id: str, key_type: str | None = None) -> Venue:
        """The venue; with `key_type`, as that key type of it signs (`Venue.with_key_type`)."""
        try:
            venue = self.venues[venue_id]
        except KeyError:
            known = ", ".join(sorted(self.venues)) or "none"
            raise CheckerInputError(f"unknown venue {venue_id!r} (known: {known})") from None
        return venue.with_key_type(key_type)


# --- parsing -------------------------------------------------------------------------------------------

_MISSING = object()


def _get(data: Mapping[str, Any], key: str, where: str, kind: type | tuple[type, ...], default: Any = _MISSING) -> Any:
    if key not in data or data[key] is None:
        if default is _MISSING:
            raise RulesError(f"{where}.{key}: required")
        return default
    value = data[key]
    # bool is an int in Python; a count must not be written as true/false.
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise RulesError(f"{where}.{key}: expected {_kind_name(kind)}, got a boolean")
    if not isinstance(value, kind):
        raise RulesError(f"{where}.{key}: expected {_kind_name(kind)}, got {type(value).__name__}")
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {dict: "an object", list: "a list", str: "a string", int: "an integer", bool: "a boolean"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _choice(value: str, choices: Iterable[str], where: str) -> str:
    if value not in choices:
        raise RulesError(f"{where}: expected one of {', '.join(repr(c) for c in choices)}, got {value!r}")
    return value


def _strings(data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = _get(data, key, where, list, [])
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise RulesError(f"{where}.{key}[{index}]: expected a string, got {type(item).__name__}")
    return tuple(items)


def _string_map(data: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    items = _get(data, key, where, dict, {})
    for name, value in items.items():
        if not isinstance(value, str):
            raise RulesError(f"{where}.{key}.{name}: expected a string, got {type(value).__name__}")
    return dict(items)


def _optional_str(data: Mapping[str, Any], key: str, where: str) -> str | None:
    value = _get(data, key, where, (str, int), None)
    # Nonces and timestamps are often written as numbers in YAML; they are signed as text.
    return None if value is None else str(value)


def _load_length(data: Any, where: str) -> Length | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    low = _get(data, "min", where, int, None)
    high = _get(data, "max", where, int, None)
    if low is not None and high is not None and low > high:
        raise RulesError(f"{where}: min {low} is greater than max {high}")
    return Length(min=low, max=high)


def _load_format(data: Mapping[str, Any], where: str) -> Format:
    alphabet = _choice(_get(data, "alphabet", where, str), ALPHABETS, f"{where}.alphabet")
    key = _get(data, "key", where, str, None)
    if key is not None:
        _choice(key, KEY_KINDS, f"{where}.key")
        if alphabet not in ("pem", "base64"):
            raise RulesError(f"{where}.alphabet: a private key is written as 'pem' or 'base64', got {alphabet!r}")
    elif alphabet == "pem":
        raise RulesError(f"{where}.key: a PEM credential names the kind of key it holds")
    key_bits = _get(data, "key_bits", where, list, [])
    if any(isinstance(bits, bool) or not isinstance(bits, int) or bits <= 0 for bits in key_bits):
        raise RulesError(f"{where}.key_bits: expected a list of positive integers")
    if key_bits and key != "rsa":
        raise RulesError(f"{where}.key_bits: only an RSA key has a size to choose")
    return Format(
        alphabet=alphabet,
        length=_load_length(data.get("length"), f"{where}.length"),
        decoded_bytes=_get(data, "decoded_bytes", where, int, None),
        prefix=_get(data, "prefix", where, str, None) or None,
        case=_choice(_get(data, "case", where, str, "any"), CASES, f"{where}.case"),
        observed=_get(data, "observed", where, bool, False),
        key=key,
        key_bits=tuple(key_bits),
    )


def load_format(data: Mapping[str, Any], where: str = "format") -> Format:
    """A `Format` from its JSON shape (a credential's `format` object); raise `RulesError` naming the bad path."""
    return _load_format(data, where)


def _load_credential(data: Any, where: str) -> Credential:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    return Credential(
        id=_get(data, "id", where, str),
        label=_get(data, "label", where, str),
        role=_choice(_get(data, "role", where, str), CREDENTIAL_ROLES, f"{where}.role"),
        required=_get(data, "required", where, bool, True),
        format=_load_format(_get(data, "format", where, dict), f"{where}.format"),
        samples=_strings(data, "samples", where),
    )


def parse_request(data: Any, where: str = "request") -> Request:
    """Build a `Request` from a JSON object (`method` and `path` required, the rest optional)."""
    if not isinstance(data, dict):
        raise CheckerInputError(f"{where}: expected an object, got {type(data).__name__}")
    try:
        return Request(
            method=_get(data, "method", where, str).upper(),
            path=_get(data, "path", where, str),
            query=_get(data, "query", where, str, ""),
            body=_get(data, "body", where, str, ""),
            nonce=_optional_str(data, "nonce", where),
            timestamp=_optional_str(data, "timestamp", where),
            recv_window=_optional_str(data, "recv_window", where),
        )
    except RulesError as error:
        raise CheckerInputError(str(error)) from None


def _load_example(data: Mapping[str, Any], where: str) -> Example:
    return Example(
        official=_get(data, "official", where, bool, False),
        source_url=_get(data, "source_url", where, str, ""),
        note=_get(data, "note", where, str, ""),
        credentials=_string_map(data, "credentials", where),
        request=parse_request(_get(data, "request", where, dict), f"{where}.request"),
        signature=_get(data, "signature", where, str),
        prehash=_get(data, "prehash", where, str, None),
        compare=_choice(_get(data, "compare", where, str, "exact"), COMPARES, f"{where}.compare"),
    )


def _load_signing(data: Mapping[str, Any], where: str) -> Signing:
    test_request = data.get("test_request")
    example = data.get("example")
    return Signing(
        scheme=_get(data, "scheme", where, str),
        base_url=_get(data, "base_url", where, str, ""),
        params=_string_map(data, "params", where),
        test_request=None if test_request is None else parse_request(test_request, f"{where}.test_request"),
        example=None if example is None else _load_example(_get(data, "example", where, dict), f"{where}.example"),
    )


def _load_key_info(data: Any, where: str) -> KeyInfo:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    return KeyInfo(
        audit=_get(data, "audit", where, str, None),
        request=parse_request(_get(data, "request", where, dict), f"{where}.request"),
        revoke=_get(data, "revoke", where, str),
        base_url=_get(data, "base_url", where, str, None) or None,
        unbound_ip=_get(data, "unbound_ip", where, str, ""),
    )


def _load_use_case(data: Any, where: str) -> UseCase:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    return UseCase(
        id=_get(data, "id", where, str),
        title=_get(data, "title", where, str),
        kind=_choice(_get(data, "kind", where, str), USE_KINDS, f"{where}.kind"),
    )


def _load_error(data: Any, where: str) -> ErrorEntry:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    return ErrorEntry(
        code=str(_get(data, "code", where, (str, int))),
        id=_get(data, "id", where, str),
        kind=_choice(_get(data, "kind", where, str), ERROR_KINDS, f"{where}.kind"),
        message=_get(data, "message", where, str, ""),
        aliases=_strings(data, "aliases", where),
        cause=_get(data, "cause", where, str, ""),
        fix=_get(data, "fix", where, str, ""),
    )


def _load_credentials(data: Mapping[str, Any], where: str) -> tuple[Credential, ...]:
    credentials = tuple(
        _load_credential(item, f"{where}.credentials[{index}]")
        for index, item in enumerate(_get(data, "credentials", where, list))
    )
    seen: set[str] = set()
    roles: set[str] = set()
    for index, credential in enumerate(credentials):
        if credential.id in seen:
            raise RulesError(f"{where}.credentials[{index}].id: duplicate {credential.id!r}")
        if credential.role in roles:
            raise RulesError(f"{where}.credentials[{index}].role: duplicate {credential.role!r}")
        seen.add(credential.id)
        roles.add(credential.role)
    return credentials


def _load_key_type(data: Any, where: str) -> KeyType:
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    example = data.get("example")
    key_type = KeyType(
        id=_get(data, "id", where, str),
        label=_get(data, "label", where, str),
        scheme=_get(data, "scheme", where, str, None),
        credentials=None if data.get("credentials") is None else _load_credentials(data, where),
        example=None if example is None else _load_example(_get(data, "example", where, dict), f"{where}.example"),
        retired=_get(data, "retired", where, str, ""),
    )
    if key_type.example is not None and key_type.scheme is None and key_type.credentials is None:
        raise RulesError(f"{where}.example: a key type with the venue's own scheme and credentials has its example")
    return key_type


def _load_key_types(data: Mapping[str, Any], where: str) -> tuple[KeyType, ...]:
    key_types = tuple(
        _load_key_type(item, f"{where}.key_types[{index}]")
        for index, item in enumerate(_get(data, "key_types", where, list, []))
    )
    ids = [k.id for k in key_types]
    duplicate = next((i for i, key_type_id in enumerate(ids) if key_type_id in ids[:i]), None)
    if duplicate is not None:
        raise RulesError(f"{where}.key_types[{duplicate}].id: duplicate {ids[duplicate]!r}")
    return key_types


def _load_venue(key: str, data: Any) -> Venue:
    where = f"venues.{key}"
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    venue_id = _get(data, "id", where, str, key)
    if venue_id != key:
        raise RulesError(f"{where}.id: {venue_id!r} does not match its key {key!r}")
    credentials = _load_credentials(data, where)
    key_types = _load_key_types(data, where)
    signing = data.get("signing")
    key_info = data.get("key_info")
    return Venue(
        id=venue_id,
        name=_get(data, "name", where, str),
        credentials=credentials,
        signing=None if signing is None else _load_signing(_get(data, "signing", where, dict), f"{where}.signing"),
        errors=tuple(
            _load_error(item, f"{where}.errors[{index}]")
            for index, item in enumerate(_get(data, "errors", where, list, []))
        ),
        guide_url=_get(data, "guide_url", where, str, ""),
        example_url=_get(data, "example_url", where, str, ""),
        key_info=None if key_info is None else _load_key_info(key_info, f"{where}.key_info"),
        use_cases=tuple(
            _load_use_case(item, f"{where}.use_cases[{index}]")
            for index, item in enumerate(_get(data, "use_cases", where, list, []))
        ),
        key_types=key_types,
    )


def load_rules(data: Mapping[str, Any]) -> Rules:
    """Parse the venues.json slice into typed, frozen values; raise `RulesError` naming the bad path."""
    if not isinstance(data, Mapping):
        raise RulesError(f"rules: expected an object, got {type(data).__name__}")
    venues = _get(data, "venues", "rules", dict)
    return Rules(venues={key: _load_venue(key, value) for key, value in venues.items()})


def fill_request(
    template: Request,
    *,
    nonce: str | int | None = None,
    timestamp: str | int | None = None,
    recv_window: str | int | None = None,
) -> Request:
    """Fill `{nonce}`, `{timestamp}`, `{recv_window}` in a test request's path, query and body.

    Values given here also become the request's own nonce/timestamp/recv_window; placeholders whose value is
    not given are left as they are (and the signer then reports what is missing).
    """
    values = {
        "nonce": None if nonce is None else str(nonce),
        "timestamp": None if timestamp is None else str(timestamp),
        "recv_window": None if recv_window is None else str(recv_window),
    }

    def fill(text: str) -> str:
        for name, value in values.items():
            if value is not None:
                text = text.replace("{" + name + "}", value)
        return text

    return replace(
        template,
        path=fill(template.path),
        query=fill(template.query),
        body=fill(template.body),
        nonce=values["nonce"] if values["nonce"] is not None else template.nonce,
        timestamp=values["timestamp"] if values["timestamp"] is not None else template.timestamp,
        recv_window=values["recv_window"] if values["recv_window"] is not None else template.recv_window,
    )
