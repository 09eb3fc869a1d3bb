"""Rules across fields of one venue that a schema cannot express (ids, references, withdraw).

The signing self-test is a loading stage of its own (selftest.py, called by loader.py), not one of these rules.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator, Mapping

from checker import vocab
from checker.schemes import SCHEMES

from . import clock
from .anchors import KEY_TYPE_ANCHOR_PREFIX, PERMISSION_ANCHOR_PREFIX, RESERVED_IDS
from .model import Credential, Venue
from .problems import format_path, suggest
from .venue_text import unsafe_text
from .yamlsource import Path

Finding = tuple[Path, str]

_WITHDRAW_WORDS = re.compile(r"withdraw", re.IGNORECASE)


def check_venue(venue: Venue, stem: str, today: datetime.date | None = None) -> list[Finding]:
    """Every cross-field problem of `venue`, with the path it belongs to."""
    today = today or clock.today()
    return [
        *_check_identity(venue, stem),
        *check_page_contract(venue),
        *_check_permissions(venue),
        *_check_credentials(venue),
        *_check_key_types(venue),
        *_check_dates(venue, today),
        *_check_notices(venue, today),
        *_check_key_info(venue),
        *unsafe_text(venue),
    ]


def check_page_contract(venue: Venue) -> list[Finding]:
    """Problems that would break the guide page's anchors or links: the renderer refuses these too."""
    return [*_check_anchor_ids(venue), *_check_references(venue)]


def _check_identity(venue: Venue, stem: str) -> Iterator[Finding]:
    if venue.id != stem:
        yield ("id",), f"{venue.id!r} must equal the file name {stem!r} — rename one of them"


def page_anchors(venue: Venue) -> Iterator[tuple[Path, str]]:
    """Every anchor id the venue's data puts on its page, with where it is declared."""
    for index, step in enumerate(venue.steps):
        yield ("steps", index, "id"), step.id
    for index, pitfall in enumerate(venue.pitfalls):
        yield ("pitfalls", index, "id"), pitfall.id
    for index, error in enumerate(venue.errors):
        yield ("errors", index, "id"), error.id
    for index, faq in enumerate(venue.faq):
        yield ("faq", index, "id"), faq.id
    for index, use_case in enumerate(venue.use_cases):
        yield ("use_cases", index, "id"), use_case.id
    for key in ("notices", "notice_history"):
        for index, notice in enumerate(getattr(venue, key)):
            yield (key, index, "id"), notice.id
    for index, permission in enumerate(venue.permissions):
        yield ("permissions", index, "id"), PERMISSION_ANCHOR_PREFIX + permission.id
    for index, key_type in enumerate(venue.key_types):
        yield ("key_types", index, "id"), KEY_TYPE_ANCHOR_PREFIX + key_type.id


def _check_anchor_ids(venue: Venue) -> Iterator[Finding]:
    seen: dict[str, Path] = {}
    for path, anchor in page_anchors(venue):
        if anchor in RESERVED_IDS:
            yield path, f"anchor id {anchor!r} is a section of every guide — choose another id"
        elif anchor in seen:
            yield (
                path,
                f"duplicate anchor id {anchor!r} (also at {format_path(seen[anchor])}) — ids must be unique",
            )
        else:
            seen[anchor] = path
    live = set(seen) | RESERVED_IDS
    for old, target in venue.anchor_aliases.items():
        path = ("anchor_aliases", old)
        if old in live:
            yield path, f"{old!r} is a live anchor on this page — an alias must be a former id"
        elif target not in live:
            yield (
                path,
                f"alias target {target!r} is not an anchor of this page" + suggest(target, sorted(live)),
            )


def _check_permissions(venue: Venue) -> Iterator[Finding]:
    for index, permission in enumerate(venue.permissions):
        if not permission.withdraw and _WITHDRAW_WORDS.search(permission.label):
            yield (
                ("permissions", index, "withdraw"),
                f"label {permission.label!r} mentions withdrawal — set 'withdraw: true' (no use case may tick it)",
            )


def _check_references(venue: Venue) -> Iterator[Finding]:
    permission_ids = [p.id for p in venue.permissions]
    seen: set[str] = set()
    for index, permission in enumerate(venue.permissions):
        if permission.id in seen:
            yield ("permissions", index, "id"), f"duplicate permission id {permission.id!r}"
        seen.add(permission.id)
    forbidden = {p.id for p in venue.permissions if p.forbidden}
    choice_of = {p.id: p.choice for p in venue.permissions if p.choice}
    for index, use_case in enumerate(venue.use_cases):
        chosen: dict[str, str] = {}
        listed: set[str] = set()
        for key in ("required", "optional"):
            for ref_index, ref in enumerate(getattr(use_case, key)):
                path: Path = ("use_cases", index, key, ref_index)
                if ref not in permission_ids:
                    yield path, f"unknown permission {ref!r}" + suggest(ref, permission_ids)
                elif ref in forbidden:
                    yield path, f"permission {ref!r} must never be ticked — no use case may need it"
                elif key == "optional" and ref in use_case.required:
                    yield path, f"permission {ref!r} is already required by this use case"
                elif ref in listed:
                    yield path, f"permission {ref!r} is listed twice"
                elif ref in choice_of and key == "optional":
                    yield path, f"{ref!r} is an option of {choice_of[ref]!r}: a use case requires one option"
                elif ref in choice_of and choice_of[ref] in chosen:
                    yield (
                        path,
                        f"{ref!r} and {chosen[choice_of[ref]]!r} are options of {choice_of[ref]!r} — choose one",
                    )
                elif ref in choice_of:
                    chosen[choice_of[ref]] = ref
                listed.add(ref)
        # Radio buttons always hold a value: the checklist must say which option to choose. A choice the
        # use case names only with a wrong option has its problem reported above already.
        named = {choice_of[ref] for ref in (*use_case.required, *use_case.optional) if ref in choice_of}
        for choice in dict.fromkeys(choice_of.values()):
            if choice not in named:
                options = [p.id for p in venue.permissions if p.choice == choice and not p.forbidden]
                yield (
                    ("use_cases", index, "required"),
                    f"no option of {choice!r} chosen — require one of " + ", ".join(map(repr, options)),
                )
    codes: set[str] = set()
    for index, error in enumerate(venue.errors):
        if error.permission is not None and error.permission not in permission_ids:
            yield (
                ("errors", index, "permission"),
                f"unknown permission {error.permission!r}" + suggest(error.permission, permission_ids),
            )
        if error.code in codes:
            yield ("errors", index, "code"), f"duplicate error code {error.code!r}"
        codes.add(error.code)


def _check_credentials(venue: Venue) -> Iterator[Finding]:
    yield from _check_credential_list(venue.credentials, ("credentials",))
    yield from _check_scheme_key(venue.signing.scheme, venue.credentials, ("signing", "scheme"), ("credentials",))
    yield from _check_example_names(venue.signing.example.credentials, venue.credentials, ("signing", "example"))
    yield from _check_samples(venue.signing.example.credentials, venue.credentials, ("credentials",))


def _check_samples(printed: Mapping[str, str], credentials: list[Credential], where: Path) -> Iterator[Finding]:
    """A signing example's values are samples already (the checker flags them): listing one again is a copy."""
    for index, credential in enumerate(credentials):
        value = printed.get(credential.id, "").strip()
        for position, sample in enumerate(credential.samples):
            if value and sample.strip() == value:
                yield (
                    (*where, index, "samples", position),
                    "this is the signing example's value, which the checker flags as a sample already — remove it",
                )


def _check_credential_list(credentials: list[Credential], where: Path) -> Iterator[Finding]:
    """One credential list (the venue's, or a key type's): unique ids, one field per role, a secret, formats."""
    seen: set[str] = set()
    for index, credential in enumerate(credentials):
        if credential.id in seen:
            yield (*where, index, "id"), f"duplicate credential id {credential.id!r}"
        seen.add(credential.id)
        yield from _check_format(credential, (*where, index, "format"))
    roles: dict[str, int] = {}
    for index, credential in enumerate(credentials):
        if credential.role in roles:
            yield (
                (*where, index, "role"),
                f"role {credential.role!r} is already {where[-1]}[{roles[credential.role]}]'s — each role is one field",
            )
        roles.setdefault(credential.role, index)
    if "secret" not in roles:
        yield where, "no credential has 'role: secret' — a key always has a secret that signs requests"


def _check_format(credential: Credential, where: Path) -> Iterator[Finding]:
    fmt = credential.format
    if fmt.length is not None and fmt.length.min > fmt.length.max:
        yield (*where, "length"), f"min {fmt.length.min} is greater than max {fmt.length.max}"
    kinds = ", ".join(map(repr, vocab.KEY_KINDS))
    if fmt.alphabet == "pem" and fmt.key is None:
        yield (*where, "key"), f"a PEM credential names the kind of key it holds — add 'key:' ({kinds})"
    if fmt.key is not None and fmt.alphabet not in ("pem", "base64"):
        yield (
            (*where, "key"),
            f"a private key is written as 'pem' or 'base64', not {fmt.alphabet!r} — change the alphabet or "
            "remove 'key'",
        )
    if fmt.key_bits and fmt.key != "rsa":
        yield (*where, "key_bits"), "only an RSA key has a size to choose — remove key_bits, or set 'key: rsa'"


def _check_scheme_key(
    scheme_id: str, credentials: list[Credential], scheme_path: Path, where: Path
) -> Iterator[Finding]:
    """The scheme must sign with what the secret holds: a private key of a kind it knows, or an HMAC secret."""
    scheme = SCHEMES[scheme_id]
    index, secret = next(((i, c) for i, c in enumerate(credentials) if c.role == "secret"), (-1, None))
    if secret is None:
        return  # reported by _check_credential_list
    key_path: Path = (*where, index, "format", "key")
    if scheme.secret_decoding == "private_key" and secret.format.key is None:
        kinds = " or ".join(map(repr, scheme.key_kinds))
        yield (
            scheme_path,
            f"scheme {scheme_id!r} signs with a private key: the secret {secret.id!r} must name its kind "
            f"(format 'key: {kinds}')",
        )
    elif scheme.secret_decoding == "private_key" and secret.format.key not in scheme.key_kinds:
        kinds = " or ".join(map(repr, scheme.key_kinds))
        yield (
            scheme_path,
            f"scheme {scheme_id!r} signs with {kinds} keys, but the secret {secret.id!r} holds "
            f"{secret.format.key!r} — choose the scheme for this kind of key",
        )
    elif scheme.secret_decoding != "private_key" and secret.format.key is not None:
        yield (
            key_path,
            f"scheme {scheme_id!r} signs with the secret as an HMAC key, not with a private key — remove 'key', "
            "or give this key its own scheme",
        )


def _check_example_names(names: Iterable[str], credentials: list[Credential], where: Path) -> Iterator[Finding]:
    ids = [c.id for c in credentials]
    for name in names:
        if name not in ids:
            yield (*where, "credentials", name), f"unknown credential {name!r}" + suggest(name, ids)


def _check_key_types(venue: Venue) -> Iterator[Finding]:
    """Each key type states only what differs from the venue's own declaration, which is one of them."""
    seen: dict[str, int] = {}
    own: list[int] = []
    for index, key_type in enumerate(venue.key_types):
        where: Path = ("key_types", index)
        if key_type.id in seen:
            yield (
                (*where, "id"),
                f"duplicate key type id {key_type.id!r} (also key_types[{seen[key_type.id]}]) — ids must be unique",
            )
        seen.setdefault(key_type.id, index)
        credentials = venue.credentials if key_type.credentials is None else key_type.credentials
        if key_type.credentials is not None:
            yield from _check_credential_list(key_type.credentials, (*where, "credentials"))
        if key_type.own_declaration:
            own.append(index)
            if key_type.example is not None:
                yield (
                    (*where, "example"),
                    "this key type is the venue's own credentials and scheme, whose example is signing.example — "
                    "remove it, or give the key type its own scheme or credentials",
                )
            if key_type.retired is not None:
                yield (
                    (*where, "retired"),
                    "the venue's own credentials and scheme cannot be retired — declare the kind the venue accepts "
                    "as the venue's own, and this one with its own scheme and credentials",
                )
            continue
        scheme_path: Path = (*where, "scheme") if key_type.scheme is not None else ("signing", "scheme")
        cred_path: Path = (*where, "credentials") if key_type.credentials is not None else ("credentials",)
        yield from _check_scheme_key(key_type.scheme or venue.signing.scheme, credentials, scheme_path, cred_path)
        if key_type.retired is not None and key_type.example is not None:
            yield (*where, "example"), "a retired key type is never signed with — remove its example"
        elif key_type.retired is None and key_type.example is None:
            yield (
                where,
                f"key type {key_type.id!r} signs with its own scheme or credentials — add its signing example "
                "(the build reproduces it)",
            )
        elif key_type.example is not None:
            yield from _check_example_names(key_type.example.credentials, credentials, (*where, "example"))
            if key_type.credentials is not None:
                yield from _check_samples(key_type.example.credentials, key_type.credentials, (*where, "credentials"))
    if venue.key_types and not own:
        yield (
            ("key_types",),
            "no key type is the venue's own credentials and scheme — add an entry without scheme and credentials "
            "(e.g. {id: hmac, label: HMAC key})",
        )
    for index in own[1:]:
        yield (
            ("key_types", index),
            f"key_types[{own[0]}] is already the venue's own credentials and scheme — give this one its own "
            "scheme or credentials",
        )


def _check_notices(venue: Venue, today: datetime.date) -> Iterator[Finding]:
    """A notice whose date has passed stops the build until a writer has updated the guide for it."""
    for index, notice in enumerate(venue.notices):
        if notice.effective <= today:
            yield (
                ("notices", index, "effective"),
                f"notice {notice.id!r} took effect on {notice.effective.isoformat()} — update the guide for this "
                "change, then move the notice to notice_history",
            )
    for index, notice in enumerate(venue.notice_history):
        if notice.effective > today:
            yield (
                ("notice_history", index, "effective"),
                f"notice {notice.id!r} takes effect on {notice.effective.isoformat()} — until then it belongs "
                "in notices",
            )


def upcoming_notices(venue: Venue, within_days: int, today: datetime.date | None = None) -> Iterator[Finding]:
    """Notices that take effect within `within_days`: a warning for writers, not a problem yet."""
    today = today or clock.today()
    for index, notice in enumerate(venue.notices):
        days = (notice.effective - today).days
        if 0 < days <= within_days:
            yield (
                ("notices", index, "effective"),
                f"notice {notice.id!r} takes effect in {days} day{'s' if days != 1 else ''} "
                f"({notice.effective.isoformat()}) — prepare the guide for it",
            )


def _check_dates(venue: Venue, today: datetime.date) -> Iterator[Finding]:
    dated: list[tuple[Path, datetime.date]] = [
        (("last_verified",), venue.last_verified),
        (("quick_facts", "fees", "as_of"), venue.quick_facts.fees.as_of),
    ]
    if venue.quick_facts.leverage is not None:
        dated.append((("quick_facts", "leverage", "as_of"), venue.quick_facts.leverage.as_of))
    for path, value in dated:
        if value > today:
            yield path, f"{value.isoformat()} is in the future — use the date you checked"


def _check_key_info(venue: Venue) -> Iterator[Finding]:
    """The page fills and signs the key-information request as it does the test request: the same signed fields."""
    if venue.key_info is None:
        return
    test = venue.signing.test_request
    for name in ("nonce", "timestamp", "recv_window"):
        if (getattr(venue.key_info.request, name) is None) != (getattr(test, name) is None):
            has = "has" if getattr(test, name) is not None else "has no"
            yield (
                ("key_info", "request", name),
                f"signing.test_request {has} {name!r}: the key-information request is signed by the same scheme and "
                "must carry the same signed fields",
            )
