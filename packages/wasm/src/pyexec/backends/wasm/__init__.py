"""pyexec's WebAssembly backend: Python functions → ``.wasm`` + JS glue + ``.d.ts`` + HTML demo.

Code generation reuses the native backend's lowering with the wasm32 triple; a built-in linker
(:mod:`~pyexec.backends.wasm.link`) turns LLVM's relocatable object into a runnable module without any
external toolchain; :func:`load` runs a module from Python in wasmtime.

Example:
    >>> from pyexec.backends.wasm import wasm, load      # doctest: +SKIP
    >>> def square(x: int) -> int:
    ...     return x * x
    >>> files = wasm(square, "square.wasm")               # doctest: +SKIP
    >>> load(files["wasm"]).square(12)                    # doctest: +SKIP
    144
"""

from pyexec.backends.wasm.build import (
    CompiledWasm,
    WasmBuildError,
    compile_functions,
    compile_ir_module,
    wasm,
    wasm_multi,
    write_outputs,
)
from pyexec.backends.wasm.link import LinkError, link
from pyexec.backends.wasm.loader import WasmFunction, WasmLoadError, WasmModule, WasmTrap, load

__all__ = [
    "CompiledWasm",
    "LinkError",
    "WasmBuildError",
    "WasmFunction",
    "WasmLoadError",
    "WasmModule",
    "WasmTrap",
    "compile_functions",
    "compile_ir_module",
    "link",
    "load",
    "wasm",
    "wasm_multi",
    "write_outputs",
]
