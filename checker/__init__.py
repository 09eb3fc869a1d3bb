"""keyguide's credential checker: standard library only, no I/O, the same under CPython and Pyodide."""

from checker.browser import dispatch, handle, prepare_request
from checker.diagnose import diagnose_credentials
from checker.errors import ErrorMatch, SignatureComparison, compare_signature, extract_values, match_error
from checker.findings import Diagnosis, Finding, Severity, describe_char
from checker.formats import Violation, describe_format, format_violations, matches_format
from checker.rules import (
    MAX_LENGTH,
    CheckerInputError,
    Credential,
    ErrorEntry,
    Example,
    Format,
    Length,
    Request,
    Rules,
    RulesError,
    Signing,
    Venue,
    fill_request,
    load_rules,
    parse_request,
)
from checker.schemes import SCHEMES, Scheme, SignContext, Signed, Signer, format_timestamp, scheme_for
from checker.signing import SelfTest, SigningRefused, SignResult, run_selftest, sign_request, signatures_equal

__all__ = [
    "MAX_LENGTH",
    "SCHEMES",
    "CheckerInputError",
    "Credential",
    "Diagnosis",
    "ErrorEntry",
    "ErrorMatch",
    "Example",
    "Finding",
    "Format",
    "Length",
    "Request",
    "Rules",
    "RulesError",
    "Scheme",
    "SelfTest",
    "Severity",
    "SignContext",
    "SignResult",
    "Signed",
    "Signer",
    "SignatureComparison",
    "SigningRefused",
    "Signing",
    "Venue",
    "Violation",
    "compare_signature",
    "describe_char",
    "describe_format",
    "diagnose_credentials",
    "dispatch",
    "extract_values",
    "fill_request",
    "format_timestamp",
    "format_violations",
    "handle",
    "load_rules",
    "match_error",
    "matches_format",
    "parse_request",
    "prepare_request",
    "run_selftest",
    "scheme_for",
    "sign_request",
    "signatures_equal",
]
