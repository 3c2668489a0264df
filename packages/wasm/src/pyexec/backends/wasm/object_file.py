"""Reading LLVM's relocatable wasm objects: sections, the ``linking`` section and ``reloc.*`` sections.

The format is WebAssembly tool-conventions' ``Linking.md`` (linking metadata version 2).

Example:
    >>> obj = read_object(emit_object_bytes)          # doctest: +SKIP
    >>> [s.name for s in obj.symbols if s.kind == SYMTAB_FUNCTION]   # doctest: +SKIP
    ['add', 'fmod']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyexec.backends.wasm.wasm_binary import (
    KIND_FUNCTION,
    KIND_GLOBAL,
    KIND_MEMORY,
    KIND_TABLE,
    KIND_TAG,
    SECTION_CODE,
    SECTION_CUSTOM,
    SECTION_DATA,
    SECTION_DATACOUNT,
    SECTION_ELEM,
    SECTION_EXPORT,
    SECTION_FUNCTION,
    SECTION_GLOBAL,
    SECTION_IMPORT,
    SECTION_MEMORY,
    SECTION_START,
    SECTION_TABLE,
    SECTION_TAG,
    SECTION_TYPE,
    Reader,
    Section,
    WasmFormatError,
    read_sections,
)

# linking subsections
WASM_SEGMENT_INFO = 5
WASM_INIT_FUNCS = 6
WASM_COMDAT_INFO = 7
WASM_SYMBOL_TABLE = 8

# symbol kinds
SYMTAB_FUNCTION = 0
SYMTAB_DATA = 1
SYMTAB_GLOBAL = 2
SYMTAB_SECTION = 3
SYMTAB_TAG = 4
SYMTAB_TABLE = 5
SYMTAB_KIND_NAMES = {SYMTAB_FUNCTION: "function", SYMTAB_DATA: "data", SYMTAB_GLOBAL: "global",
                     SYMTAB_SECTION: "section", SYMTAB_TAG: "tag", SYMTAB_TABLE: "table"}

# symbol flags
WASM_SYM_BINDING_WEAK = 0x01
WASM_SYM_BINDING_LOCAL = 0x02
WASM_SYM_VISIBILITY_HIDDEN = 0x04
WASM_SYM_UNDEFINED = 0x10
WASM_SYM_EXPORTED = 0x20
WASM_SYM_EXPLICIT_NAME = 0x40
WASM_SYM_NO_STRIP = 0x80
WASM_SYM_TLS = 0x100
WASM_SYM_ABSOLUTE = 0x200

# Relocation types: number -> (name, bytes rewritten, encoding, has addend).
# encoding: "uleb"/"sleb" are padded LEB128 of that width, "u32"/"u64" little-endian fixed width.
RELOCATION_TYPES: dict[int, tuple[str, int, str, bool]] = {
    0: ("R_WASM_FUNCTION_INDEX_LEB", 5, "uleb", False),
    1: ("R_WASM_TABLE_INDEX_SLEB", 5, "sleb", False),
    2: ("R_WASM_TABLE_INDEX_I32", 4, "u32", False),
    3: ("R_WASM_MEMORY_ADDR_LEB", 5, "uleb", True),
    4: ("R_WASM_MEMORY_ADDR_SLEB", 5, "sleb", True),
    5: ("R_WASM_MEMORY_ADDR_I32", 4, "u32", True),
    6: ("R_WASM_TYPE_INDEX_LEB", 5, "uleb", False),
    7: ("R_WASM_GLOBAL_INDEX_LEB", 5, "uleb", False),
    8: ("R_WASM_FUNCTION_OFFSET_I32", 4, "u32", True),
    9: ("R_WASM_SECTION_OFFSET_I32", 4, "u32", True),
    10: ("R_WASM_TAG_INDEX_LEB", 5, "uleb", False),
    11: ("R_WASM_MEMORY_ADDR_REL_SLEB", 5, "sleb", True),
    12: ("R_WASM_TABLE_INDEX_REL_SLEB", 5, "sleb", False),
    13: ("R_WASM_GLOBAL_INDEX_I32", 4, "u32", False),
    14: ("R_WASM_MEMORY_ADDR_LEB64", 10, "uleb", True),
    15: ("R_WASM_MEMORY_ADDR_SLEB64", 10, "sleb", True),
    16: ("R_WASM_MEMORY_ADDR_I64", 8, "u64", True),
    17: ("R_WASM_MEMORY_ADDR_REL_SLEB64", 10, "sleb", True),
    18: ("R_WASM_TABLE_INDEX_SLEB64", 10, "sleb", False),
    19: ("R_WASM_TABLE_INDEX_I64", 8, "u64", False),
    20: ("R_WASM_TABLE_NUMBER_LEB", 5, "uleb", False),
    21: ("R_WASM_MEMORY_ADDR_TLS_SLEB", 5, "sleb", True),
    22: ("R_WASM_FUNCTION_OFFSET_I64", 8, "u64", True),
    23: ("R_WASM_MEMORY_ADDR_LOCREL_I32", 4, "u32", True),
    24: ("R_WASM_TABLE_INDEX_REL_SLEB64", 10, "sleb", False),
    25: ("R_WASM_MEMORY_ADDR_TLS_SLEB64", 10, "sleb", True),
    26: ("R_WASM_FUNCTION_INDEX_I32", 4, "u32", False),
}


class ObjectFormatError(WasmFormatError):
    """The object is not a relocatable wasm object this linker understands."""


@dataclass
class Import:
    module: str
    name: str
    kind: int
    desc: object  # function: type index; global: (valtype, mutable); table/memory: limits tuple


@dataclass
class Symbol:
    index: int  # position in the symbol table
    kind: int
    flags: int
    name: str
    element: int = -1  # function/global/table/tag index, data segment index, or section index
    offset: int = 0  # data symbols: offset in the segment
    size: int = 0  # data symbols: size

    @property
    def undefined(self) -> bool:
        return bool(self.flags & WASM_SYM_UNDEFINED)

    @property
    def local(self) -> bool:
        return bool(self.flags & WASM_SYM_BINDING_LOCAL)


@dataclass
class Relocation:
    type: int
    offset: int  # relative to the target section's payload
    symbol: int  # symbol index (type index for R_WASM_TYPE_INDEX_LEB)
    addend: int = 0

    @property
    def type_name(self) -> str:
        return RELOCATION_TYPES[self.type][0]

    @property
    def width(self) -> int:
        return RELOCATION_TYPES[self.type][1]


@dataclass
class FunctionBody:
    start: int  # offset of the body (after its size) in the CODE payload
    end: int


@dataclass
class DataSegment:
    content_start: int  # offset of the segment's bytes in the DATA payload
    content: bytes
    name: str = ""
    alignment: int = 0  # log2
    flags: int = 0


@dataclass
class ObjectFile:
    """A parsed relocatable object."""

    sections: list[Section]
    types: list[tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    function_types: list[int] = field(default_factory=list)  # type of each defined function
    globals: list[tuple[int, bool, bytes]] = field(default_factory=list)  # (valtype, mutable, init expr)
    code_section: int = -1  # index in sections
    data_section: int = -1
    global_section: int = -1
    bodies: list[FunctionBody] = field(default_factory=list)
    segments: list[DataSegment] = field(default_factory=list)
    symbols: list[Symbol] = field(default_factory=list)
    init_funcs: list[tuple[int, int]] = field(default_factory=list)  # (priority, symbol index)
    relocations: dict[int, list[Relocation]] = field(default_factory=dict)  # section index -> relocations

    def imported(self, kind: int) -> list[Import]:
        return [imp for imp in self.imports if imp.kind == kind]

    def code(self) -> bytes:
        return self.sections[self.code_section].payload if self.code_section >= 0 else b""


def read_object(data: bytes) -> ObjectFile:
    """Parse a relocatable wasm object (as ``llvmlite``'s ``emit_object`` for wasm32 produces).

    Example:
        >>> read_object(b'not wasm')
        Traceback (most recent call last):
        ...
        pyexec.backends.wasm.wasm_binary.WasmFormatError: not a WebAssembly module: the file does not start with \\0asm
    """
    sections = read_sections(data)
    obj = ObjectFile(sections)
    readers = {
        SECTION_TYPE: _read_types, SECTION_IMPORT: _read_imports, SECTION_FUNCTION: _read_functions,
        SECTION_GLOBAL: _read_globals, SECTION_CODE: _read_code, SECTION_DATA: _read_data,
    }
    ignored = {SECTION_ELEM, SECTION_DATACOUNT, SECTION_TABLE, SECTION_MEMORY, SECTION_EXPORT}
    linking = None
    for index, sec in enumerate(sections):
        if sec.id in readers:
            readers[sec.id](obj, index, Reader(sec.payload))
        elif sec.id in (SECTION_START, SECTION_TAG):
            raise ObjectFormatError(f"the object has a {sec.label} section, which pyexec's linker does not support")
        elif sec.id == SECTION_CUSTOM and sec.name == "linking":
            linking = sec
        elif sec.id not in ignored and sec.id != SECTION_CUSTOM:
            raise ObjectFormatError(f"unknown section id {sec.id} in the object")
    if linking is None:
        raise ObjectFormatError("not a relocatable wasm object: it has no 'linking' section")
    _read_linking(obj, Reader(linking.payload))
    for sec in sections:
        if sec.id == SECTION_CUSTOM and sec.name.startswith("reloc."):
            _read_relocations(obj, Reader(sec.payload), sec.name)
    return obj


def _read_valtypes(r: Reader) -> tuple[int, ...]:
    return tuple(r.byte() for _ in range(r.u32()))


def _read_types(obj: ObjectFile, index: int, r: Reader) -> None:
    for _ in range(r.u32()):
        form = r.byte()
        if form != 0x60:
            raise ObjectFormatError(f"unsupported type form {form:#x} (only function types are supported)")
        params = _read_valtypes(r)
        results = _read_valtypes(r)
        obj.types.append((params, results))


def _read_imports(obj: ObjectFile, index: int, r: Reader) -> None:
    for _ in range(r.u32()):
        module, name, kind = r.name(), r.name(), r.byte()
        desc: object
        if kind == KIND_FUNCTION:
            desc = r.u32()
        elif kind == KIND_TABLE:
            desc = (r.byte(), r.limits())
        elif kind == KIND_MEMORY:
            desc = r.limits()
        elif kind == KIND_GLOBAL:
            desc = (r.byte(), bool(r.byte()))
        elif kind == KIND_TAG:
            desc = (r.byte(), r.u32())
        else:
            raise ObjectFormatError(f"unknown import kind {kind} for {module}.{name}")
        obj.imports.append(Import(module, name, kind, desc))


def _read_functions(obj: ObjectFile, index: int, r: Reader) -> None:
    obj.function_types = [r.u32() for _ in range(r.u32())]


def _read_globals(obj: ObjectFile, index: int, r: Reader) -> None:
    obj.global_section = index
    for _ in range(r.u32()):
        valtype, mutable = r.byte(), bool(r.byte())
        obj.globals.append((valtype, mutable, r.const_expr()))


def _read_code(obj: ObjectFile, index: int, r: Reader) -> None:
    obj.code_section = index
    for _ in range(r.u32()):
        size = r.u32()
        obj.bodies.append(FunctionBody(r.pos, r.pos + size))
        r.pos += size
    if len(obj.bodies) != len(obj.function_types):
        raise ObjectFormatError(
            f"the CODE section has {len(obj.bodies)} bodies but FUNCTION declares {len(obj.function_types)}")


def _read_data(obj: ObjectFile, index: int, r: Reader) -> None:
    obj.data_section = index
    for _ in range(r.u32()):
        flags = r.u32()
        if flags == 0:
            r.const_expr()
        elif flags == 2:
            r.u32()
            r.const_expr()
        elif flags != 1:
            raise ObjectFormatError(f"unknown data segment flags {flags}")
        size = r.u32()
        start = r.pos
        obj.segments.append(DataSegment(start, r.bytes(size)))


def _read_linking(obj: ObjectFile, r: Reader) -> None:
    version = r.u32()
    if version != 2:
        raise ObjectFormatError(f"linking metadata version {version} is not supported (this linker reads version 2)")
    while not r.at_end():
        kind = r.byte()
        size = r.u32()
        sub = Reader(r.data, r.pos, r.pos + size)
        r.pos += size
        if kind == WASM_SYMBOL_TABLE:
            _read_symbol_table(obj, sub)
        elif kind == WASM_SEGMENT_INFO:
            count = sub.u32()
            if count != len(obj.segments):
                raise ObjectFormatError(
                    f"segment info lists {count} segments, the DATA section has {len(obj.segments)}")
            for seg in obj.segments:
                seg.name, seg.alignment, seg.flags = sub.name(), sub.u32(), sub.u32()
        elif kind == WASM_INIT_FUNCS:
            obj.init_funcs = [(sub.u32(), sub.u32()) for _ in range(sub.u32())]
        elif kind == WASM_COMDAT_INFO:
            # A single object needs no COMDAT deduplication: every group's members are simply kept.
            continue
        else:
            raise ObjectFormatError(f"unknown linking subsection type {kind}")


def _read_symbol_table(obj: ObjectFile, r: Reader) -> None:
    imported = {kind: obj.imported(kind) for kind in (KIND_FUNCTION, KIND_GLOBAL, KIND_TABLE, KIND_TAG)}
    kind_to_import = {SYMTAB_FUNCTION: KIND_FUNCTION, SYMTAB_GLOBAL: KIND_GLOBAL, SYMTAB_TABLE: KIND_TABLE,
                      SYMTAB_TAG: KIND_TAG}
    for position in range(r.u32()):
        kind = r.byte()
        flags = r.u32()
        sym = Symbol(position, kind, flags, "")
        if kind in kind_to_import:
            sym.element = r.u32()
            if not sym.undefined or flags & WASM_SYM_EXPLICIT_NAME:
                sym.name = r.name()
            else:
                imports = imported[kind_to_import[kind]]
                if sym.element >= len(imports):
                    raise ObjectFormatError(f"symbol {position} refers to a missing import {sym.element}")
                sym.name = imports[sym.element].name
        elif kind == SYMTAB_DATA:
            sym.name = r.name()
            if not sym.undefined:
                sym.element, sym.offset, sym.size = r.u32(), r.u32(), r.u32()
        elif kind == SYMTAB_SECTION:
            sym.element = r.u32()
        else:
            raise ObjectFormatError(f"unknown symbol kind {kind} at symbol {position}")
        obj.symbols.append(sym)


def _read_relocations(obj: ObjectFile, r: Reader, name: str) -> None:
    target = r.u32()
    if target >= len(obj.sections):
        raise ObjectFormatError(f"{name} targets section {target}, which does not exist")
    entries = obj.relocations.setdefault(target, [])
    for _ in range(r.u32()):
        rtype = r.byte()
        if rtype not in RELOCATION_TYPES:
            raise ObjectFormatError(
                f"unknown relocation type {rtype} in {name}; pyexec's linker knows types 0-{max(RELOCATION_TYPES)} "
                "of tool-conventions' Linking.md")
        offset, index = r.u32(), r.u32()
        addend = r.s32() if RELOCATION_TYPES[rtype][3] else 0
        entries.append(Relocation(rtype, offset, index, addend))
    entries.sort(key=lambda rel: rel.offset)
