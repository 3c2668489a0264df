"""WasmMemoryManager: pages, HEAP_START, growing in place, the 4 GiB limit and a live wasmtime memory."""

from __future__ import annotations

import pytest

from pyexec.memory import InvalidPointerError, read_i64, write_i64
from pyexec.wasm_memory import (
    HEAP_START,
    MAX_MEMORY_BYTES,
    MAX_PAGES,
    WASM_PAGE_SIZE,
    ExportedLinearMemory,
    WasmMemoryManager,
)


def test_constants_are_wasm32s():
    assert (HEAP_START, WASM_PAGE_SIZE, MAX_PAGES) == (65536, 65536, 65536)
    assert MAX_MEMORY_BYTES == 4 * 1024**3


def test_default_is_256_pages_and_heap_starts_at_64k():
    wmm = WasmMemoryManager()
    assert wmm.pages == 256 and wmm.memory.size == 256 * WASM_PAGE_SIZE
    assert wmm.get_usage() == (0, 256 * WASM_PAGE_SIZE - HEAP_START)
    p = wmm.alloc(64)
    assert p == HEAP_START + 8


def test_grow_keeps_pointers_and_contents():
    wmm = WasmMemoryManager(initial_pages=2)
    s = wmm.alloc_string("survives growth")
    arr = wmm.alloc_array(4)
    write_i64(wmm.memory, arr + 8, -42)
    assert wmm.grow_memory(128)
    assert wmm.pages == 130 and wmm.memory.size == 130 * WASM_PAGE_SIZE
    assert wmm.read_string(s) == "survives growth" and read_i64(wmm.memory, arr + 8) == -42
    big = wmm.alloc(100 * WASM_PAGE_SIZE)
    assert big != 0


def test_allocation_fails_until_memory_grows():
    wmm = WasmMemoryManager(initial_pages=1)  # all of it is below HEAP_START
    assert wmm.get_usage() == (0, 0)
    assert wmm.alloc(16) == 0
    assert wmm.grow_memory(1)
    assert wmm.alloc(16) == HEAP_START + 8


def test_new_pages_merge_with_free_space_at_the_end():
    wmm = WasmMemoryManager(initial_pages=2)
    assert wmm.alloc(60000) != 0 and wmm.alloc(60000) == 0
    wmm.grow_memory(1)
    assert wmm.alloc(60000) != 0


def test_growth_past_4_gib_or_the_maximum_fails_without_change():
    wmm = WasmMemoryManager(initial_pages=2)
    assert wmm.grow_memory(MAX_PAGES) is False
    assert wmm.pages == 2
    limited = WasmMemoryManager(initial_pages=2, maximum_pages=3)
    assert limited.grow_memory(1) and not limited.grow_memory(1)
    assert wmm.grow_memory(0) is True


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"initial_pages": 0}, ValueError),
        ({"initial_pages": MAX_PAGES + 1}, ValueError),
        ({"initial_pages": 2.0}, TypeError),
        ({"maximum_pages": 0}, ValueError),
    ],
)
def test_bad_page_counts_are_refused(kwargs, error):
    with pytest.raises(error):
        WasmMemoryManager(**kwargs)


def test_negative_growth_is_a_value_error():
    with pytest.raises(ValueError):
        WasmMemoryManager(initial_pages=2).grow_memory(-1)


def test_block_beyond_4_gib_is_a_value_error_but_beyond_current_size_is_zero():
    wmm = WasmMemoryManager(initial_pages=2)
    assert wmm.alloc(10 * WASM_PAGE_SIZE) == 0
    with pytest.raises(ValueError, match="cannot fit"):
        wmm.alloc(MAX_MEMORY_BYTES)


def test_misuse_is_detected_in_wasm_memory_too():
    wmm = WasmMemoryManager(initial_pages=2)
    p = wmm.alloc(32)
    wmm.free(p, 32)
    with pytest.raises(InvalidPointerError):
        wmm.free(p, 32)
    with pytest.raises(InvalidPointerError):
        wmm.incref(100)


# --- a live wasmtime memory ------------------------------------------------------------------

wasmtime = pytest.importorskip("wasmtime", reason="wasmtime (the 'wasm' extra) is not installed")


def make_memory(pages=2, maximum=16):
    store = wasmtime.Store()
    memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(pages, maximum)))
    return store, memory


def test_manages_a_wasmtime_memory_in_place():
    store, memory = make_memory()
    wmm = WasmMemoryManager.from_wasm_memory(memory, store)
    p = wmm.alloc_string("hello wasm")
    assert p >= HEAP_START
    assert bytes(memory.read(store, p, p + 4)) == (10).to_bytes(4, "little")
    assert bytes(memory.read(store, p + 4, p + 15)) == b"hello wasm\x00"
    memory.write(store, b"J", p + 4)
    assert wmm.read_string(p) == "Jello wasm"


def test_wasmtime_memory_grows_in_place_up_to_its_maximum():
    store, memory = make_memory(pages=2, maximum=6)
    wmm = WasmMemoryManager.from_wasm_memory(memory, store)
    arr = wmm.alloc_array(3)
    write_i64(wmm.memory, arr + 8, 7)
    assert wmm.maximum_pages == 6
    assert wmm.grow_memory(3) and memory.size(store) == 5
    assert read_i64(wmm.memory, arr + 8) == 7
    assert wmm.alloc(3 * WASM_PAGE_SIZE) != 0
    assert wmm.grow_memory(2) is False and memory.size(store) == 5


def test_pages_the_instance_adds_join_the_heap_at_sync():
    store, memory = make_memory(pages=2, maximum=8)
    wmm = WasmMemoryManager.from_wasm_memory(memory, store)
    assert wmm.alloc(2 * WASM_PAGE_SIZE) == 0
    memory.grow(store, 3)  # as the module's own memory.grow would
    wmm.sync()
    assert wmm.alloc(2 * WASM_PAGE_SIZE) != 0


def test_a_custom_heap_start_leaves_the_module_its_memory():
    store, memory = make_memory(pages=3)
    wmm = WasmMemoryManager.from_wasm_memory(memory, store, heap_start=2 * WASM_PAGE_SIZE)
    assert wmm.alloc(8) == 2 * WASM_PAGE_SIZE + 8


def test_objects_without_the_memory_interface_are_refused():
    with pytest.raises(TypeError, match="lacks"):
        WasmMemoryManager.from_wasm_memory(object(), None)


def test_duck_typed_memory_is_accepted():
    store, memory = make_memory()

    class Wrapped:
        def size(self, s):
            return memory.size(s)

        def grow(self, s, delta):
            return memory.grow(s, delta)

        def data_ptr(self, s):
            return memory.data_ptr(s)

        def data_len(self, s):
            return memory.data_len(s)

    wmm = WasmMemoryManager.from_wasm_memory(Wrapped(), store)
    assert wmm.maximum_pages == MAX_PAGES
    assert wmm.read_string(wmm.alloc_string("duck")) == "duck"


def test_exported_memory_base_address_is_stable_across_growth():
    store, memory = make_memory()
    linear = ExportedLinearMemory(memory, store)
    before = linear.address()
    assert linear.grow(4)
    assert linear.address() == before


# A module that reads the documented layouts: string length and bytes, array length and int64 elements.
LAYOUT_READER_WAT = """
(module
  (memory (export "memory") 2 64)
  (func (export "string_length") (param $p i32) (result i32)
    (i32.load (local.get $p)))
  (func (export "string_byte") (param $p i32) (param $i i32) (result i32)
    (i32.load8_u (i32.add (i32.add (local.get $p) (i32.const 4)) (local.get $i))))
  (func (export "array_sum") (param $p i32) (result i64)
    (local $i i32) (local $n i32) (local $total i64)
    (local.set $n (i32.load (local.get $p)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $total (i64.add (local.get $total)
          (i64.load (i32.add (i32.add (local.get $p) (i32.const 8)) (i32.mul (local.get $i) (i32.const 8))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total))
  (func (export "grow") (param $pages i32) (result i32)
    (memory.grow (local.get $pages))))
"""


def instantiate_layout_reader():
    store = wasmtime.Store()
    module = wasmtime.Module(store.engine, LAYOUT_READER_WAT)
    instance = wasmtime.Instance(store, module, [])
    exports = instance.exports(store)
    return store, exports


def test_compiled_wasm_reads_strings_and_arrays_passed_through_the_heap():
    store, exports = instantiate_layout_reader()
    wmm = WasmMemoryManager.from_wasm_memory(exports["memory"], store)
    s = wmm.alloc_string("héllo")
    encoded = "héllo".encode()
    assert exports["string_length"](store, s) == len(encoded)
    assert bytes(exports["string_byte"](store, s, i) for i in range(len(encoded) + 1)) == encoded + b"\0"
    arr = wmm.alloc_array(50)
    for i in range(50):
        write_i64(wmm.memory, arr + 8 + i * 8, i * i - 100)
    assert exports["array_sum"](store, arr) == sum(i * i - 100 for i in range(50))


def test_memory_grown_by_the_module_joins_the_heap_after_sync():
    store, exports = instantiate_layout_reader()
    wmm = WasmMemoryManager.from_wasm_memory(exports["memory"], store)
    s = wmm.alloc_string("kept")
    assert wmm.alloc(3 * WASM_PAGE_SIZE) == 0
    assert exports["grow"](store, 4) == 2  # the module's own memory.grow: old size in pages
    wmm.sync()
    assert wmm.pages == 6 and wmm.alloc(3 * WASM_PAGE_SIZE) != 0
    assert wmm.read_string(s) == "kept" and exports["string_length"](store, s) == 4
    assert wmm.maximum_pages == 64


def test_reset_empties_the_heap_but_keeps_the_pages():
    wmm = WasmMemoryManager(initial_pages=2)
    wmm.grow_memory(2)
    wmm.alloc(100_000)
    wmm.reset()
    assert wmm.get_usage() == (0, 3 * WASM_PAGE_SIZE) and wmm.alloc(3 * WASM_PAGE_SIZE - 16) == HEAP_START + 16


def test_debug_mode_poisons_new_pages():
    wmm = WasmMemoryManager(initial_pages=2, debug=True)
    wmm.grow_memory(1)
    assert (wmm.memory[2 * WASM_PAGE_SIZE :] == 0xDD).all()
