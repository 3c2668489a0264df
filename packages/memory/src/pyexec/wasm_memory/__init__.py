"""pyexec's heap in WebAssembly linear memory: ``WasmMemoryManager`` (a heap with its own allocator),
``ModuleMemoryManager`` (a live pyexec module's heap, through the allocator compiled into it) and the
wasm32 memory constants.

Example:
    >>> from pyexec.wasm_memory import WasmMemoryManager, HEAP_START
    >>> wmm = WasmMemoryManager(initial_pages=256)  # 16 MiB
    >>> wmm.alloc(64) >= HEAP_START
    True
"""

from pyexec.wasm_memory.constants import (
    DEFAULT_INITIAL_PAGES,
    HEAP_START,
    MAX_MEMORY_BYTES,
    MAX_PAGES,
    PAGE_SIZE,
    WASM_PAGE_SIZE,
)
from pyexec.wasm_memory.linear_memory import ExportedLinearMemory, OwnedLinearMemory
from pyexec.wasm_memory.manager import WasmMemoryManager
from pyexec.wasm_memory.module_heap import ModuleMemoryManager

__all__ = [
    "DEFAULT_INITIAL_PAGES",
    "HEAP_START",
    "MAX_MEMORY_BYTES",
    "MAX_PAGES",
    "PAGE_SIZE",
    "WASM_PAGE_SIZE",
    "ExportedLinearMemory",
    "ModuleMemoryManager",
    "OwnedLinearMemory",
    "WasmMemoryManager",
]
