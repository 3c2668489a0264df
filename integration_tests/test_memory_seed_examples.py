"""The seed reference's memory-manager examples (Memory Manager, WASM Memory Manager, Example 6, the
memory-leak advice and the allocation benchmark loop), each run as written, then checked."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("pyexec.memory", reason="pyexec-memory is not installed")


def run(code: str, check: str = "") -> dict:
    """Run a seed snippet as a user would (module-level code), then the checks, in one namespace."""
    namespace: dict = {"__name__": "__seed_example__"}
    exec(compile(textwrap.dedent(code), "<seed example>", "exec"), namespace)
    if check:
        exec(compile(textwrap.dedent(check), "<checks>", "exec"), namespace)
    return namespace


SETUP = "from pyexec.memory import MemoryManager\nmm = MemoryManager()\n"


def test_constructor_example():
    ns = run(
        """
        from pyexec.memory import MemoryManager

        mm = MemoryManager(size=10 * 1024 * 1024)  # 10 MB
        """
    )
    assert ns["mm"].get_usage() == (0, 10 * 1024 * 1024)


def test_alloc_example(capsys):
    run(
        SETUP
        + """
ptr = mm.alloc(64)  # Allocate 64 bytes
if ptr == 0:
    print("Out of memory!")
""",
        "assert ptr != 0 and ptr % 8 == 0",
    )
    assert capsys.readouterr().out == ""


def test_free_example():
    run(
        SETUP
        + """
ptr = mm.alloc(128)
# ... use memory ...
mm.free(ptr, 128)
""",
        "assert mm.get_usage()[0] == 0",
    )


def test_alloc_string_example():
    ns = run(
        SETUP
        + """
ptr = mm.alloc_string("Hello, World!")
s = mm.read_string(ptr)  # "Hello, World!"
mm.decref(ptr)
"""
    )
    assert ns["s"] == "Hello, World!" and ns["mm"].get_usage()[0] == 0


def test_read_string_example():
    run(
        SETUP
        + """
ptr = mm.alloc_string("test")
assert mm.read_string(ptr) == "test"
"""
    )


def test_alloc_array_example():
    ns = run(
        SETUP
        + """
# Array of 10 int64s
ptr = mm.alloc_array(10, elem_size=8)

# Access elements
from pyexec.memory import write_i64, read_i64
write_i64(mm.memory, ptr + 8 + 0*8, 42)
value = read_i64(mm.memory, ptr + 8 + 0*8)  # 42
"""
    )
    assert ns["value"] == 42
    assert ns["mm"].array_len(ns["ptr"]) == 10  # element 0 did not overwrite the length


def test_alloc_dict_example():
    run(
        SETUP
        + """
dict_ptr = mm.alloc_dict(capacity=32)
# Dict operations would be implemented in LLVM IR
mm.decref_dict(dict_ptr)
""",
        "assert mm.get_usage()[0] == 0",
    )


def test_alloc_list_example():
    run(
        SETUP
        + """
list_ptr = mm.alloc_list(capacity=10, elem_size=8)
mm.decref_list_auto(list_ptr)
""",
        "assert mm.get_usage()[0] == 0",
    )


def test_incref_example_frees_at_zero():
    run(
        SETUP
        + """
ptr = mm.alloc(64)
mm.incref(ptr)  # Refcount: 0 → 1
mm.decref(ptr)  # Refcount: 1 → 0 (freed)
""",
        "assert mm.get_usage()[0] == 0 and mm.live_blocks() == {}",
    )


def test_decref_example_runs_and_balances():
    # alloc_string hands the caller one reference, so after this balanced pair the caller still holds it.
    run(
        SETUP
        + """
ptr = mm.alloc_string("test")
mm.incref(ptr)  # Refcount: 1
mm.decref(ptr)  # Refcount: 0, memory freed
""",
        "assert mm.refcount(ptr) == 1; mm.decref(ptr); assert mm.get_usage()[0] == 0",
    )


def test_get_usage_example(capsys):
    run(
        SETUP
        + """
used, total = mm.get_usage()
print(f"Memory: {used}/{total} bytes ({100*used/total:.1f}%)")
"""
    )
    assert capsys.readouterr().out == "Memory: 0/1048576 bytes (0.0%)\n"


def test_reset_example():
    run(
        SETUP + "_ = [mm.alloc(100) for _ in range(10)]\nmm.reset()  # Clear all allocations\n",
        "assert mm.get_usage()[0] == 0",
    )


def test_low_level_access_examples():
    ns = run(
        SETUP
        + """
ptr = mm.alloc(64)
from pyexec.memory import write_i32
write_i32(mm.memory, ptr, 42)
from pyexec.memory import read_i32
value = read_i32(mm.memory, ptr)
from pyexec.memory import read_f32, write_f32, read_f64, write_f64, read_i64, write_i64
write_f32(mm.memory, ptr + 8, 1.5)
write_f64(mm.memory, ptr + 16, -2.5)
write_i64(mm.memory, ptr + 24, -(2**63))
"""
    )
    mm, ptr = ns["mm"], ns["ptr"]
    assert ns["value"] == 42
    assert ns["read_f32"](mm.memory, ptr + 8) == 1.5 and ns["read_f64"](mm.memory, ptr + 16) == -2.5
    assert ns["read_i64"](mm.memory, ptr + 24) == -(2**63)


def test_wasm_memory_manager_examples(capsys):
    ns = run(
        """
        from pyexec.wasm_memory import WasmMemoryManager

        wmm = WasmMemoryManager(initial_pages=256)  # 16 MB

        success = wmm.grow_memory(128)  # Add 8 MB
        if not success:
            print("Failed to grow memory")
        """
    )
    assert ns["success"] is True and ns["wmm"].pages == 384
    assert capsys.readouterr().out == ""
    from pyexec.wasm_memory import HEAP_START

    assert HEAP_START == 65536 and ns["wmm"].grow_memory(65536) is False  # past wasm32's 4 GiB


def test_example_6_memory_manager_usage():
    code = """
from pyexec.memory import MemoryManager, write_i64, read_i64
import numpy as np

# Create memory manager
mm = MemoryManager(size=1024 * 1024)  # 1 MB

# Allocate array of 100 integers
array_ptr = mm.alloc(100 * 8)  # 8 bytes per int64

# Write values
for i in range(100):
    write_i64(mm.memory, array_ptr + i * 8, i * i)

# Read values
for i in range(10):
    value = read_i64(mm.memory, array_ptr + i * 8)
    print(f"array[{i}] = {value}")

# Free memory
mm.free(array_ptr, 100 * 8)

# Check usage
used, total = mm.get_usage()
print(f"Memory: {used}/{total} bytes")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    expected = [f"array[{i}] = {i * i}" for i in range(10)] + ["Memory: 0/1048576 bytes"]
    assert out.splitlines() == expected


def test_memory_leak_advice_balances_incref_and_decref():
    ns = run(
        SETUP
        + """
before = mm.get_usage()[0]
ptr = mm.alloc_string("test")
mm.incref(ptr)
# ... use ...
mm.decref(ptr)  # Don't forget!
"""
    )
    mm = ns["mm"]
    assert mm.refcount(ns["ptr"]) == 1  # back to the caller's own reference: nothing leaked by the pair
    mm.decref(ns["ptr"])
    assert mm.get_usage()[0] == ns["before"]


def test_memory_leak_shows_in_usage_when_a_decref_is_forgotten():
    mm = run(SETUP)["mm"]
    for _ in range(100):
        ptr = mm.alloc_string("test")
        mm.incref(ptr)
        mm.decref(ptr)  # the caller's own reference is never released: a leak
    assert mm.get_usage()[0] == 100 * 24 and len(mm.live_blocks()) == 100


def test_performance_tip_reuses_one_buffer():
    ns = run(
        SETUP
        + """
# Good - reuse buffer
buffer = mm.alloc(1024)
def process():
    mm.memory[buffer : buffer + 1024] = 1
for _ in range(3):
    process()
mm.free(buffer, 1024)
""",
        "assert mm.get_usage()[0] == 0",
    )
    assert ns["buffer"] != 0


def test_allocation_benchmark_loop_runs():
    run(
        """
        from pyexec.memory import MemoryManager
        mm = MemoryManager(size=100 * 1024 * 1024)
        for i in range(100_000):
            ptr = mm.alloc(64)
            mm.free(ptr, 64)
        """,
        "assert mm.get_usage()[0] == 0",
    )


def test_meta_package_exports_the_managers_lazily():
    code = (
        "import sys, pyexec; assert 'pyexec.memory' not in sys.modules; "
        "mm = pyexec.MemoryManager(4096); w = pyexec.WasmMemoryManager(2); print(mm.alloc(8) > 0, w.pages)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "2"]
