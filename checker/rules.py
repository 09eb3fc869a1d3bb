"""Typed view of the venues.json slice the build exports from the venue YAML files.

The slice is a contract with the build side: this module only reads it. Unknown keys are ignored so the
build can add facts without breaking older checkers; missing or mistyped required keys raise `RulesError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from checker.vocab import ALPHABETS, CASES, COMPARES, CREDENTIAL_ROLES, ERROR_KINDS, SECRET_ROLES, USE_KINDS

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

    @property
    def specific(self) -> bool:
        """True when the format tells values apart (so a match says something about where a value came from)."""
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

    audit: str
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

    def venue(self, venue_id: str) -> Venue:
        try:
            return self.venues[venue_id]
        except KeyError:
            known = ", ".join(sorted(self.venues)) or "none"
            raise CheckerInputError(f"unknown venue {venue_id!r} (known: {known})") from None


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
    return Format(
        alphabet=_choice(_get(data, "alphabet", where, str), ALPHABETS, f"{where}.alphabet"),
        length=_load_length(data.get("length"), f"{where}.length"),
        decoded_bytes=_get(data, "decoded_bytes", where, int, None),
        prefix=_get(data, "prefix", where, str, None) or None,
        case=_choice(_get(data, "case", where, str, "any"), CASES, f"{where}.case"),
        observed=_get(data, "observed", where, bool, False),
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
        audit=_get(data, "audit", where, str),
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


def _load_venue(key: str, data: Any) -> Venue:
    where = f"venues.{key}"
    if not isinstance(data, dict):
        raise RulesError(f"{where}: expected an object, got {type(data).__name__}")
    venue_id = _get(data, "id", where, str, key)
    if venue_id != key:
        raise RulesError(f"{where}.id: {venue_id!r} does not match its key {key!r}")
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
