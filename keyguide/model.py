"""The venue schema: one `Venue` per `venues/<id>.yaml`.

Declared once; the editor JSON Schema (`schema/venue.schema.json`) is generated from these models and the
checker receives the `credentials` and `signing` parts verbatim through `venues.json`. Every field carries a
description because the writers' page and the editor tooltips are generated from them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, PositiveInt, StringConstraints

from checker import vocab
from checker.audit import AUDITS
from checker.schemes import SCHEMES

AnchorId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80),
    Field(description="An explicit, stable anchor id: lowercase letters, digits and single hyphens."),
]
CredentialId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$"),
    Field(description="Credential field id, also the form field name: `api_key`, `api_secret`, `passphrase`."),
]
Text = Annotated[str, StringConstraints(min_length=1), Field(description="Non-empty Markdown text.")]
Url = Annotated[AnyHttpUrl, Field(description="An absolute http(s) URL.")]


def _one_of(vocabulary: Mapping[str, str]) -> Any:
    """A Literal of a vocabulary's values: the checker declares them, this model and the schema follow."""
    return Literal.__getitem__(tuple(vocabulary))


# Closed vocabularies, each declared once in the checker (checker.vocab, checker.schemes). Type checkers see
# plain strings; pydantic and the editor schema see the exact values.
if TYPE_CHECKING:
    Alphabet: TypeAlias = str
    Case: TypeAlias = str
    Compare: TypeAlias = str
    CredentialRole: TypeAlias = str
    NoticeKind: TypeAlias = str
    ErrorKind: TypeAlias = str
    PermissionState: TypeAlias = str
    UseKind: TypeAlias = str
    Product: TypeAlias = str
    SchemeId: TypeAlias = str
    AuditId: TypeAlias = str
    KeyKind: TypeAlias = str
else:
    Alphabet = _one_of(vocab.ALPHABETS)
    Case = _one_of(vocab.CASES)
    Compare = _one_of(vocab.COMPARES)
    CredentialRole = _one_of(vocab.CREDENTIAL_ROLES)
    NoticeKind = _one_of(vocab.NOTICE_KINDS)
    ErrorKind = _one_of(vocab.ERROR_KINDS)
    PermissionState = _one_of(vocab.PERMISSION_STATES)
    UseKind = _one_of(vocab.USE_KINDS)
    Product = _one_of(vocab.PRODUCTS)
    SchemeId = _one_of(SCHEMES)
    AuditId = _one_of(AUDITS)
    KeyKind = _one_of(vocab.KEY_KINDS)


class Strict(BaseModel):
    """Base for every venue model: unknown keys are errors, values are not coerced."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Fees(Strict):
    maker_pct: float = Field(ge=0, le=5, description="Maker fee in percent at the entry tier, e.g. 0.25.")
    taker_pct: float = Field(ge=0, le=5, description="Taker fee in percent at the entry tier, e.g. 0.40.")
    tier: str = Field(description="Which tier these fees are for, e.g. 'lowest 30-day volume tier'.")
    as_of: datetime.date = Field(description="Date the fees were read from the venue's fee page.")
    source: Url = Field(description="The venue's fee schedule page.")


class Leverage(Strict):
    max: str = Field(description="Highest leverage a retail account can get, as the venue states it, e.g. '5x'.")
    notes: str = Field(default="", description="Conditions: verification tier, region, product.")
    as_of: datetime.date = Field(description="Date the leverage figure was checked.")


class Support(Strict):
    supported: bool = Field(description="Whether the venue offers this.")
    notes: str = Field(default="", description="Details a reader needs: limits, formats, defaults.")


class QuickFacts(Strict):
    fees: Fees = Field(description="Entry-tier trading fees with their date and source.")
    leverage: Leverage | None = Field(
        default=None,
        description="Maximum leverage as a figure the venue publishes, with its date; omit it when the venue "
        "publishes no single figure (the guide then shows no leverage row).",
    )
    margin: Support = Field(description="Whether margin trading is available through this key.")
    ccxt_id: str = Field(pattern=r"^[a-z0-9]+$", description="The exchange id in CCXT, e.g. 'kraken'.")
    two_factor: Support = Field(description="Whether 2FA is needed to create a key, and how.")
    ip_allowlist: Support = Field(description="Whether a key can be restricted to IP addresses, and the format.")
    key_expiry: Support = Field(description="Whether keys expire or can be given an expiry date.")
    sub_accounts: Support = Field(description="Whether sub-accounts with their own keys exist.")


class Links(Strict):
    api_settings: Url = Field(description="The page where a user creates API keys.")
    docs: Url = Field(description="The venue's official API authentication documentation.")


class Step(Strict):
    id: AnchorId = Field(description="Anchor id of the step, unique within the venue.")
    title: Text = Field(description="Short imperative title, e.g. 'Open API settings'.")
    body: Text = Field(description="What to do, in Markdown. Name UI elements exactly as the venue shows them.")
    warning: str | None = Field(default=None, description="Optional warning shown under the step.")


class Permission(Strict):
    id: AnchorId = Field(description="Stable id of the permission, referenced by use cases and errors.")
    label: Text = Field(description="The permission's label exactly as the venue's UI shows it.")
    group: str = Field(default="", description="The UI group the checkbox sits in, if any.")
    why: Text = Field(description="What the permission allows, and why a use case needs it or none may.")
    withdraw: bool = Field(
        default=False,
        description="True when this permission can move funds off the account; no use case may tick it.",
    )
    never: bool = Field(
        default=False,
        description="True for a box no use case may tick (transfers, deposits, account changes); implied by withdraw.",
    )
    choice: str = Field(
        default="",
        description="For radio buttons: the label of the choice this option belongs to (e.g. 'API Key "
        "Permissions'). Options with the same choice exclude each other; a use case picks one.",
    )

    @property
    def forbidden(self) -> bool:
        """True when no use case may tick this box."""
        return self.withdraw or self.never


class UseCase(Strict):
    id: AnchorId = Field(description="Stable id of the use case; its checklist's anchor.")
    title: Text = Field(description="What the reader wants to do, e.g. 'Spot trading bot'.")
    kind: UseKind = Field(
        description="'trading' for a key that places orders, 'read_only' for one that must not; the key audit "
        "checks a pasted key against it."
    )
    required: list[AnchorId] = Field(
        min_length=1, description="Ids of the permissions this use case must tick (or choose)."
    )
    optional: list[AnchorId] = Field(
        default_factory=list, description="Ids of permissions this use case may tick, each explained in notes."
    )
    notes: str = Field(default="", description="Anything specific to this use case.")

    def state(self, permission: Permission) -> str:
        """How the box is set for this use case: a key of checker.vocab.PERMISSION_STATES."""
        if permission.forbidden:
            return "never"
        if permission.id in self.required:
            return "required"
        return "optional" if permission.id in self.optional else "off"


class LengthRange(Strict):
    min: int = Field(ge=1, description="Fewest characters a valid value has.")
    max: int = Field(ge=1, description="Most characters a valid value has.")


class CredentialFormat(Strict):
    alphabet: Alphabet = Field(description="Characters a valid value is made of.")
    length: LengthRange | None = Field(default=None, description="Length in characters, when known.")
    decoded_bytes: int | None = Field(
        default=None, ge=1, description="Length in bytes after base64 or hex decoding, when known."
    )
    prefix: str | None = Field(default=None, description="A fixed prefix every value starts with, if any.")
    case: Case = Field(default="any", description="Letter case a valid value has; 'mixed' means both cases occur.")
    observed: bool = Field(
        default=True,
        description="True when the rule is measured from the venue's published examples, not documented.",
    )
    key: KeyKind | None = Field(
        default=None,
        description="For a private key credential, the kind of key it holds. Required with alphabet 'pem'; "
        "allowed with 'base64' (raw key bytes); refused with any other alphabet.",
    )
    key_bits: list[PositiveInt] = Field(
        default_factory=list,
        description="For key 'rsa' only: the key sizes in bits the venue accepts, e.g. [2048, 4096]; empty for any.",
    )


class Credential(Strict):
    id: CredentialId
    label: Text = Field(description="The field's name as the venue shows it, e.g. 'Private Key'.")
    role: CredentialRole = Field(
        description="What the value does: 'key' identifies the key, 'secret' signs requests, 'passphrase' is "
        "the secret the reader chose. Secret roles never appear in any output."
    )
    required: bool = Field(default=True, description="False for optional credentials such as a key's own 2FA.")
    format: CredentialFormat = Field(description="Format rules the checker applies to a pasted value.")
    samples: list[str] = Field(
        default_factory=list,
        description="Sample values printed in the venue's docs, other than the signing example's (the checker "
        "flags those without a copy here); the checker flags them as placeholders.",
    )

    @property
    def secret(self) -> bool:
        """True for values that sign or unlock requests and must never be shared (they follow the role)."""
        return self.role in vocab.SECRET_ROLES


class SignRequest(Strict):
    method: Literal["GET", "POST", "PUT", "DELETE"] = Field(description="HTTP method.")
    path: str = Field(pattern=r"^/", description="Request path as sent, starting with '/'.")
    query: str = Field(default="", description="URL-encoded query string without '?', or ''.")
    body: str = Field(default="", description="Request body exactly as sent, or ''.")
    nonce: str | None = Field(default=None, description="Nonce, for venues that sign one.")
    timestamp: str | None = Field(default=None, description="Timestamp as the venue expects it.")
    recv_window: str | None = Field(default=None, description="Receive window in ms, for venues that sign it.")


class SigningExample(Strict):
    official: bool = Field(description="True for the venue's own published example; false for a computed one.")
    source_url: Url = Field(description="Where the example (or the algorithm, if computed) is published.")
    note: str = Field(default="", description="What the example is and how it was obtained.")
    credentials: dict[CredentialId, str] = Field(description="Credential values the example uses.")
    request: SignRequest = Field(description="The request the example signs.")
    signature: Text = Field(description="The published (or computed) signature.")
    prehash: str | None = Field(default=None, description="The published string that was signed, if given.")
    compare: Compare = Field(
        default="exact", description="'hex-ci' when the venue accepts hex signatures in either case."
    )


class Signing(Strict):
    scheme: SchemeId = Field(
        description="Signing scheme id implemented by the checker; its formula, signed fields, secret decoding "
        "and timestamp format come from the checker's scheme registry."
    )
    base_url: Url = Field(description="REST base URL the test request goes to.")
    params: dict[str, str] = Field(default_factory=dict, description="Scheme-specific settings.")
    test_request: SignRequest = Field(
        description="A harmless read-only request the checker signs for the reader (e.g. balance)."
    )
    example: SigningExample = Field(description="The venue's published signature example; the build reproduces it.")


class KeyType(Strict):
    """One kind of key a venue issues, when it issues more than one (Binance: HMAC, Ed25519, RSA).

    The venue's own `credentials` and `signing` are one key type (the entry that declares neither `scheme` nor
    `credentials`); every other entry states only what differs.
    """

    id: AnchorId = Field(
        description="Stable id, unique within the venue: what the checker page sends as `key_type`, and the "
        "guide's anchor `key-type-<id>`."
    )
    label: Text = Field(
        description="The reader-facing name, e.g. 'Ed25519 key (recommended)'. List the kind the venue "
        "recommends first."
    )
    scheme: SchemeId | None = Field(
        default=None, description="Signing scheme of this key type; leave it out for the venue's signing.scheme."
    )
    credentials: list[Credential] | None = Field(
        default=None,
        description="The values the venue issues for this key type (same rules as the venue's credentials); "
        "leave it out for the venue's own credentials.",
    )
    example: SigningExample | None = Field(
        default=None,
        description="This key type's signing example, which the build reproduces. Only on a key type with its "
        "own scheme or credentials (the venue's signing.example is the other one's); none on a retired one.",
    )
    retired: Text | None = Field(
        default=None,
        description="For a key type the venue no longer accepts: one sentence for the reader saying so and what "
        "to use instead. The checker recognises such credentials, shows this sentence and never signs with them.",
    )

    @property
    def own_declaration(self) -> bool:
        """True for the entry that is the venue's own credentials and signing scheme."""
        return self.scheme is None and self.credentials is None


class KeyInfo(Strict):
    """The venue's key-information endpoint: a signed request that answers what the signing key may do."""

    audit: AuditId | None = Field(
        default=None,
        description="Id of the checker's reader for this venue's answer (checker/audit.py), which says whether "
        "the key can withdraw or transfer, is bound to IP addresses, expires, trades or only reads. Leave it "
        "out while the checker has no reader for this venue: the guide then tells the reader what to look for.",
    )
    request: SignRequest = Field(description="The signed request to send; placeholders as in test_request.")
    base_url: Url | None = Field(
        default=None, description="Where to send it, when not the signing base_url (another service host)."
    )
    unbound_ip: str = Field(
        default="",
        description="What the venue does to a key with no IP addresses bound (e.g. deletes it after 14 days "
        "unused), in Markdown; shown with the audit's warning.",
    )
    revoke: Text = Field(description="How to delete a key at once, in Markdown: where to click on the venue.")


class Pitfall(Strict):
    id: AnchorId = Field(description="Anchor id of the pitfall.")
    title: Text = Field(description="The pitfall in a few words.")
    body: Text = Field(description="What goes wrong and how to avoid it.")


class ErrorEntry(Strict):
    code: Text = Field(description="The exact code or message string the venue returns, e.g. 'EAPI:Invalid nonce'.")
    id: AnchorId = Field(description="Explicit anchor id of the troubleshooting entry, e.g. 'eapi-invalid-nonce'.")
    kind: ErrorKind = Field(description="Category, used by the checker and the error index.")
    message: str = Field(default="", description="The venue's message text, when the code is numeric.")
    aliases: list[str] = Field(
        default_factory=list, description="Other strings that identify this error (names, message variants)."
    )
    cause: Text = Field(description="Why it happens.")
    fix: Text = Field(description="What to do about it.")
    permission: AnchorId | None = Field(default=None, description="Id of the permission this error relates to.")


class Faq(Strict):
    id: AnchorId = Field(description="Anchor id of the question.")
    question: Text = Field(description="The question as a reader asks it.")
    answer: Text = Field(description="The answer, in Markdown.")


class Source(Strict):
    title: Text = Field(description="What the source is.")
    url: Url = Field(description="Where it is.")
    read_on: datetime.date = Field(description="The date a writer last read this source to check the guide.")
    note: str = Field(
        default="",
        description="Which facts on the guide this source supports, and how sure they are (e.g. 'a third-party "
        "SDK quoting the venue'). Provenance belongs here, never in the reader's text.",
    )


class Notice(Strict):
    """A fact with a date: a deprecation, a retired environment, a rule that takes effect."""

    id: AnchorId = Field(description="Anchor id of the notice, unique within the venue.")
    kind: NoticeKind = Field(description="What the notice announces.")
    effective: datetime.date = Field(description="The date it takes (or took) effect.")
    title: Text = Field(description="The notice in a few words, e.g. 'Derivatives REST API switched off'.")
    text: Text = Field(description="What changes for the reader and what to do, in Markdown.")
    source: Url = Field(description="The venue's own announcement or documentation of it.")


class Venue(Strict):
    """One exchange venue with its own API keys (Kraken Spot and Kraken Futures are two venues)."""

    id: AnchorId = Field(description="Venue id; must equal the file name stem and is the URL slug.")
    name: Text = Field(description="Display name, e.g. 'Kraken Spot'.")
    exchange: Text = Field(description="The company, e.g. 'Kraken'.")
    products: list[Product] = Field(min_length=1, description="Products this key trades.")
    summary: Text = Field(description="One-paragraph introduction shown at the top of the guide.")
    notices: list[Notice] = Field(
        default_factory=list,
        description="Dated notices shown as banners at the top of the guide. The build fails once a notice's date "
        "has passed: update the guide for the change, then move the notice to notice_history.",
    )
    notice_history: list[Notice] = Field(
        default_factory=list,
        description="Notices whose date has passed and whose change the guide now describes; listed under Sources.",
    )
    region_notes: Text = Field(description="Where the venue is available and who is restricted.")
    quick_facts: QuickFacts = Field(description="The facts card at the top of the guide.")
    links: Links = Field(description="Official pages the guide links to.")
    prerequisites: list[Text] = Field(min_length=1, description="What the reader needs before starting.")
    steps: list[Step] = Field(min_length=1, description="Ordered steps to create the key.")
    permissions: list[Permission] = Field(min_length=1, description="Every permission box of the key form.")
    use_cases: list[UseCase] = Field(min_length=1, description="Typical uses and the permissions each needs.")
    ip_allowlist_advice: Text = Field(description="How to restrict the key to the bot's IP addresses.")
    credentials: list[Credential] = Field(min_length=1, description="Each value the venue issues for a key.")
    signing: Signing = Field(description="How requests are signed, with the venue's published example.")
    key_types: list[KeyType] = Field(
        default_factory=list,
        description="For a venue that issues several kinds of key: each kind, the venue's own credentials and "
        "signing being one of them (an entry without scheme and credentials). Leave it out for one kind of key.",
    )
    key_info: KeyInfo | None = Field(
        default=None,
        description="The venue's key-information endpoint for the key audit; leave it out when the venue has "
        "none (the guide then says so).",
    )
    security_tips: list[Text] = Field(min_length=1, description="Venue-specific security advice.")
    pitfalls: list[Pitfall] = Field(default_factory=list, description="Common mistakes.")
    errors: list[ErrorEntry] = Field(min_length=1, description="Troubleshooting entries, one per error code.")
    faq: list[Faq] = Field(default_factory=list, description="Frequently asked questions.")
    sources: list[Source] = Field(min_length=1, description="Where the facts on this page come from.")
    anchor_aliases: dict[AnchorId, AnchorId] = Field(
        default_factory=dict,
        description="Former anchor ids mapped to the live id they moved to; old support links still land there.",
    )
    last_verified: datetime.date = Field(description="Date a writer last checked the steps against the venue.")
