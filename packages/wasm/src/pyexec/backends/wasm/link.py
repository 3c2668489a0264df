"""pyexec's wasm linker: one LLVM relocatable wasm32 object in, one runnable module out.

No wasm-ld, emscripten or other toolchain is needed. The linker reads the object's ``linking`` and
``reloc.*`` sections (WebAssembly tool-conventions' ``Linking.md``), keeps only what the exported
functions reach, numbers functions, globals, types and table slots afresh, lays out memory (the stack
first, growing down from ``stack_size``, then the data segments; no stack region when no code
uses ``__stack_pointer``), applies every relocation (re-encoding
LEB128 immediates at their shortest, so the output is smaller than the object), defines and exports the
memory, defines ``__stack_pointer`` when code uses the stack, and turns undefined functions into imports
from module ``env``
that the host provides (the JS glue and the Python loader provide libm and pyexec's runtime functions).

Example:
    >>> wasm = link(obj_bytes, {"add": "add"})      # doctest: +SKIP
    >>> wasmtime.Module.validate(engine, wasm)      # doctest: +SKIP
"""

from __future__ import annotations

import struct
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from pyexec.backends.wasm.object_file import (
    RELOCATION_TYPES,
    SYMTAB_DATA,
    SYMTAB_FUNCTION,
    SYMTAB_GLOBAL,
    SYMTAB_KIND_NAMES,
    SYMTAB_TABLE,
    WASM_SYM_NO_STRIP,
    DataSegment,
    ObjectFile,
    Relocation,
    Symbol,
    read_object,
)
from pyexec.backends.wasm.wasm_binary import (
    FUNCREF,
    I32,
    KIND_FUNCTION,
    KIND_GLOBAL,
    KIND_MEMORY,
    MAGIC,
    OP_CALL,
    OP_END,
    OP_I32_CONST,
    PAGE_SIZE,
    SECTION_CODE,
    SECTION_CUSTOM,
    SECTION_DATA,
    SECTION_ELEM,
    SECTION_EXPORT,
    SECTION_FUNCTION,
    SECTION_GLOBAL,
    SECTION_IMPORT,
    SECTION_MEMORY,
    SECTION_START,
    SECTION_TABLE,
    SECTION_TYPE,
    VERSION,
    encode_limits,
    encode_name,
    encode_sleb,
    encode_uleb,
    encode_vector,
    section,
)

DEFAULT_STACK_SIZE = 65536
"""Bytes of linear memory below the data, for the stack (which grows down towards address 0)."""

NO_STACK_DATA_BASE = 16
"""Where the data starts when no code uses the stack (addresses below it stay unused, 0 is never valid data)."""

STACK_POINTER_EXPORT = "__stack_pointer"
"""The exported (mutable) stack pointer, when code uses the stack."""

IMPORT_MODULE = "env"
"""The module name of every function the output imports."""

# Relocation types by what they resolve to.
_FUNCTION_INDEX = {0, 26}
_TABLE_INDEX = {1, 2, 18, 19}
_MEMORY_ADDR = {3, 4, 5, 14, 15, 16}
_MEMORY_ADDR_LOCREL = {23}
_TYPE_INDEX = {6}
_GLOBAL_INDEX = {7, 13}
_TABLE_NUMBER = {20}
_UNSUPPORTED = {
    8: "function offsets belong to debug sections, which the linker drops",
    9: "section offsets belong to debug sections, which the linker drops",
    10: "exception handling (tags) is not supported",
    11: "position-independent code is not supported: emit the object with reloc='static'",
    12: "position-independent code is not supported: emit the object with reloc='static'",
    17: "position-independent code is not supported: emit the object with reloc='static'",
    21: "thread-local storage is not supported",
    22: "function offsets belong to debug sections, which the linker drops",
    24: "position-independent code is not supported: emit the object with reloc='static'",
    25: "thread-local storage is not supported",
}

# Symbols the linker itself defines.
_LINKER_GLOBALS = {"__stack_pointer"}
_LINKER_DATA = {"__heap_base", "__data_end", "__stack_low", "__stack_high", "__global_base"}


class LinkError(Exception):
    """The object cannot be linked: an undefined symbol, an unsupported relocation, a missing export…"""


@dataclass
class LinkedModule:
    """The linked module's bytes and where things landed (for loaders and tests)."""

    wasm: bytes
    exports: dict[str, str]  # export name -> symbol name
    imports: list[str]  # imported function names (module ``env``), in import order
    data_addresses: dict[str, int] = field(default_factory=dict)  # data symbol -> address
    stack_size: int = DEFAULT_STACK_SIZE  # 0 when no code uses the stack
    heap_base: int = 0
    memory_pages: int = 1


class _Linker:
    def __init__(self, obj: ObjectFile, stack_size: int) -> None:
        self.obj = obj
        self.stack_size = stack_size
        self.code = obj.code()
        self.func_imports = obj.imported(KIND_FUNCTION)
        self.global_imports = obj.imported(KIND_GLOBAL)
        self.n_func_imports = len(self.func_imports)
        self.n_global_imports = len(self.global_imports)
        self.code_relocs = self._bucket(obj.relocations.get(obj.code_section, []),
                                        [(b.start, b.end) for b in obj.bodies], "CODE")
        self.data_relocs = self._bucket(obj.relocations.get(obj.data_section, []),
                                        [(s.content_start, s.content_start + len(s.content)) for s in obj.segments],
                                        "DATA")
        for index, relocs in obj.relocations.items():
            if index not in (obj.code_section, obj.data_section) and relocs:
                target = obj.sections[index]
                if target.id != SECTION_CUSTOM:
                    raise LinkError(f"relocations in the {target.label} section are not supported")
        self.live_funcs: set[int] = set()  # object function indices (imports first)
        self.live_segments: set[int] = set()
        self.live_globals: set[int] = set()  # object global indices
        self.live_types: set[int] = set()
        self.table_funcs: list[int] = []  # object function indices in table order (slot = position + 1)
        self.uses_table = False
        self.uses_stack_pointer = False
        self.uses_linker_data: set[str] = set()

    # --- reachability ---------------------------------------------------------------------

    @staticmethod
    def _bucket(relocs: list[Relocation], ranges: list[tuple[int, int]], where: str) -> list[list[Relocation]]:
        buckets: list[list[Relocation]] = [[] for _ in ranges]
        i = 0
        for rel in relocs:
            while i < len(ranges) and rel.offset >= ranges[i][1]:
                i += 1
            if i == len(ranges) or rel.offset < ranges[i][0] or rel.offset + rel.width > ranges[i][1]:
                raise LinkError(f"a {rel.type_name} relocation at {where} offset {rel.offset} lies outside every "
                                f"{'function body' if where == 'CODE' else 'data segment'}")
            buckets[i].append(rel)
        return buckets

    def symbol(self, index: int) -> Symbol:
        if index >= len(self.obj.symbols):
            raise LinkError(f"a relocation refers to symbol {index}, beyond the symbol table")
        return self.obj.symbols[index]

    def mark_symbol(self, sym: Symbol, work: list[tuple[str, int]]) -> None:
        if sym.kind == SYMTAB_FUNCTION:
            work.append(("f", sym.element))
        elif sym.kind == SYMTAB_DATA:
            if sym.undefined:
                if sym.name not in _LINKER_DATA:
                    raise LinkError(f"undefined data symbol {sym.name!r}: the object uses it but nothing defines it")
                self.uses_linker_data.add(sym.name)
            else:
                work.append(("s", sym.element))
        elif sym.kind == SYMTAB_GLOBAL:
            if sym.undefined:
                if sym.name not in _LINKER_GLOBALS:
                    raise LinkError(f"undefined global {sym.name!r}: only __stack_pointer is provided by the linker")
                self.uses_stack_pointer = True
            else:
                self.live_globals.add(sym.element)
        elif sym.kind == SYMTAB_TABLE:
            self.uses_table = True

    def mark_relocs(self, relocs: list[Relocation], work: list[tuple[str, int]]) -> None:
        for rel in relocs:
            if rel.type in _UNSUPPORTED:
                raise LinkError(f"cannot link a {rel.type_name} relocation: {_UNSUPPORTED[rel.type]}")
            if rel.type in _TYPE_INDEX:
                self.live_types.add(rel.symbol)
                continue
            sym = self.symbol(rel.symbol)
            self.mark_symbol(sym, work)
            if rel.type in _TABLE_INDEX:
                if sym.kind != SYMTAB_FUNCTION:
                    raise LinkError(f"a table-index relocation refers to the non-function symbol {sym.name!r}")
                self.uses_table = True
                if sym.element not in self.table_funcs:
                    self.table_funcs.append(sym.element)

    def reach(self, roots: list[Symbol]) -> None:
        work: list[tuple[str, int]] = []
        for sym in roots:
            self.mark_symbol(sym, work)
        while work:
            kind, index = work.pop()
            if kind == "f":
                if index in self.live_funcs:
                    continue
                self.live_funcs.add(index)
                if index >= self.n_func_imports:
                    defined = index - self.n_func_imports
                    self.live_types.add(self.obj.function_types[defined])
                    self.mark_relocs(self.code_relocs[defined], work)
                else:
                    self.live_types.add(self.func_imports[index].desc)  # type: ignore[arg-type]
            elif index not in self.live_segments:
                self.live_segments.add(index)
                self.mark_relocs(self.data_relocs[index], work)


def _align(value: int, alignment: int) -> int:
    return (value + alignment - 1) // alignment * alignment


def _encode_value(rel: Relocation, value: int, compact: bool) -> bytes:
    _, width, encoding, _ = RELOCATION_TYPES[rel.type]
    if encoding == "uleb":
        limit = 1 << (32 if width == 5 else 64)
        if not 0 <= value < limit:
            raise LinkError(f"{rel.type_name} value {value} does not fit its field")
        return encode_uleb(value, 0 if compact else width)
    if encoding == "sleb":
        bits = 32 if width == 5 else 64
        if not -(1 << (bits - 1)) <= value < (1 << bits):
            raise LinkError(f"{rel.type_name} value {value} does not fit its field")
        if value >= 1 << (bits - 1):
            value -= 1 << bits  # an address above 2 GiB is the same i32 bit pattern
        return encode_sleb(value, 0 if compact else width)
    fmt = "<I" if encoding == "u32" else "<Q"
    return struct.pack(fmt, value & ((1 << (8 * width)) - 1))


def link(
    obj_bytes: bytes,
    exports: Mapping[str, str] | Sequence[str],
    *,
    host_functions: Collection[str] | None = None,
    export_data: Mapping[str, str] | Sequence[str] = (),
    stack_size: int = DEFAULT_STACK_SIZE,
    names: bool = False,
    memory_export: str = "memory",
) -> LinkedModule:
    """Link a relocatable wasm32 object into a module exporting the named functions.

    ``exports`` maps symbol names to export names (a sequence exports each under its own name).
    Undefined functions become imports from module ``env``; ``host_functions``, when given, lists those
    the host provides, and any other undefined function is a :class:`LinkError`. ``export_data`` names data
    symbols whose addresses are exported as immutable i32 globals (a mapping renames them). ``names`` adds a
    ``name`` section.

    Example:
        >>> linked = link(obj_bytes, {"add": "add"}, host_functions={"fmod"})   # doctest: +SKIP
        >>> linked.imports                                                       # doctest: +SKIP
        []
    """
    obj = read_object(obj_bytes)
    if stack_size <= 0 or stack_size % 16:
        raise LinkError(f"stack_size must be a positive multiple of 16, not {stack_size}")
    export_map = dict(exports) if isinstance(exports, Mapping) else {name: name for name in exports}
    data_export_map = dict(export_data) if isinstance(export_data, Mapping) else {n: n for n in export_data}
    linker = _Linker(obj, stack_size)

    by_name: dict[str, Symbol] = {}
    for sym in obj.symbols:
        if not sym.local and sym.name and not sym.undefined:
            by_name.setdefault(sym.name, sym)
    local_data: dict[str, list[Symbol]] = {}
    for sym in obj.symbols:
        if sym.local and sym.kind == SYMTAB_DATA and not sym.undefined:
            local_data.setdefault(sym.name, []).append(sym)
    for data_name in data_export_map:  # a module-internal global may be exported when its name is unambiguous
        if data_name not in by_name and len(local_data.get(data_name, [])) == 1:
            by_name[data_name] = local_data[data_name][0]
    roots: list[Symbol] = []
    for sym_name in export_map:
        sym = by_name.get(sym_name)
        if sym is None or sym.kind != SYMTAB_FUNCTION:
            defined = sorted(s.name for s in obj.symbols
                             if s.kind == SYMTAB_FUNCTION and not s.undefined and not s.local)
            raise LinkError(f"cannot export {sym_name!r}: the object defines no function of that name "
                            f"(it defines: {', '.join(defined) or 'none'})")
        roots.append(sym)
    for data_name in data_export_map:
        sym = by_name.get(data_name)
        if sym is None or sym.kind != SYMTAB_DATA:
            raise LinkError(f"cannot export the address of {data_name!r}: the object defines no data of that name")
        roots.append(sym)
    for _, sym_index in sorted(obj.init_funcs):
        roots.append(linker.symbol(sym_index))
    roots += [s for s in obj.symbols if s.flags & WASM_SYM_NO_STRIP and not s.undefined]
    linker.reach(roots)

    # --- numbering ---------------------------------------------------------------------------
    used_imports = [i for i in range(linker.n_func_imports) if i in linker.live_funcs]
    import_names = [linker.func_imports[i].name for i in used_imports]
    if host_functions is not None:
        missing = [n for n in import_names if n not in host_functions]
        if missing:
            raise LinkError(f"undefined function(s) {', '.join(missing)}: neither the object nor the host runtime "
                            f"defines them (the host provides: {', '.join(sorted(host_functions))})")
    defined_live = [i for i in range(linker.n_func_imports, linker.n_func_imports + len(obj.bodies))
                    if i in linker.live_funcs]
    func_index = {old: new for new, old in enumerate(used_imports + defined_live)}
    next_func = len(func_index)

    types = list(obj.types)
    init_calls = [linker.symbol(s) for _, s in sorted(obj.init_funcs)]
    start_type = -1
    if init_calls:
        start_type = types.index(((), ())) if ((), ()) in types else len(types)
        if start_type == len(types):
            types.append(((), ()))
        linker.live_types.add(start_type)
    type_index = {old: new for new, old in enumerate(sorted(linker.live_types))}

    defined_globals = sorted(g - linker.n_global_imports for g in linker.live_globals)
    first_global = 1 if linker.uses_stack_pointer else 0  # __stack_pointer is global 0 when code uses it
    global_index = {g + linker.n_global_imports: first_global + n for n, g in enumerate(defined_globals)}
    for g, imp in enumerate(linker.global_imports):
        if imp.name == "__stack_pointer":
            global_index[g] = 0
    table_slot = {f: slot + 1 for slot, f in enumerate(linker.table_funcs)}

    # --- memory layout: stack, then data -----------------------------------------------------
    # With a stack, it comes first ([0, stack_size), growing down: an overflow traps below address 0
    # instead of overwriting data) and the data follows. Without one (no code uses __stack_pointer), the
    # data starts at NO_STACK_DATA_BASE: smaller addresses are shorter LEB128 immediates.
    stack_top = stack_size if linker.uses_stack_pointer else 0
    data_base = stack_size if linker.uses_stack_pointer else NO_STACK_DATA_BASE
    address = data_base
    seg_address: dict[int, int] = {}
    for index in sorted(linker.live_segments):
        seg = obj.segments[index]
        address = _align(address, 1 << seg.alignment)
        seg_address[index] = address
        address += len(seg.content)
    data_end = address
    heap_base = _align(data_end, 16)
    pages = max(1, -(-heap_base // PAGE_SIZE))
    linker_data = {"__heap_base": heap_base, "__data_end": data_end, "__stack_low": 0,
                   "__stack_high": stack_top, "__global_base": data_base}

    def data_address(sym: Symbol) -> int:
        if sym.undefined:
            return linker_data[sym.name]
        if sym.element not in seg_address:
            raise LinkError(f"internal layout error: segment of {sym.name!r} was not placed")
        return seg_address[sym.element] + sym.offset

    def resolve(rel: Relocation, site: int) -> int:
        if rel.type in _TYPE_INDEX:
            return type_index[rel.symbol]
        sym = linker.symbol(rel.symbol)
        if rel.type in _FUNCTION_INDEX:
            return func_index[sym.element]
        if rel.type in _TABLE_INDEX:
            return table_slot[sym.element]
        if rel.type in _MEMORY_ADDR:
            return data_address(sym) + rel.addend
        if rel.type in _MEMORY_ADDR_LOCREL:
            return data_address(sym) + rel.addend - site
        if rel.type in _GLOBAL_INDEX:
            return global_index[sym.element]
        if rel.type in _TABLE_NUMBER:
            return 0
        raise LinkError(f"cannot link a {rel.type_name} relocation against "
                        f"{SYMTAB_KIND_NAMES.get(sym.kind, '?')} symbol {sym.name!r}")

    def relocate(data: bytes, start: int, end: int, relocs: list[Relocation], compact: bool,
                 base_address: int = 0) -> bytes:
        out = bytearray()
        pos = start
        for rel in relocs:
            out += data[pos:rel.offset]
            out += _encode_value(rel, resolve(rel, base_address + rel.offset - start), compact)
            pos = rel.offset + rel.width
        out += data[pos:end]
        return bytes(out)

    # --- sections -------------------------------------------------------------------------------
    out = bytearray(MAGIC + VERSION)

    def encode_type(t: tuple[tuple[int, ...], tuple[int, ...]]) -> bytes:
        return b"\x60" + encode_vector([bytes([v]) for v in t[0]]) + encode_vector([bytes([v]) for v in t[1]])

    out += section(SECTION_TYPE, encode_vector([encode_type(types[old]) for old in sorted(linker.live_types)]))
    if used_imports:
        entries = [encode_name(IMPORT_MODULE) + encode_name(linker.func_imports[i].name) + bytes([KIND_FUNCTION])
                   + encode_uleb(type_index[linker.func_imports[i].desc])  # type: ignore[index]
                   for i in used_imports]
        out += section(SECTION_IMPORT, encode_vector(entries))
    func_types = [type_index[obj.function_types[i - linker.n_func_imports]] for i in defined_live]
    if init_calls:
        func_types.append(type_index[start_type])
    out += section(SECTION_FUNCTION, encode_vector([encode_uleb(t) for t in func_types]))
    if linker.uses_table:
        size = len(linker.table_funcs) + 1
        out += section(SECTION_TABLE, encode_vector([bytes([FUNCREF]) + encode_limits(size, size)]))
    out += section(SECTION_MEMORY, encode_vector([encode_limits(pages, None)]))
    globals_out = []
    if linker.uses_stack_pointer:
        globals_out.append(bytes([I32, 1, OP_I32_CONST]) + encode_sleb(stack_top) + bytes([OP_END]))
    for g in defined_globals:
        valtype, mutable, init = obj.globals[g]
        globals_out.append(bytes([valtype, int(mutable)]) + init)
    data_globals: dict[str, int] = {}
    for data_name in data_export_map:
        data_globals[data_name] = len(globals_out)
        address_value = data_address(by_name[data_name])
        globals_out.append(bytes([I32, 0, OP_I32_CONST]) + encode_sleb(address_value) + bytes([OP_END]))
    if globals_out:
        out += section(SECTION_GLOBAL, encode_vector(globals_out))
    export_entries = [encode_name(memory_export) + bytes([KIND_MEMORY]) + encode_uleb(0)]
    for sym_name, export_name in export_map.items():
        export_entries.append(encode_name(export_name) + bytes([KIND_FUNCTION])
                              + encode_uleb(func_index[by_name[sym_name].element]))
    for data_name, g in data_globals.items():
        export_entries.append(encode_name(data_export_map[data_name]) + bytes([KIND_GLOBAL]) + encode_uleb(g))
    if linker.uses_stack_pointer:
        # A trap unwinds without the epilogues that restore the stack pointer: hosts reset it after one.
        export_entries.append(encode_name(STACK_POINTER_EXPORT) + bytes([KIND_GLOBAL]) + encode_uleb(0))
    seen: set[str] = set()
    for export_name in [memory_export, *export_map.values(), *data_export_map.values(), STACK_POINTER_EXPORT]:
        if export_name in seen:
            raise LinkError(f"two exports are named {export_name!r}")
        seen.add(export_name)
    out += section(SECTION_EXPORT, encode_vector(export_entries))
    if init_calls:
        out += section(SECTION_START, encode_uleb(next_func))
    if linker.table_funcs:
        elem = (b"\x00" + bytes([OP_I32_CONST]) + encode_sleb(1) + bytes([OP_END])
                + encode_vector([encode_uleb(func_index[f]) for f in linker.table_funcs]))
        out += section(SECTION_ELEM, encode_vector([elem]))

    bodies = []
    for old in defined_live:
        defined = old - linker.n_func_imports
        span = obj.bodies[defined]
        body = relocate(linker.code, span.start, span.end, linker.code_relocs[defined], compact=True)
        bodies.append(encode_uleb(len(body)) + body)
    if init_calls:
        calls = b"".join(bytes([OP_CALL]) + encode_uleb(func_index[s.element]) for s in init_calls)
        body = b"\x00" + calls + bytes([OP_END])
        bodies.append(encode_uleb(len(body)) + body)
    out += section(SECTION_CODE, encode_vector(bodies))

    image = bytearray(data_end - data_base)
    data_payload = obj.sections[obj.data_section].payload if obj.data_section >= 0 else b""
    for index, address in seg_address.items():
        seg: DataSegment = obj.segments[index]
        content = relocate(data_payload, seg.content_start, seg.content_start + len(seg.content),
                           linker.data_relocs[index], compact=False, base_address=address)
        image[address - data_base:address - data_base + len(content)] = content
    segments = _nonzero_runs(image)
    if segments:
        out += section(SECTION_DATA, encode_vector([
            b"\x00" + bytes([OP_I32_CONST]) + encode_sleb(data_base + start) + bytes([OP_END])
            + encode_uleb(len(chunk)) + chunk for start, chunk in segments]))

    if names:
        func_names = {}
        for sym in obj.symbols:
            if sym.kind == SYMTAB_FUNCTION and sym.element in func_index and sym.name:
                func_names.setdefault(func_index[sym.element], sym.name)
        if init_calls:
            func_names[next_func] = "__wasm_call_ctors"
        payload = encode_vector([encode_uleb(i) + encode_name(n) for i, n in sorted(func_names.items())])
        out += section(SECTION_CUSTOM, b"\x01" + encode_uleb(len(payload)) + payload, name="name")

    addresses = {s.name: data_address(s) for s in obj.symbols
                 if s.kind == SYMTAB_DATA and not s.undefined and s.element in seg_address and s.name}
    return LinkedModule(bytes(out), {v: k for k, v in export_map.items()}, import_names, addresses, stack_top,
                        heap_base, pages)


def _nonzero_runs(image: bytearray, gap: int = 8) -> list[tuple[int, bytes]]:
    """Split the data image into segments around zero runs of at least ``gap`` bytes (memory starts zeroed)."""
    runs: list[tuple[int, bytes]] = []
    i, n = 0, len(image)
    while i < n:
        if image[i] == 0:
            i += 1
            continue
        start = i
        zeros = 0
        while i < n and zeros < gap:
            zeros = zeros + 1 if image[i] == 0 else 0
            i += 1
        end = i - zeros
        runs.append((start, bytes(image[start:end])))
    return runs


def describe(obj_bytes: bytes) -> str:
    """A readable listing of an object's symbols and relocations (for diagnostics and tests).

    Example:
        >>> print(describe(obj_bytes))      # doctest: +SKIP
        function add (defined, index 0)
    """
    obj = read_object(obj_bytes)
    lines = []
    for sym in obj.symbols:
        state = "undefined" if sym.undefined else "defined"
        lines.append(f"{SYMTAB_KIND_NAMES.get(sym.kind, '?')} {sym.name or '<section>'} ({state}, index {sym.element})")
    for index, relocs in obj.relocations.items():
        for rel in relocs:
            target = rel.symbol if rel.type in _TYPE_INDEX else obj.symbols[rel.symbol].name
            lines.append(f"{obj.sections[index].label}+{rel.offset:#x} {rel.type_name} {target}"
                         + (f"{rel.addend:+d}" if rel.addend else ""))
    return "\n".join(lines)
