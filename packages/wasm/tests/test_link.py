"""The built-in linker on objects LLVM emits from hand-written IR, run in wasmtime."""

from __future__ import annotations

import math
import shutil
import subprocess
import sys

import pytest
import wasmtime

from pyexec.backends.wasm.link import LinkError, describe, link
from pyexec.backends.wasm.object_file import ObjectFormatError, read_object
from pyexec.backends.wasm.wasm_binary import (
    MAGIC,
    SECTION_CUSTOM,
    VERSION,
    encode_sleb,
    encode_uleb,
    read_sections,
    section,
)

PROGRAM = r"""
@counter = global i64 0
@message = private constant [6 x i8] c"hello\00"
@message_ptr = global ptr @message
@table = global [2 x ptr] [ptr @add, ptr @sub]
@unused_data = global [64 x i8] c"this data is referenced by nothing exported and must be dropped!"

declare double @fmod(double, double)
declare double @pow(double, double)

define i64 @add(i64 %a, i64 %b) {
  %r = add i64 %a, %b
  ret i64 %r
}
define i64 @sub(i64 %a, i64 %b) {
  %r = sub i64 %a, %b
  ret i64 %r
}
define i64 @twice_add(i64 %a, i64 %b) {
  %x = call i64 @add(i64 %a, i64 %b)
  %y = call i64 @add(i64 %x, i64 %x)
  ret i64 %y
}
define i64 @dispatch(i32 %i, i64 %a, i64 %b) {
  %p = getelementptr [2 x ptr], ptr @table, i32 0, i32 %i
  %f = load ptr, ptr %p
  %r = call i64 %f(i64 %a, i64 %b)
  ret i64 %r
}
define i32 @address_of_sub() {
  ret i32 ptrtoint (ptr @sub to i32)
}
define i64 @bump(i64 %by) {
  %old = load i64, ptr @counter
  %new = add i64 %old, %by
  store i64 %new, ptr @counter
  ret i64 %new
}
define i32 @message_address() {
  %p = load ptr, ptr @message_ptr
  %i = ptrtoint ptr %p to i32
  ret i32 %i
}
define i32 @message_byte(i32 %i) {
  %p = getelementptr [6 x i8], ptr @message, i32 0, i32 %i
  %c = load i8, ptr %p
  %r = zext i8 %c to i32
  ret i32 %r
}
define double @libm(double %a, double %b) {
  %m = call double @fmod(double %a, double %b)
  %p = call double @pow(double %m, double %b)
  ret double %p
}
define i64 @on_stack(i64 %n) {
  %buf = alloca [16 x i64]
  %p = getelementptr [16 x i64], ptr %buf, i32 0, i64 %n
  store volatile i64 %n, ptr %p
  %v = load volatile i64, ptr %p
  ret i64 %v
}
define i64 @never_exported(i64 %x) {
  %p = load i8, ptr @unused_data
  %e = zext i8 %p to i64
  %r = add i64 %x, %e
  ret i64 %r
}
"""

EXPORTS = ["add", "sub", "twice_add", "dispatch", "address_of_sub", "bump", "message_address", "message_byte",
           "libm", "on_stack"]


@pytest.fixture
def program(emit):
    return emit(PROGRAM, optimize=1)


def _relocation_types(obj: bytes) -> set[str]:
    return {rel.type_name for relocs in read_object(obj).relocations.values() for rel in relocs}


def test_the_object_uses_the_relocation_types_under_test(program):
    assert _relocation_types(program) >= {
        "R_WASM_FUNCTION_INDEX_LEB", "R_WASM_TABLE_INDEX_SLEB", "R_WASM_TABLE_INDEX_I32", "R_WASM_MEMORY_ADDR_LEB",
        "R_WASM_MEMORY_ADDR_SLEB", "R_WASM_MEMORY_ADDR_I32", "R_WASM_TYPE_INDEX_LEB", "R_WASM_GLOBAL_INDEX_LEB",
        "R_WASM_TABLE_NUMBER_LEB",
    }


def test_linked_module_validates_and_runs_every_function(program, instantiate):
    linked = link(program, EXPORTS, host_functions={"fmod", "pow"})
    store, ex = instantiate(linked.wasm)
    assert ex["add"](store, 2, 3) == 5
    assert ex["twice_add"](store, 2, 3) == 10  # internal calls: R_WASM_FUNCTION_INDEX_LEB
    assert ex["dispatch"](store, 0, 7, 2) == 9  # R_WASM_TABLE_INDEX_I32 in data, call_indirect
    assert ex["dispatch"](store, 1, 7, 2) == 5
    assert ex["bump"](store, 5) == 5  # R_WASM_MEMORY_ADDR_LEB on load/store offsets
    assert ex["bump"](store, -7) == -2
    assert ex["libm"](store, 7.5, 2.0) == math.pow(math.fmod(7.5, 2.0), 2.0)
    assert ex["on_stack"](store, 3) == 3  # the stack pointer global: R_WASM_GLOBAL_INDEX_LEB
    assert ex["on_stack"](store, 15) == 15


def test_function_address_is_its_table_slot(program, instantiate):
    store, ex = instantiate(link(program, EXPORTS, host_functions={"fmod", "pow"}).wasm)
    slot = ex["address_of_sub"](store)  # R_WASM_TABLE_INDEX_SLEB
    table = ex.get("__indirect_function_table")
    assert slot >= 1  # slot 0 stays null, as in C where a null function pointer is 0
    assert table is None  # the table is not exported, but dispatch through slot 2 reaches sub
    assert ex["dispatch"](store, 1, 10, 4) == 6


def test_data_pointers_are_relocated_to_the_data_layout(program, instantiate):
    linked = link(program, EXPORTS, host_functions={"fmod", "pow"})
    store, ex = instantiate(linked.wasm)
    address = ex["message_address"](store)  # R_WASM_MEMORY_ADDR_I32 in @message_ptr
    memory = ex["memory"]
    assert bytes(memory.read(store, address, address + 6)) == b"hello\x00"
    assert bytes(ex["message_byte"](store, i) for i in range(5)) == b"hello"  # R_WASM_MEMORY_ADDR_SLEB
    assert address >= linked.stack_size  # the data lies above the stack


def test_stack_comes_first_and_data_starts_at_64_kib(program, instantiate):
    linked = link(program, EXPORTS, host_functions={"fmod", "pow"})
    assert linked.stack_size == 65536
    assert min(linked.data_addresses.values()) >= 65536
    assert linked.heap_base % 16 == 0 and linked.heap_base >= max(linked.data_addresses.values())


def test_unreferenced_functions_and_data_are_dropped(program, instantiate):
    full = link(program, [*EXPORTS, "never_exported"], host_functions={"fmod", "pow"})
    small = link(program, ["add"], host_functions=set())
    assert "unused_data" in full.data_addresses and "unused_data" not in small.data_addresses
    assert b"must be dropped" in full.wasm and b"must be dropped" not in small.wasm
    assert small.imports == []  # fmod/pow are not reached from add
    assert len(small.wasm) < 100 < len(program)
    _store, ex = instantiate(small.wasm)
    assert set(ex) == {"memory", "add"}


def test_libm_calls_become_env_imports(program, engine):
    linked = link(program, ["libm"])
    module = wasmtime.Module(engine, linked.wasm)
    assert [(i.module, i.name) for i in module.imports] == [("env", "fmod"), ("env", "pow")]
    assert linked.imports == ["fmod", "pow"]


def test_export_names_can_differ_from_symbols(program, instantiate):
    store, ex = instantiate(link(program, {"add": "plus"}).wasm)
    assert ex["plus"](store, 40, 2) == 42


def test_exporting_a_missing_function_names_the_defined_ones(program):
    with pytest.raises(LinkError, match=r"cannot export 'mul'.*it defines: .*add"):
        link(program, ["mul"])


def test_an_undefined_function_the_host_lacks_is_a_link_error(program):
    with pytest.raises(LinkError, match=r"undefined function\(s\) fmod, pow"):
        link(program, ["libm"], host_functions={"sin"})


def test_an_undefined_data_symbol_is_a_link_error(emit):
    obj = emit("@elsewhere = external global i32\ndefine i32 @f() {\n %v = load i32, ptr @elsewhere\n ret i32 %v\n}")
    with pytest.raises(LinkError, match="undefined data symbol 'elsewhere'"):
        link(obj, ["f"])


def test_data_addresses_can_be_exported_as_globals(program, instantiate):
    linked = link(program, ["bump"], export_data=["counter"])
    store, ex = instantiate(linked.wasm)
    ex["bump"](store, 41)
    address = ex["counter"].value(store)
    assert address == linked.data_addresses["counter"]
    assert int.from_bytes(ex["memory"].read(store, address, address + 8), "little") == 41


def test_locrel_relocation_stores_the_distance_to_the_target(emit, instantiate):
    obj = emit("""
@target = global i32 5
@rel = global i32 sub (i32 ptrtoint (ptr @target to i32), i32 ptrtoint (ptr @rel to i32))
define i32 @get_rel() {
  %v = load i32, ptr @rel
  ret i32 %v
}
""", optimize=0)
    assert "R_WASM_MEMORY_ADDR_LOCREL_I32" in _relocation_types(obj)
    linked = link(obj, ["get_rel"])
    store, ex = instantiate(linked.wasm)
    assert ex["get_rel"](store) == linked.data_addresses["target"] - linked.data_addresses["rel"]


def test_init_functions_run_at_instantiation(emit, instantiate):
    obj = emit("""
@ready = global i32 0
define void @init() {
  store i32 7, ptr @ready
  ret void
}
define i32 @is_ready() {
  %v = load i32, ptr @ready
  ret i32 %v
}
@llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 65535, ptr @init, ptr null }]
""", optimize=0)
    store, ex = instantiate(link(obj, ["is_ready"]).wasm)
    assert ex["is_ready"](store) == 7


def _rewrite_relocation(obj: bytes, section_name: str, entry: int, new_type: int) -> bytes:
    """The object with one relocation's type changed (to reach types LLVM emits only in debug sections)."""
    out = bytearray(MAGIC + VERSION)
    parsed = read_object(obj)
    for sec in read_sections(obj):
        if sec.id == SECTION_CUSTOM and sec.name == section_name:
            relocs = next(r for i, r in parsed.relocations.items() if parsed.sections[i].label == section_name[6:])
            payload = bytearray(encode_uleb(next(i for i, r in parsed.relocations.items() if r is relocs)))
            payload += encode_uleb(len(relocs))
            for n, rel in enumerate(relocs):
                rtype = new_type if n == entry else rel.type
                payload += bytes([rtype]) + encode_uleb(rel.offset) + encode_uleb(rel.symbol)
                if rtype in (3, 4, 5, 8, 9, 11, 14, 15, 16, 17, 21, 22, 23, 25):
                    payload += encode_sleb(rel.addend)
            out += section(SECTION_CUSTOM, bytes(payload), name=sec.name)
        else:
            out += section(sec.id, sec.payload, name=sec.name)
    return bytes(out)


FUNCTION_POINTER_IN_DATA = """
@fp = global ptr @f
define i32 @f() {
  ret i32 1
}
define i32 @read_fp() {
  %v = load i32, ptr @fp
  ret i32 %v
}
"""


def test_function_index_i32_writes_the_function_index(emit, instantiate):
    obj = emit(FUNCTION_POINTER_IN_DATA, optimize=0)
    patched = _rewrite_relocation(obj, "reloc.DATA", 0, 26)
    assert "R_WASM_FUNCTION_INDEX_I32" in _relocation_types(patched)
    store, ex = instantiate(link(patched, ["read_fp", "f"]).wasm)
    # f is the only other function: read_fp is 0 or 1 by object order, f is the other one
    assert ex["read_fp"](store) in (0, 1)
    assert ex["f"](store) == 1


def test_position_independent_relocations_are_refused_with_the_reason(emit):
    obj = emit(FUNCTION_POINTER_IN_DATA, optimize=0)
    patched = _rewrite_relocation(obj, "reloc.CODE", 0, 11)
    with pytest.raises(LinkError, match=r"R_WASM_MEMORY_ADDR_REL_SLEB.*position-independent"):
        link(patched, ["read_fp"])


def test_unknown_relocation_types_are_refused(emit):
    obj = emit(FUNCTION_POINTER_IN_DATA, optimize=0)
    patched = _rewrite_relocation(obj, "reloc.CODE", 0, 99)
    with pytest.raises(ObjectFormatError, match="unknown relocation type 99"):
        link(patched, ["read_fp"])


def test_describe_lists_symbols_and_relocations(program):
    text = describe(program)
    assert "function fmod (undefined" in text
    assert "R_WASM_TABLE_INDEX_I32 add" in text


def test_names_section_is_optional(program):
    plain = link(program, EXPORTS).wasm
    named = link(program, EXPORTS, names=True).wasm
    assert len(named) > len(plain)
    assert any(s.name == "name" for s in read_sections(named))


def _wasm_ld() -> list[str] | None:
    if shutil.which("wasm-ld"):
        return ["wasm-ld"]
    try:
        import ziglang  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "ziglang", "wasm-ld"]


def test_wasm_ld_and_the_built_in_linker_agree(program, instantiate, tmp_path):
    wasm_ld = _wasm_ld()
    if wasm_ld is None:
        pytest.skip("wasm-ld is not installed (pip install ziglang provides it)")
    obj_path = tmp_path / "program.o"
    obj_path.write_bytes(program)
    out = tmp_path / "program.wasm"
    args = [*wasm_ld, "--no-entry", "--allow-undefined", "--stack-first", "-o", str(out), str(obj_path)]
    args += [f"--export={name}" for name in EXPORTS]
    subprocess.run(args, check=True, capture_output=True)
    ours_store, ours = instantiate(link(program, EXPORTS).wasm)
    theirs_store, theirs = instantiate(out.read_bytes())
    cases = [("add", (2, -9)), ("twice_add", (4, 5)), ("dispatch", (0, 3, 4)), ("dispatch", (1, 3, 4)),
             ("bump", (5,)), ("bump", (6,)), ("message_byte", (1,)), ("libm", (9.5, 3.0)), ("on_stack", (3,))]
    for name, args_ in cases:
        assert ours[name](ours_store, *args_) == theirs[name](theirs_store, *args_), name
