"""The WebAssembly binary format: LEB128 numbers, a byte reader, sections and value types.

Only what the linker and the tests need: reading a module into its sections and writing one back.

Example:
    >>> encode_uleb(624485).hex()
    'e58e26'
    >>> decode_sleb(encode_sleb(-123456), 0)
    (-123456, 3)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAGIC = b"\x00asm"
VERSION = b"\x01\x00\x00\x00"

# Known section ids (the core specification's numbering).
SECTION_CUSTOM = 0
SECTION_TYPE = 1
SECTION_IMPORT = 2
SECTION_FUNCTION = 3
SECTION_TABLE = 4
SECTION_MEMORY = 5
SECTION_GLOBAL = 6
SECTION_EXPORT = 7
SECTION_START = 8
SECTION_ELEM = 9
SECTION_CODE = 10
SECTION_DATA = 11
SECTION_DATACOUNT = 12
SECTION_TAG = 13

SECTION_NAMES = {
    SECTION_CUSTOM: "custom", SECTION_TYPE: "TYPE", SECTION_IMPORT: "IMPORT", SECTION_FUNCTION: "FUNCTION",
    SECTION_TABLE: "TABLE", SECTION_MEMORY: "MEMORY", SECTION_GLOBAL: "GLOBAL", SECTION_EXPORT: "EXPORT",
    SECTION_START: "START", SECTION_ELEM: "ELEM", SECTION_CODE: "CODE", SECTION_DATA: "DATA",
    SECTION_DATACOUNT: "DATACOUNT", SECTION_TAG: "TAG",
}

# The order a module's non-custom sections must appear in (DATACOUNT sits before CODE, TAG after MEMORY).
SECTION_ORDER = [
    SECTION_TYPE, SECTION_IMPORT, SECTION_FUNCTION, SECTION_TABLE, SECTION_MEMORY, SECTION_TAG,
    SECTION_GLOBAL, SECTION_EXPORT, SECTION_START, SECTION_ELEM, SECTION_DATACOUNT, SECTION_CODE, SECTION_DATA,
]

# Value types.
I32 = 0x7F
I64 = 0x7E
F32 = 0x7D
F64 = 0x7C
V128 = 0x7B
FUNCREF = 0x70
EXTERNREF = 0x6F
VALTYPE_NAMES = {I32: "i32", I64: "i64", F32: "f32", F64: "f64", V128: "v128", FUNCREF: "funcref",
                 EXTERNREF: "externref"}

# Import/export kinds.
KIND_FUNCTION = 0
KIND_TABLE = 1
KIND_MEMORY = 2
KIND_GLOBAL = 3
KIND_TAG = 4

# Opcodes the linker writes itself.
OP_END = 0x0B
OP_CALL = 0x10
OP_I32_CONST = 0x41
OP_I64_CONST = 0x42
OP_F32_CONST = 0x43
OP_F64_CONST = 0x44
OP_GLOBAL_GET = 0x23
OP_REF_NULL = 0xD0
OP_REF_FUNC = 0xD2

PAGE_SIZE = 65536


class WasmFormatError(ValueError):
    """The bytes are not a well-formed WebAssembly module (or not one this linker can read)."""


# --- LEB128 ----------------------------------------------------------------------------------


def encode_uleb(value: int, width: int = 0) -> bytes:
    """Unsigned LEB128 of ``value``, padded with continuation bytes to ``width`` bytes if given.

    Example:
        >>> encode_uleb(3, width=5).hex()
        '8380808000'
    """
    if value < 0:
        raise ValueError(f"unsigned LEB128 cannot encode the negative value {value}")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            break
    return _pad(out, width, 0)


def encode_sleb(value: int, width: int = 0) -> bytes:
    """Signed LEB128 of ``value``, padded to ``width`` bytes if given.

    Example:
        >>> encode_sleb(-1).hex()
        '7f'
    """
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        done = (value == 0 and not byte & 0x40) or (value == -1 and byte & 0x40)
        if done:
            out.append(byte)
            break
        out.append(byte | 0x80)
    return _pad(out, width, 0x7F if value < 0 else 0)


def _pad(out: bytearray, width: int, fill: int) -> bytes:
    if width:
        if len(out) > width:
            raise ValueError(f"value needs {len(out)} LEB128 bytes, more than the {width} available")
        while len(out) < width:
            out[-1] |= 0x80
            out.append(fill)
        out[-1] &= 0x7F
    return bytes(out)


def decode_uleb(data: bytes, pos: int) -> tuple[int, int]:
    """Read an unsigned LEB128 at ``pos``; return ``(value, position after it)``.

    Example:
        >>> decode_uleb(bytes.fromhex('e58e26'), 0)
        (624485, 3)
    """
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WasmFormatError("LEB128 number runs past the end of the data")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos
        if shift > 70:
            raise WasmFormatError("LEB128 number is longer than 10 bytes")


def decode_sleb(data: bytes, pos: int) -> tuple[int, int]:
    """Read a signed LEB128 at ``pos``; return ``(value, position after it)``.

    Example:
        >>> decode_sleb(bytes.fromhex('7f'), 0)
        (-1, 1)
    """
    result = shift = 0
    while True:
        if pos >= len(data):
            raise WasmFormatError("LEB128 number runs past the end of the data")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            if byte & 0x40:
                result -= 1 << shift
            return result, pos
        if shift > 70:
            raise WasmFormatError("LEB128 number is longer than 10 bytes")


# --- reading ---------------------------------------------------------------------------------


class Reader:
    """A cursor over bytes with the binary format's primitive readers.

    Example:
        >>> r = Reader(b'\\x03abc\\x05')
        >>> r.name(), r.u32()
        ('abc', 5)
    """

    def __init__(self, data: bytes, pos: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = pos
        self.end = len(data) if end is None else end

    def at_end(self) -> bool:
        return self.pos >= self.end

    def byte(self) -> int:
        if self.pos >= self.end:
            raise WasmFormatError(f"unexpected end of data at byte {self.pos}")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def bytes(self, n: int) -> bytes:
        if self.pos + n > self.end:
            raise WasmFormatError(f"{n} bytes at {self.pos} run past the end of the data")
        value = self.data[self.pos:self.pos + n]
        self.pos += n
        return value

    def u32(self) -> int:
        value, self.pos = decode_uleb(self.data, self.pos)
        return value

    def s32(self) -> int:
        value, self.pos = decode_sleb(self.data, self.pos)
        return value

    def s64(self) -> int:
        return self.s32()

    def name(self) -> str:
        raw = self.bytes(self.u32())
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise WasmFormatError(f"a name is not valid UTF-8: {raw!r}") from exc

    def limits(self) -> tuple[int, int | None]:
        flags = self.byte()
        if flags & ~0x01:
            raise WasmFormatError(f"unsupported limits flags {flags:#x} (shared or 64-bit memories are not supported)")
        minimum = self.u32()
        maximum = self.u32() if flags & 1 else None
        return minimum, maximum

    def const_expr(self) -> bytes:
        """The bytes of a constant expression, up to and including its ``end``."""
        start = self.pos
        while True:
            op = self.byte()
            if op == OP_END:
                return self.data[start:self.pos]
            if op in (OP_I32_CONST, OP_I64_CONST):
                self.s32()
            elif op == OP_F32_CONST:
                self.bytes(4)
            elif op == OP_F64_CONST:
                self.bytes(8)
            elif op in (OP_GLOBAL_GET, OP_REF_FUNC):
                self.u32()
            elif op == OP_REF_NULL:
                self.byte()
            else:
                raise WasmFormatError(f"unsupported opcode {op:#x} in a constant expression at byte {self.pos - 1}")


@dataclass
class Section:
    """One section: its id, its name (custom sections), its payload and where the payload starts in the file."""

    id: int
    payload: bytes
    name: str = ""
    offset: int = 0

    @property
    def label(self) -> str:
        return self.name if self.id == SECTION_CUSTOM else SECTION_NAMES.get(self.id, f"section {self.id}")


def read_sections(data: bytes) -> list[Section]:
    """Split a module into its sections (custom sections' payload excludes their name).

    Example:
        >>> read_sections(MAGIC + VERSION + section(SECTION_TYPE, b'\\x00'))[0].label
        'TYPE'
    """
    if data[:4] != MAGIC:
        raise WasmFormatError("not a WebAssembly module: the file does not start with \\0asm")
    if data[4:8] != VERSION:
        raise WasmFormatError(f"unsupported WebAssembly version {data[4:8].hex()} (expected 01000000)")
    reader = Reader(data, 8)
    sections = []
    while not reader.at_end():
        sid = reader.byte()
        size = reader.u32()
        start = reader.pos
        if start + size > len(data):
            raise WasmFormatError(f"section {SECTION_NAMES.get(sid, sid)} at byte {start} runs past the end")
        name = ""
        payload_start = start
        if sid == SECTION_CUSTOM:
            sub = Reader(data, start, start + size)
            name = sub.name()
            payload_start = sub.pos
        sections.append(Section(sid, data[payload_start:start + size], name, payload_start))
        reader.pos = start + size
    return sections


# --- writing ---------------------------------------------------------------------------------


def encode_name(name: str) -> bytes:
    raw = name.encode("utf-8")
    return encode_uleb(len(raw)) + raw


def encode_vector(items: list[bytes]) -> bytes:
    return encode_uleb(len(items)) + b"".join(items)


def encode_limits(minimum: int, maximum: int | None) -> bytes:
    if maximum is None:
        return b"\x00" + encode_uleb(minimum)
    return b"\x01" + encode_uleb(minimum) + encode_uleb(maximum)


def section(sid: int, payload: bytes, name: str = "") -> bytes:
    """Encode one section (a custom one when ``name`` is given).

    Example:
        >>> section(SECTION_START, b'\\x00').hex()
        '080100'
    """
    if sid == SECTION_CUSTOM:
        payload = encode_name(name) + payload
    return bytes([sid]) + encode_uleb(len(payload)) + payload


def f64_bytes(value: float) -> bytes:
    return struct.pack("<d", value)
