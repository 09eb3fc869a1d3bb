"""Diagnose pasted credentials against a venue's declared key formats.

Every finding names a field, a position in the value as pasted and a code point, never the value. Only
leading/trailing ASCII whitespace is trimmed (and reported); everything else is reported, not fixed. Private keys
are read by checker.keys (through the key format); this module decides what to say about them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from checker.findings import Diagnosis, Finding, Severity, describe_char
from checker.formats import article, describe_format, format_violations, matches_format
from checker.keys import consistency_violations, describe_pem, read_key_file, read_private_key
from checker.rules import MAX_LENGTH, TRIM, Credential, KeyType, Rules, Venue

_TRIM_NAMES = {
    " ": "space",
    "\t": "tab",
    "\n": "newline",
    "\r": "carriage return",
    "\f": "form feed",
    "\v": "vertical tab",
}
_ZERO_WIDTH = {0x200B, 0x200C, 0x200D, 0x2060}
_BOM = 0xFEFF
_BULLETS = {0x2022, 0x25CF, 0x2219, 0x00B7, 0x25AA, 0x2027, 0x22C5, 0x2217, 0xFF0A, 0x25E6, 0x2981}
_ELLIPSIS = 0x2026
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u201e\u201a\u00ab\u00bb\u2039\u203a\u00b4\u2032\u2033"
# Cyrillic and Greek letters that render like Latin ones; a keyboard layout switch or a font fallback
# produces them, and they are invisible to a reader comparing by eye.
_HOMOGLYPHS = {
    **dict(zip("абвезкмнорстухіјѕԁԛԝһӏ", "a6Bek3MHopcTyxijsdqwhl", strict=True)),
    **dict(zip("АВЕКМНОРСТУХІЈЅԚԜ", "ABEKMHOPCTYXIJSQW", strict=True)),
    **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧοναριυκϲϳ", "ABEZHIKMNOPTYXovapiukcj", strict=True)),
}
_BYTES_LITERAL = re.compile(r"[bB](['\"])(.*)\1\Z", re.DOTALL)
_ENV = re.compile(r"(export\s+|set\s+|\$env:)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.+)\Z", re.DOTALL | re.IGNORECASE)
_JSON_PAIR = re.compile(r"\{?\s*([\"'])([^\"']{1,80})\1\s*:\s*([\"'])(.*)\3\s*,?\s*\}?\Z", re.DOTALL)
_ESCAPE = re.compile(r"\\(?:[nrt0]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})")
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]{1,40})-----")
_PLACEHOLDER = re.compile(
    r"""
      <[^<>]{1,64}>                                   # <SECRET>, <your key>
    | \$\{?[A-Za-z_][A-Za-z0-9_]*\}?                 # $API_SECRET, ${API_SECRET}
    | \{\{.{0,64}\}\} | %[A-Za-z_]+%                 # {{ secret }}, %SECRET%
    | (?:[xX*#]{3,}[-_ ]?)+                          # xxxx, XXXX-XXXX
    | (?:api[-_ ]?)?(?:key|secret|passphrase|password|token|apikey|apisecret)s?
    | .*(?:your|my)[-_ ]?(?:own[-_ ]?)?(?:api[-_ ]?|secret[-_ ]?|private[-_ ]?)?
        (?:key|secret|pass(?:phrase|word)?|token).*
    | .*(?:key|secret|pass(?:phrase|word)?|token)[-_ ]?(?:here|goes[-_ ]?here).*
    | .*(?:replace[-_ ]?me|change[-_ ]?me|placeholder|insert[-_ ]?(?:here|your)|redacted|todo|fixme).*
    | (?:my|test|dummy|fake|sample|example|demo)[-_ ]?(?:api[-_ ]?)?(?:key|secret|pass(?:phrase|word)?)
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_ARMOUR_LINE = re.compile(r"^\s*-----(?:BEGIN|END) [A-Z0-9 ]+-----\s*$", re.MULTILINE)


def _pem_body(value: str) -> str:
    """A PEM value without its armour lines and line breaks (real or typed as `\\n`): what a key holds."""
    return "".join(_ARMOUR_LINE.sub("", value.replace("\\n", "\n")).split())


def _published(rules: Rules) -> Iterable[tuple[Venue, Credential]]:
    """Every credential of every venue and key type, with the values published for it: its declared samples and
    the value its signing example prints (the example is declared once; the checker flags it as a sample)."""
    for venue in rules.venues.values():
        views = [venue, *(venue.with_key_type(k.id) for k in venue.key_types if k.credentials is not None)]
        for view in views:
            example = view.signing.example if view.signing is not None else None
            for credential in view.credentials:
                printed = example.credentials.get(credential.id) if example is not None else None
                if printed and printed not in credential.samples:
                    credential = replace(credential, samples=(*credential.samples, printed))
                yield venue, credential


def _is_sample(value: str, candidate: Credential) -> bool:
    """Whether a pasted value is one of the credential's published examples; PEM examples compare by body,
    so a sample written as a whole block is caught pasted with or without its armour or line breaks."""
    if candidate.format.alphabet != "pem":
        return value in candidate.samples
    body = _pem_body(value)
    return any(body == _pem_body(sample) for sample in candidate.samples)


@dataclass
class _Field:
    """Working state for one field; positions are kept relative to the value as pasted."""

    credential: Credential
    raw: str
    value: str = ""
    offset: int = 0
    findings: list[Finding] = field(default_factory=list)
    # Set once a finding explains the value as a whole, so format checks would only repeat it.
    settled: bool = False
    format_failed: bool = False
    # Findings that only restate the format rules; a root cause found later (swapped fields) replaces them.
    format_findings: list[Finding] = field(default_factory=list)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}es" if noun.endswith("s") else f"{count} {noun}s"


# Findings that mean a value is in the wrong place or is the wrong thing: signing with it could put a secret
# where the page shows a key (the curl line, a header), so nothing is signed while one of these stands.
MISPLACED = frozenset(
    {"swapped", "same_as_key", "other_venue", "combined", "pem", "cdp_json", "other_key_type", "retired_key"}
)

# The troubleshooting entry a finding about a credential links to, by what the credential does.
_ROLE_ERROR_KINDS = {"key": "invalid_key", "secret": "invalid_signature", "passphrase": "invalid_passphrase"}


def _anchor(venue: Venue, credential: Credential, kind: str | None = None) -> str | None:
    if kind is None:
        kind = _ROLE_ERROR_KINDS[credential.role]
    # A venue that answers a bad key or passphrase the way it answers a bad signature (Coinbase: one
    # `Unauthorized` for all) documents only that entry: it is where such a finding leads.
    entry = venue.first_error(kind) or venue.first_error("invalid_signature")
    return entry.id if entry else None


class _Reporter:
    def __init__(self, venue: Venue, state: _Field) -> None:
        self.venue = venue
        self.state = state

    def add(
        self,
        problem: str,
        severity: Severity,
        position: int | None,
        message: str,
        hint: str,
        *,
        kind: str | None = None,
    ) -> None:
        credential = self.state.credential
        self.state.findings.append(
            Finding(
                code=f"{credential.id}.{problem}",
                severity=severity,
                field=credential.id,
                position=position,
                message=f"{credential.label}: {message}",
                hint=hint,
                anchor=_anchor(self.venue, credential, kind),
            )
        )


def _trim_words(chars: str, where: str) -> list[str]:
    counts: dict[str, int] = {}
    # CR LF is one line break to a reader; count it as one newline.
    chars = chars.replace("\r\n", "\n")
    for char in chars:
        counts[_TRIM_NAMES[char]] = counts.get(_TRIM_NAMES[char], 0) + 1
    return [f"{_plural(n, f'{where} {name}')}" for name, n in counts.items()]


def _check_trim(state: _Field, report: _Reporter) -> None:
    raw = state.raw
    start = len(raw) - len(raw.lstrip(TRIM))
    end = len(raw.rstrip(TRIM))
    if start >= end:
        state.value, state.offset = "", 0
        return
    state.value, state.offset = raw[start:end], start
    if start or end < len(raw):
        words = _trim_words(raw[:start], "leading") + _trim_words(raw[end:], "trailing")
        text = ", ".join(words[:-1]) + (" and " if len(words) > 1 else "") + words[-1]
        report.add(
            "trimmed",
            "info",
            None,
            f"removed {text}; the rest was checked as is.",
            "Copy-paste often adds these. Make sure your code or config does not keep them either.",
        )


def _soft(state: _Field) -> bool:
    # A printable passphrase may legitimately contain quotes, '=' or '{'; there a wrapper is only suspicious.
    return state.credential.format.alphabet == "printable"


def _key_file(state: _Field, report: _Reporter, venue: Venue) -> bool:
    """A whole key file (Coinbase CDP JSON) pasted into one field: name its parts, never their values."""
    value = state.value
    key_file = read_key_file(value)
    if key_file is None and not ("privateKey" in value and ("apiKeys/" in value or "organizations/" in value)):
        return False
    parts = key_file.parts if key_file is not None else ("name", "privateKey")
    name_part = "name" if "name" in parts else "id"
    key_field = venue.credential_for("key")
    secret_field = venue.credential_for("secret")
    takes_keys = secret_field is not None and secret_field.format.key is not None
    if takes_keys and key_field is not None and secret_field is not None:
        message = (
            f"this is a whole CDP API key file (JSON with the parts {name_part!r} and 'privateKey'); it holds "
            "both credentials, and only one belongs in this field."
        )
        hint = (
            f"Paste the value of {name_part!r} into the {key_field.label} field and the value of 'privateKey' "
            f"into the {secret_field.label} field, each without its quotes (the \\n in the private key may stay)."
        )
    else:
        message = (
            "this is a whole Coinbase CDP API key file (JSON with a key name and a private key); "
            f"{venue.name} expects {describe_format(state.credential.format, with_origin=False)}."
        )
        hint = "A CDP key belongs to Coinbase Advanced Trade. Create an API key on this venue instead."
    report.add("cdp_json", "error", state.offset, message, hint)
    state.settled = True
    return True


def _key_type_taking(rules: Rules, venue: Venue, kind: str | None) -> KeyType | None:
    """The venue's other key type whose secret is a PEM private key of `kind` (to point a pasted key there)."""
    base = rules.venue(venue.id)
    for key_type in base.key_types:
        if venue.key_type is not None and key_type.id == venue.key_type.id:
            continue
        secret = base.with_key_type(key_type.id).credential_for("secret")
        if secret is not None and secret.format.alphabet == "pem" and kind in (None, secret.format.key):
            return key_type
    return None


def _pem_elsewhere(state: _Field, report: _Reporter, rules: Rules, venue: Venue, start: int) -> None:
    """A PEM block in a field that takes no PEM key."""
    offset = state.offset
    holds, kind = describe_pem(state.value) or ("a PEM-encoded key", None)
    fmt = state.credential.format
    other = _key_type_taking(rules, venue, kind)
    if other is not None:
        hint = f"This key is for another key type: choose '{other.label}' and paste it into its private key field."
    elif fmt.key is not None:
        hint = f"This field takes {describe_format(fmt, with_origin=False)}, not a PEM block."
    elif state.credential.secret:
        hint = (
            "PEM keys are for RSA/Ed25519/ECDSA signing, not HMAC. Paste the secret the venue showed when you "
            "created the key."
        )
    else:
        hint = f"Paste the {state.credential.label} here: {describe_format(fmt, with_origin=False)}."
    report.add(
        "pem",
        "error",
        offset + start,
        f"position {offset + start} starts a PEM block holding {holds}; {venue.name} expects "
        f"{describe_format(fmt, with_origin=False)} here.",
        hint,
    )
    state.settled = True


def _unwrap(state: _Field, report: _Reporter, rules: Rules, venue: Venue) -> None:
    """Recognise what was pasted around the value (file formats, quotes, assignments) and look inside."""
    for _ in range(4):
        value, offset = state.value, state.offset
        severity: Severity = "warning" if _soft(state) else "error"
        if _key_file(state, report, venue):
            return
        pem = _PEM.search(value)
        fmt = state.credential.format
        prefix = fmt.prefix or ""
        if pem and fmt.alphabet != "pem" and not prefix.startswith("-----BEGIN") and "\\n" not in prefix:
            _pem_elsewhere(state, report, rules, venue, pem.start())
            return
        if value.startswith("{") and value.endswith("}"):
            try:
                parsed = json.loads(value)
            except ValueError:
                parsed = None
            if isinstance(parsed, dict) and len(parsed) != 1:
                report.add(
                    "json_wrapper",
                    severity,
                    offset,
                    f"the value is a JSON object with {len(parsed)} entries, not a single credential.",
                    f"Paste only the {state.credential.label} itself, without the JSON around it.",
                )
                state.settled = True
                return
        match = _JSON_PAIR.match(value)
        if match and (value.startswith(("{", '"', "'"))):
            report.add(
                "json_wrapper",
                severity,
                offset,
                f"the value is wrapped in a JSON or dict entry (a name, a colon, then the value in quotes); "
                f"the wrapper ends at position {offset + match.start(4)}.",
                f"Paste only the {state.credential.label} itself, without the name and quotes around it.",
            )
            state.value, state.offset = match.group(4), offset + match.start(4)
            continue
        match = _BYTES_LITERAL.match(value)
        if match:
            report.add(
                "bytes_literal",
                severity,
                offset,
                "the value is written as a Python bytes literal (b'...'): the b and the quotes are not part of it.",
                "Print the value with .decode() (or copy it from the venue again) instead of printing the bytes.",
            )
            state.value, state.offset = match.group(2), offset + match.start(2)
            continue
        match = _ENV.match(value)
        if match and (match.group(1) or len(match.group(2)) >= 2) and not set(match.group(3)) <= {"="}:
            what = "a shell export" if match.group(1) else "a NAME=value assignment (.env style)"
            report.add(
                "env_wrapper",
                severity,
                offset,
                f"the value is {what}; the value itself starts at position {offset + match.start(3)}.",
                f"Paste only the {state.credential.label}, without the variable name and '='.",
            )
            state.value, state.offset = match.group(3).rstrip(TRIM), offset + match.start(3)
            continue
        first, last = value[0], value[-1]
        if first in _QUOTES or last in _QUOTES:
            both = len(value) >= 2 and first in _QUOTES and last in _QUOTES
            position = offset if first in _QUOTES else offset + len(value) - 1
            shown = first if first in _QUOTES else last
            where = "wrapped in" if both else ("starts with" if first in _QUOTES else "ends with")
            report.add(
                "quoted",
                severity,
                position,
                f"the value is {where} quotes: position {position} is {describe_char(shown)}.",
                "Quotes belong to code or config syntax, not to the value. Word processors and chat apps also "
                "turn straight quotes into curly ones.",
            )
            start = 1 if first in _QUOTES else 0
            end = len(value) - 1 if (last in _QUOTES and len(value) > start) else len(value)
            state.value, state.offset = value[start:end], offset + start
            if not state.value:
                return
            continue
        return


def _check_content(state: _Field, report: _Reporter, rules: Rules, venue: Venue) -> None:
    """Whole-value problems: masked, truncated, placeholder, sample, key:secret pasted together."""
    value, offset = state.value, state.offset
    credential = state.credential
    stars = value.find("***")
    bullet = next((i for i, c in enumerate(value) if ord(c) in _BULLETS), -1)
    masked = min((p for p in (stars, bullet) if p >= 0), default=-1)
    if masked >= 0:
        report.add(
            "masked",
            "error",
            offset + masked,
            f"position {offset + masked} starts a masked part ({describe_char(value[masked])}): this is the "
            "hidden form the venue shows, not the value.",
            f"The venue shows the {credential.label} in full only once, when the key is created. If you did "
            "not save it then, create a new key.",
        )
        state.settled = True
    ellipsis = value.find("\u2026")
    dots = value.find("...")
    truncated = min((p for p in (ellipsis, dots) if p >= 0), default=-1)
    if truncated >= 0:
        report.add(
            "truncated",
            "error",
            offset + truncated,
            f"position {offset + truncated} is {describe_char(value[truncated])}"
            f"{'' if value[truncated] != '.' else ' (three dots)'}: the value looks shortened for display.",
            f"Copy the full {credential.label} with the venue's copy button instead of selecting the visible text.",
        )
        state.settled = True
    if state.settled:
        return
    if credential.format.alphabet == "pem":
        # The armour lines say "PRIVATE KEY"; a placeholder is what stands between them.
        value = _ARMOUR_LINE.sub("", value.replace("\\n", "\n")).strip()
    bare = value.rstrip(".\u2026").strip()
    if bare and (_PLACEHOLDER.fullmatch(bare) or (len(bare) >= 4 and len(set(bare)) == 1)):
        # A passphrase is chosen by the user, so "mypassword" may be real (if unwise): warn only.
        report.add(
            "placeholder",
            "warning" if _soft(state) else "error",
            None,
            "this looks like a placeholder from a template or tutorial, not a real credential.",
            f"Replace it with the {credential.label} the venue showed you when you created the key.",
        )
        state.settled = True
        return
    for other, candidate in _published(rules):
        if _is_sample(value, candidate):
            whose = "this venue's" if other.id == venue.id else f"the {other.name}"
            report.add(
                "sample",
                "error",
                None,
                f"this is an example {candidate.label} from {whose} documentation or signing example, not your own.",
                "Example values from documentation never authenticate. Use the key you created.",
            )
            state.settled = True
            return
    if state.settled or credential.format.alphabet == "pem":
        return
    _check_combined(state, report, venue)


def _check_combined(state: _Field, report: _Reporter, venue: Venue) -> None:
    value, offset = state.value, state.offset
    for match in re.finditer(r"\s*[:,;|]\s*|\s+", value):
        left, right = value[: match.start()], value[match.end() :]
        if not left or not right:
            continue
        formats = [c.format for c in venue.credentials if c.format.specific]
        if any(matches_format(left, f) for f in formats) or any(matches_format(right, f) for f in formats):
            sep = value[match.start() : match.end()].strip() or value[match.start()]
            report.add(
                "combined",
                "error",
                offset + match.start(),
                f"two values seem pasted together: position {offset + match.start()} is a separator "
                f"({describe_char(sep[0])}) between two credential-shaped parts.",
                f"Put each credential in its own field. {state.credential.label} is "
                f"{describe_format(state.credential.format, with_origin=False)}.",
            )
            state.settled = True
            return


def _classify(char: str) -> tuple[str, str] | None:
    """Return (problem, extra) for a character that does not belong in any credential, else None."""
    point = ord(char)
    if char in TRIM:
        return "interior_whitespace", ""
    if point in _ZERO_WIDTH:
        return "zero_width", ""
    if point == _BOM:
        return "bom", ""
    if point == _ELLIPSIS or point in _BULLETS:
        return None  # reported as truncated / masked
    if char in _QUOTES and point > 0x7F:
        return "non_ascii", " (a typographic quote)"
    category = unicodedata.category(char)
    if category in ("Zs", "Zl", "Zp"):
        return "unicode_space", ""
    if category in ("Cc", "Cs") or point == 0x7F:
        return "control", ""
    if category == "Cf":
        return "invisible", ""
    if char in _HOMOGLYPHS:
        return "homoglyph", f", which looks like Latin {_HOMOGLYPHS[char]!r}"
    if 0xFF01 <= point <= 0xFF5E:
        return "fullwidth", f", the fullwidth form of {chr(point - 0xFEE0)!r}"
    if point > 0x7E:
        return "non_ascii", ""
    return None


_CLASS_TEXT: dict[str, tuple[str, str]] = {
    "interior_whitespace": (
        "whitespace inside the value",
        "Line breaks or spaces inside a credential come from wrapped copies. Copy it again in one piece.",
    ),
    "zero_width": (
        "an invisible zero-width character",
        "Zero-width characters come from web pages, chat apps and password managers. Retype or copy it again.",
    ),
    "bom": (
        "a byte order mark (BOM)",
        "A BOM is added by some editors at the start of a file. Save the file as UTF-8 without BOM.",
    ),
    "unicode_space": (
        "a non-ASCII space",
        "Non-breaking and other Unicode spaces come from web pages and documents. Copy the value again.",
    ),
    "control": (
        "a control character",
        "Control characters never belong in a credential; the copy picked up something else.",
    ),
    "invisible": (
        "an invisible formatting character",
        "Formatting marks come from web pages and documents. Copy the value again.",
    ),
    "homoglyph": (
        "a look-alike letter from another alphabet",
        "Cyrillic and Greek letters can look identical to Latin ones. Copy the value from the venue again "
        "instead of retyping it (and check the keyboard layout).",
    ),
    "fullwidth": (
        "a fullwidth letter or digit",
        "Fullwidth characters come from East Asian input methods. Switch the input method off and copy again.",
    ),
    "non_ascii": (
        "a character outside ASCII",
        "Credentials are plain ASCII. Copy the value again from the venue.",
    ),
}


def _check_characters(state: _Field, report: _Reporter) -> bool:
    """Report characters that never belong in a credential; return True if any was an error."""
    value, offset = state.value, state.offset
    fmt = state.credential.format
    found: dict[str, tuple[int, str, int]] = {}
    for index, char in enumerate(value):
        classified = _classify(char)
        if classified is None:
            continue
        problem, extra = classified
        if problem in found:
            first, first_extra, count = found[problem]
            found[problem] = (first, first_extra, count + 1)
        else:
            found[problem] = (index, extra, 1)
    errors = False
    for problem, (index, extra, count) in found.items():
        what, hint = _CLASS_TEXT[problem]
        severity: Severity = "error"
        # A passphrase the user chose may contain a plain space; tell them, but it is not certainly wrong.
        if problem == "interior_whitespace" and fmt.alphabet == "printable" and value[index] == " ":
            severity = "warning"
        errors = errors or severity == "error"
        more = f" ({count - 1} more like it)" if count > 1 else ""
        report.add(
            problem,
            severity,
            offset + index,
            f"position {offset + index} is {describe_char(value[index])}{extra}: {what}{more}.",
            hint,
        )
    escape = _ESCAPE.search(value)
    if escape and not found:
        severity = "warning" if _soft(state) else "error"
        errors = errors or severity == "error"
        report.add(
            "escape_sequence",
            severity,
            offset + escape.start(),
            f"position {offset + escape.start()} starts a backslash escape sequence (a printed "
            "representation such as \\n, not the character itself).",
            "The value was copied from a repr() or JSON dump. Copy the raw value instead.",
        )
    return errors


def _check_format(state: _Field, report: _Reporter) -> None:
    credential = state.credential
    key = credential.format.key is not None
    for violation in format_violations(state.value, credential.format, label=credential.label, offset=state.offset):
        # The mixed-case heuristic is a hint, not evidence that the value belongs in another field; a private key
        # read with a note or a warning (literal \n, no line breaks) is still the key that belongs here.
        if (violation.severity == "error") if key else (violation.problem != "case" or violation.position is not None):
            state.format_failed = True
        report.add(violation.problem, violation.severity, violation.position, violation.message, violation.hint)
        state.format_findings.append(state.findings[-1])


def _check_key_halves(state: _Field, report: _Reporter) -> None:
    """A private key that carries its public half: do the halves belong together (needs the signing package)."""
    fmt = state.credential.format
    if fmt.key is None or state.format_failed:
        return
    reading = read_private_key(state.value, fmt, label=state.credential.label, offset=state.offset)
    if reading.key is None:
        return
    for violation in consistency_violations(reading.key):
        report.add(violation.problem, violation.severity, violation.position, violation.message, violation.hint)


def _drop_format_findings(state: _Field) -> None:
    """Forget what the format rules said about `state`: a root cause explains it (the value is elsewhere's)."""
    state.findings = [f for f in state.findings if f not in state.format_findings]
    state.format_findings = []


def _check_field(state: _Field, rules: Rules, venue: Venue) -> None:
    report = _Reporter(venue, state)
    credential = state.credential
    if len(state.raw) > MAX_LENGTH:
        report.add(
            "too_long",
            "error",
            None,
            f"the value is {len(state.raw)} characters long, over the {MAX_LENGTH}-character limit; "
            "it was not analysed.",
            f"{article(credential.label).capitalize()} {credential.label} is "
            f"{describe_format(credential.format, with_origin=False)}. A whole file may have been pasted.",
        )
        state.settled = True
        return
    _check_trim(state, report)
    if not state.value:
        if credential.required:
            report.add(
                "empty",
                "error",
                None,
                "is empty." if not state.raw else "contains only whitespace.",
                f"This venue needs the {credential.label}: {describe_format(credential.format, with_origin=False)}.",
            )
        state.settled = True
        return
    _unwrap(state, report, rules, venue)
    if state.settled or not state.value:
        state.settled = True
        return
    _check_content(state, report, rules, venue)
    if state.settled:
        return
    if credential.format.alphabet == "pem":
        # Line breaks belong in a PEM block; checker.keys names any character that does not.
        _check_format(state, report)
        _check_key_halves(state, report)
        return
    if _check_characters(state, report):
        # Length and decoding would only restate the stray character; the alphabet check still helps.
        state.format_failed = True
        return
    _check_format(state, report)
    _check_key_halves(state, report)


def _belongs_to(state: _Field, venue: Venue) -> Credential | None:
    """The venue's other credential whose format the value breaks none of, when its own format it breaks."""
    credential = state.credential
    if not state.format_failed:
        return None
    return next(
        (
            o
            for o in venue.credentials
            if o.id != credential.id
            and o.format.specific
            and o.format != credential.format
            and matches_format(state.value, o.format)
        ),
        None,
    )


def _check_swaps(filled: Mapping[str, _Field], venue: Venue) -> set[str]:
    """Report values that belong in another field, one finding per swap; return the fields explained so."""
    homes = {cid: other for cid, state in filled.items() if (other := _belongs_to(state, venue)) is not None}
    explained: set[str] = set()
    for cid, other in homes.items():
        if cid in explained:
            continue
        state = filled[cid]
        partner = homes.get(other.id)
        _drop_format_findings(state)
        explained.add(cid)
        if partner is not None and partner.id == cid:
            # Both values sit in each other's field: one root cause, one finding; the length and decoding
            # problems of both fields are its consequences.
            _drop_format_findings(filled[other.id])
            explained.add(other.id)
            _Reporter(venue, state).add(
                "swapped",
                "error",
                None,
                f"the {state.credential.label} and the {other.label} are in each other's fields.",
                f"Put each value in its own field: the {other.label} is "
                f"{describe_format(other.format, with_origin=False)}.",
            )
        else:
            _Reporter(venue, state).add(
                "swapped",
                "error",
                None,
                f"looks like the {other.label} ({describe_format(other.format, with_origin=False)}), not "
                f"{article(state.credential.label)} {state.credential.label}; the fields may be swapped.",
                f"Put the {other.label} in its own field and the {state.credential.label} here.",
            )
    return explained


def _check_pairs(states: Mapping[str, _Field], rules: Rules, venue: Venue) -> None:
    filled = {k: s for k, s in states.items() if s.value and not s.settled}
    swaps = _check_swaps(filled, venue)
    for state in filled.values():
        credential = state.credential
        report = _Reporter(venue, state)
        if credential.secret:
            for other in filled.values():
                if not other.credential.secret and other.value == state.value:
                    report.add(
                        "same_as_key",
                        "error",
                        None,
                        f"is identical to the {other.credential.label}.",
                        f"The {other.credential.label} and the {credential.label} are two different values shown "
                        "when the key is created.",
                    )
        if state.format_failed and state.credential.id in swaps:
            continue
        if state.format_failed:
            _check_other_venue(state, report, rules, venue)
    keys = [s for s in filled.values() if not s.credential.secret]
    secrets = [s for s in filled.values() if s.credential.secret]
    for secret in secrets:
        for key in keys:
            fmt = secret.credential.format
            if (
                key.credential.format == fmt
                and key.value != secret.value
                and matches_format(key.value, fmt)
                and matches_format(secret.value, fmt)
            ):
                _Reporter(venue, secret).add(
                    "swap_undetectable",
                    "info",
                    None,
                    f"has the same format as the {key.credential.label}, so a swap of the two cannot be detected here.",
                    f"Check that the {key.credential.label} and the {secret.credential.label} are in the right "
                    "fields: the venue rejects swapped values.",
                )


def _own_label(venue: Venue) -> str:
    """The name of the key type the credentials are checked as."""
    if venue.key_type is not None:
        return venue.key_type.label
    own = next((k for k in venue.key_types if k.scheme is None and k.credentials is None), None)
    return own.label if own is not None else "API key"


def _check_key_types(states: Mapping[str, _Field], rules: Rules, venue: Venue) -> None:
    """Values that are another key type's (Binance's Ed25519 key where HMAC is chosen) or a retired type's
    (Coinbase's legacy keys): one finding names the key type; the format findings it explains go."""
    base = rules.venue(venue.id)
    filled = [s for s in states.values() if s.value and not s.settled]
    failing = [s for s in filled if s.format_failed]
    if not base.key_types or not failing:
        return
    for key_type in base.key_types:
        credentials = base.with_key_type(key_type.id).credentials
        if (venue.key_type is not None and key_type.id == venue.key_type.id) or credentials == venue.credentials:
            continue
        by_role = {c.role: c for c in credentials}
        fits = all(
            s.credential.role in by_role and matches_format(s.value, by_role[s.credential.role].format) for s in filled
        )
        if not fits or not all(by_role[s.credential.role].format.specific for s in failing):
            continue
        for state in failing:
            _drop_format_findings(state)
            state.settled = True
        own = _own_label(venue)
        where = failing[0]
        if key_type.retired:
            _Reporter(venue, where).add(
                "retired_key",
                "error",
                None,
                f"looks like {article(key_type.label)} {key_type.label}, not {article(own)} {own}: {key_type.retired}",
                f"Create a new key ({own}) on {venue.name} and paste its values.",
                kind="expired",
            )
        else:
            _Reporter(venue, where).add(
                "other_key_type",
                "error",
                None,
                f"looks like the credentials of {article(key_type.label)} {key_type.label}, not of "
                f"{article(own)} {own}.",
                f"Choose the key type '{key_type.label}', or paste the values of your {own}.",
                kind="invalid_key",
            )
        return


def _check_other_venue(state: _Field, report: _Reporter, rules: Rules, venue: Venue) -> None:
    if any(f.code.endswith(".key_kind") for f in state.findings):
        return  # the value was read as a key of another kind: that is what it is, whatever else it resembles
    own = {c.format for c in venue.credentials}
    hits = [
        (other, candidate)
        for other in rules.venues.values()
        if other.id != venue.id
        for candidate in other.credentials
        if candidate.format.specific and candidate.format not in own and matches_format(state.value, candidate.format)
    ]
    if not hits:
        return
    names = sorted({f"{other.name} {candidate.label}" for other, candidate in hits})
    shown = ", ".join(names[:3]) + (" or another" if len(names) > 3 else "")
    report.add(
        "other_venue",
        "error",
        None,
        f"matches the format of another venue's credential ({shown}), not this venue's.",
        f"Keys only work on the venue (and environment) that issued them. {venue.name} expects "
        f"{describe_format(state.credential.format, with_origin=False)}.",
        kind="invalid_key",
    )


def misplaced(findings: Iterable[Finding]) -> list[Finding]:
    """The error findings that forbid signing: a value in the wrong field, or a value of the wrong kind."""
    return [f for f in findings if f.severity == "error" and f.code.rsplit(".", 1)[-1] in MISPLACED]


def diagnose_credentials(
    rules: Rules, venue_id: str, credentials: Mapping[str, str | None], key_type: str | None = None
) -> Diagnosis:
    """Check every credential field the venue issues (for `key_type`, that key type's); never raises on any text
    in any field (an unknown venue or key type is a CheckerInputError)."""
    venue = rules.venue(venue_id, key_type)
    states = {c.id: _Field(credential=c, raw=credentials.get(c.id) or "") for c in venue.credentials}
    for state in states.values():
        _check_field(state, rules, venue)
    _check_key_types(states, rules, venue)
    _check_pairs(states, rules, venue)
    findings = [f for state in states.values() for f in state.findings]
    findings.extend(_observed_note(states, venue))
    for name in credentials:
        if name not in states:
            findings.append(
                Finding(
                    code=f"{_safe_name(name)}.unknown_field",
                    severity="info",
                    field=_safe_name(name),
                    position=None,
                    message=f"{venue.name} has no credential field with this name; it was ignored.",
                    hint="Fields: " + ", ".join(c.id for c in venue.credentials) + ".",
                    anchor=None,
                )
            )
    return Diagnosis(findings=tuple(findings))


def _observed_note(states: Mapping[str, _Field], venue: Venue) -> list[Finding]:
    """Said once, quietly: warnings about length or case come from formats seen in examples, not documented."""
    soft = [
        state
        for state in states.values()
        if state.credential.format.observed and any(f.severity == "warning" for f in state.format_findings)
    ]
    if not soft:
        return []
    first = soft[0].credential
    return [
        Finding(
            code=f"{first.id}.observed_format",
            severity="info",
            field=first.id,
            position=None,
            message=f"{venue.name} does not document these lengths or letter cases; they come from its published "
            "examples, so a difference is a warning, not an error.",
            hint="If the venue accepts the key, the format rule here is out of date: tell us.",
            anchor=None,
        )
    ]


def _safe_name(name: str) -> str:
    # Field names come from the caller; keep them short identifiers so nothing odd reaches the page.
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)[:40]
    return cleaned or "_"
