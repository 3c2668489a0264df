"""The numbers of WebAssembly linear memory (wasm32) that the heap follows.

Example:
    >>> from pyexec.wasm_memory.constants import MAX_MEMORY_BYTES
    >>> MAX_MEMORY_BYTES == 4 * 1024**3
    True
"""

WASM_PAGE_SIZE = 65536
"""Linear memory grows in pages of 64 KiB."""
PAGE_SIZE = WASM_PAGE_SIZE
HEAP_START = 65536
"""The heap begins after the first 64 KiB, which compiled modules keep for their stack and globals."""
MAX_PAGES = 65536
"""wasm32 addresses are 32-bit: at most 65,536 pages, i.e. 4 GiB."""
MAX_MEMORY_BYTES = MAX_PAGES * WASM_PAGE_SIZE
DEFAULT_INITIAL_PAGES = 256
