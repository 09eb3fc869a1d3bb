"""A strict reader of DER (the binary encoding inside a PEM key), enough to name what a key file holds.

The diagnosis must say where a damaged key stops making sense, and it must do so for every venue without
loading a cryptography package; so key files are read here, with the standard library. This reads structure
only (tags, lengths, integers, object identifiers); it does no arithmetic on keys.
"""

from __future__ import annotations

from dataclasses import dataclass

SEQUENCE = 0x30
INTEGER = 0x02
BIT_STRING = 0x03
OCTET_STRING = 0x04
NULL = 0x05
OBJECT_IDENTIFIER = 0x06
# Context-specific tags of the optional fields in key structures: [0] and [1], constructed or not.
CONTEXT_0 = 0xA0
CONTEXT_1 = 0xA1
CONTEXT_0_PRIMITIVE = 0x80
CONTEXT_1_PRIMITIVE = 0x81

_TAG_NAMES = {
    SEQUENCE: "a SEQUENCE",
    INTEGER: "an INTEGER",
    BIT_STRING: "a BIT STRING",
    OCTET_STRING: "an OCTET STRING",
    NULL: "a NULL",
    OBJECT_IDENTIFIER: "an OBJECT IDENTIFIER",
}


class DerError(ValueError):
    """The bytes are not the DER structure expected; `offset` is the byte where reading stopped."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(f"at byte {offset}: {message}")
        self.offset = offset
        self.reason = message


def tag_name(tag: int) -> str:
    return _TAG_NAMES.get(tag, f"tag 0x{tag:02X}")


@dataclass(frozen=True)
class Element:
    """One DER element: its tag, where it starts in the whole input, and its content bytes."""

    tag: int
    offset: int
    content: bytes
    content_offset: int

    def children(self) -> list[Element]:
        """The elements inside a constructed element (a SEQUENCE, or an explicit [0]/[1])."""
        return read_all(self.content, self.content_offset)

    def integer(self) -> int:
        if self.tag != INTEGER:
            raise DerError(self.offset, f"expected an INTEGER, found {tag_name(self.tag)}")
        if not self.content:
            raise DerError(self.offset, "an INTEGER with no bytes")
        return int.from_bytes(self.content, "big", signed=True)

    def octets(self) -> bytes:
        if self.tag != OCTET_STRING:
            raise DerError(self.offset, f"expected an OCTET STRING, found {tag_name(self.tag)}")
        return self.content

    def bits(self) -> bytes:
        """A BIT STRING's bytes (key structures only use whole bytes: the unused-bit count must be 0)."""
        if self.tag not in (BIT_STRING, CONTEXT_1_PRIMITIVE) or not self.content or self.content[0] != 0:
            raise DerError(self.offset, "expected a BIT STRING of whole bytes")
        return self.content[1:]

    def oid(self) -> str:
        """The dotted form of an OBJECT IDENTIFIER, e.g. `1.3.101.112`."""
        if self.tag != OBJECT_IDENTIFIER or not self.content:
            raise DerError(self.offset, f"expected an OBJECT IDENTIFIER, found {tag_name(self.tag)}")
        arcs: list[int] = []
        value = 0
        for index, byte in enumerate(self.content):
            if value == 0 and byte == 0x80:
                raise DerError(self.content_offset + index, "an OBJECT IDENTIFIER arc with a leading zero")
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        if self.content[-1] & 0x80:
            raise DerError(self.offset, "an OBJECT IDENTIFIER that stops in the middle of an arc")
        first = min(arcs[0] // 40, 2)
        return ".".join(str(arc) for arc in [first, arcs[0] - 40 * first, *arcs[1:]])


def read_element(data: bytes, position: int = 0, base: int = 0) -> tuple[Element, int]:
    """The element starting at `position` of `data`, and the position after it. `base` shifts reported offsets."""
    start = position
    if position >= len(data):
        raise DerError(base + position, "the data ends where an element should start")
    tag = data[position]
    if tag & 0x1F == 0x1F:
        raise DerError(base + position, "a multi-byte tag, which no key structure uses")
    position += 1
    if position >= len(data):
        raise DerError(base + position, "the data ends before the element's length")
    length = data[position]
    position += 1
    if length & 0x80:
        count = length & 0x7F
        if count == 0:
            raise DerError(base + start, "an indefinite length, which DER does not allow")
        if count > 4 or position + count > len(data):
            raise DerError(base + position, "a length that runs past the end of the data")
        length = int.from_bytes(data[position : position + count], "big")
        if length < 0x80 or data[position] == 0:
            raise DerError(base + position, "a length written in more bytes than needed, which DER does not allow")
        position += count
    end = position + length
    if end > len(data):
        raise DerError(
            base + start,
            f"{tag_name(tag)} says it is {length} bytes long, but only {len(data) - position} bytes follow "
            "(the key is cut short)",
        )
    return Element(tag, base + start, data[position:end], base + position), end


def read_all(data: bytes, base: int = 0) -> list[Element]:
    """Every element in `data`, one after another."""
    elements: list[Element] = []
    position = 0
    while position < len(data):
        element, position = read_element(data, position, base)
        elements.append(element)
    return elements


def read_one(data: bytes) -> Element:
    """The single element `data` must consist of; bytes after it are an error."""
    element, end = read_element(data)
    if end != len(data):
        raise DerError(end, f"{len(data) - end} bytes follow the end of the key structure")
    return element
