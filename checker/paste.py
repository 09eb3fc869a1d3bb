"""The reader's paste of a venue's answer, as one JSON value: what is around it is taken off, damage is named.

Readers paste what their terminal shows: the answer alone, or with the curl command before it, HTTP headers
(`curl -i`, `curl -v`), a shell prompt after it; or a web page, a cut-off copy, nothing. Each gets its own finding,
and what can be read is read. No finding repeats what was pasted.

Most venues answer with a JSON object; a venue whose answers are JSON arrays (Bitfinex's v2 API) reads with
`lists=True`. Anything else at the top level (a number, a string, null) is never an answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from checker.findings import Finding
from checker.keyfacts import audit_finding, plural, possessive
from checker.rules import Venue

# Longer than any answer of a key-information request; a paste over it is not read.
MAX_RESPONSE = 200_000
_CURL = re.compile(r"(?:[$%#>]\s*)?curl\s", re.IGNORECASE)
_STATUS_LINE = re.compile(r"^(?:< )?HTTP/\d(?:\.\d)?[ \t]+(\d{3})", re.MULTILINE)
_VERBOSE = ("* ", "> ", "< ", "{ [", "} [")
_HTML = re.compile(r"<\s*(?:!doctype|html|head|body|title|meta)\b", re.IGNORECASE)
_TYPES = {list: "a list", str: "a text string", int: "a number", float: "a number", bool: "true or false"}


@dataclass
class Paste:
    """The answer's JSON value once headers, the command and trailing text are taken off; findings on the way.

    `parsed` is True for a value of a shape the venue answers with (an object; a list too, for `lists=True`). A
    list the venue does not answer with is kept in `value`, unparsed, with its finding: another venue's answer.
    """

    value: Any = None
    findings: list[Finding] = field(default_factory=list)
    parsed: bool = False
    # The HTTP status of pasted headers, for an answer that is no JSON (an empty body, a block page).
    status: int | None = None


def _after_command(text: str) -> str:
    """The text after a curl command (with its backslash-continued lines)."""
    lines = text.split("\n")
    index = 0
    while index < len(lines) - 1 and lines[index].rstrip().endswith("\\"):
        index += 1
    return "\n".join(lines[index + 1 :])


def _status(text: str) -> int | None:
    """The status of the last status line in pasted headers (a proxy's or a redirect's come first)."""
    statuses = _STATUS_LINE.findall(text)
    return int(statuses[-1]) if statuses else None


def _strip_headers(text: str) -> tuple[str, str | None]:
    """The body of a pasted HTTP response, and how headers were found ('status', 'verbose', or None)."""
    lines = text.split("\n")

    def verbose(line: str) -> bool:
        return line.startswith(_VERBOSE) or line.rstrip() in ("<", ">", "*")

    if verbose(lines[0]):
        return "\n".join(line for line in lines if not verbose(line)).strip(), "verbose"
    found = None
    # Several header blocks follow each other after a proxy's CONNECT or an HTTP 100 Continue.
    while _STATUS_LINE.match(text):
        found = "status"
        _, sep, rest = text.replace("\r\n", "\n").partition("\n\n")
        text = rest.strip() if sep else ""
    return text, found


def _unclosed(text: str) -> str | None:
    """What is still open at the end of JSON text that stops short: 'string' or 'object', or None."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            depth += 1
        elif char in "}]":
            depth -= 1
    if in_string:
        return "string"
    return "object" if depth > 0 else None


def not_object(value: Any, venue: Venue, lists: bool = False) -> Finding:
    """The finding for a JSON value of a shape the venue never answers with."""
    kind = "null" if value is None else _TYPES.get(type(value), "not an object")
    shape = "an object or a list" if lists else "an object"
    return audit_finding(
        "paste.not_object",
        "error",
        f"This JSON is {kind}, not {shape} like {possessive(venue.name)} answers.",
        "Paste the whole answer of the key check command.",
    )


def read_paste(text: str, venue: Venue, *, lists: bool = False) -> Paste:
    """The JSON value in what the reader pasted, with a finding for each thing taken off or wrong with it.

    Args:
        text: What the reader pasted.
        venue: The venue whose key check the reader ran, for the findings' words.
        lists: The venue answers with JSON arrays as well as objects.
    """
    paste = Paste()
    add = paste.findings.append
    if len(text) > MAX_RESPONSE:
        add(
            audit_finding(
                "paste.too_long",
                "error",
                f"The paste is {len(text)} characters long, over the {MAX_RESPONSE} this checker reads; it was not "
                "read.",
                "Paste only what the key check command printed.",
            )
        )
        return paste
    body = text.lstrip("\ufeff").strip()
    if not body:
        add(
            audit_finding(
                "paste.empty",
                "error",
                "Nothing was pasted.",
                "Run the key check command in a terminal and paste everything it prints.",
            )
        )
        return paste
    if _CURL.match(body):
        body = _after_command(body).strip()
        if not body:
            add(
                audit_finding(
                    "paste.curl_command",
                    "error",
                    "This is the curl command itself, not its answer.",
                    "Run it in a terminal on your own computer, then paste what it prints.",
                )
            )
            return paste
        add(
            audit_finding(
                "paste.command_included",
                "info",
                "The paste starts with the curl command; the answer after it was read.",
            )
        )
    if body.startswith("curl: ("):
        add(
            audit_finding(
                "paste.curl_error",
                "error",
                f"This is an error of curl itself: the request never reached {venue.name}.",
                "Check the computer's network connection and that the command was copied whole, then run it again.",
            )
        )
        return paste
    with_headers = body
    body, headers = _strip_headers(body)
    if headers is not None:
        paste.status = _status(with_headers)
        if not body:
            add(
                audit_finding(
                    "paste.no_body",
                    "error",
                    "The paste holds HTTP headers but no body after them.",
                    "Copy the whole output, including the JSON after the headers.",
                )
            )
            return paste
        what = "curl's verbose output" if headers == "verbose" else "an HTTP status line and headers"
        add(
            audit_finding(
                "paste.http_headers", "info", f"The paste holds {what}; the checker read the body after them."
            )
        )
    if body.startswith("<") and _HTML.search(body[:2000]):
        add(
            audit_finding(
                "paste.html",
                "error",
                f"This is a web page (HTML), not {possessive(venue.name)} JSON answer: a firewall, a proxy or a block "
                "page answered instead of the API.",
                "Run the command exactly as this page shows it, from the computer your bot runs on. If the page says "
                "access is blocked, requests from that address or region are refused.",
            )
        )
        return paste
    _parse_json(body, venue, paste, lists)
    return paste


def _parse_json(body: str, venue: Venue, paste: Paste, lists: bool) -> None:
    add = paste.findings.append
    hint = (
        "Paste the answer exactly as the command printed it. If it is an error message, the error lookup on this "
        "page explains it."
    )
    if not body.startswith(("{", "[", '"')):
        add(
            audit_finding(
                "paste.not_json",
                "error",
                f"This is not JSON: {possessive(venue.name)} answers start with an opening "
                f"{'brace or bracket' if lists else 'brace'}, this paste does not.",
                hint,
            )
        )
        return
    try:
        value, end = json.JSONDecoder().raw_decode(body)
    except json.JSONDecodeError as error:
        still_open = _unclosed(body)
        # An unterminated string is reported where it starts; anything else that stops short, at the very end.
        if still_open == "string" or (still_open == "object" and error.pos >= len(body) - 1):
            add(
                audit_finding(
                    "paste.truncated",
                    "error",
                    f"The answer stops before its JSON is complete ({len(body)} characters pasted, "
                    f"{'a text string' if still_open == 'string' else 'an object or a list'} still open at the end): "
                    "it was cut off while copying.",
                    f"Copy the whole answer again; it ends with a closing {'brace or bracket' if lists else 'brace'}.",
                )
            )
        else:
            add(
                audit_finding(
                    "paste.not_json", "error", f"This is not valid JSON: {error.msg} at position {error.pos}.", hint
                )
            )
        return
    except RecursionError:
        add(
            audit_finding("paste.not_json", "error", "This JSON is nested too deeply to be an answer of a venue.", hint)
        )
        return
    rest = body[end:].strip()
    if rest:
        add(
            audit_finding(
                "paste.trailing_text",
                "info",
                f"{plural(len(rest), 'character')} after the JSON (such as a shell prompt) "
                f"{'was' if len(rest) == 1 else 'were'} ignored.",
            )
        )
    if isinstance(value, str) and value.strip().startswith(("{", "[") if lists else "{"):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            pass
        else:
            add(
                audit_finding(
                    "paste.quoted_json",
                    "info",
                    "The answer was pasted as a quoted JSON string; the JSON in it was read.",
                )
            )
    if isinstance(value, list):
        # Kept either way: a list this venue never answers with may be another venue's answer.
        paste.value, paste.parsed = value, lists
        if not lists:
            add(not_object(value, venue))
        return
    if not isinstance(value, dict):
        add(not_object(value, venue, lists))
        return
    paste.value, paste.parsed = value, True
