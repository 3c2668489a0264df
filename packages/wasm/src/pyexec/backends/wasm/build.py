"""Python functions → a linked ``.wasm`` module, plus its JS glue, TypeScript declarations and HTML demo.

The pipeline: the frontend's typed IR, the native backend's target-independent lowering with the
wasm32 triple (same Python semantics, same error state), LLVM's wasm32 code generator through
llvmlite, and pyexec's own linker (:mod:`pyexec.backends.wasm.link`).

Example:
    >>> def square(x: int) -> int:
    ...     return x * x
    >>> files = wasm(square, "build/square.wasm")          # doctest: +SKIP
    >>> sorted(files)                                        # doctest: +SKIP
    ['dts', 'html', 'js', 'wasm']
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyexec.backends.wasm.compiler_builtins import BUILTIN_NAMES, BUILTINS_IR, with_fast_multiplication
from pyexec.backends.wasm.loop_unroll import with_unrolled_inner_loops
from pyexec.backends.wasm.signature import (
    SECTION_NAME,
    ExportSignature,
    Param,
    SignatureError,
    array_info,
    check_boundary_type,
    encode_signatures,
)
from pyexec.backends.wasm.wasm_binary import SECTION_CUSTOM, section
from pyexec.frontend.ir.types import ArrayT, TupleT

ERROR_CODE_EXPORT = "error.code"
"""Exported i32 global: the address of the error code (an i32; 0 = no error, else ``runtime.ERROR_KINDS``)."""
ERROR_MESSAGE_EXPORT = "error.message"
"""Exported i32 global: the address of the error message pointer (a NUL-terminated UTF-8 string)."""
RESERVED_EXPORTS = {"memory", ERROR_CODE_EXPORT, ERROR_MESSAGE_EXPORT, "pyexec_alloc", "pyexec_decref",
                    "pyexec_free_call_blocks", "pyexec_live_blocks", "pyexec_heap_used",
                    "pyexec_heap_start"}


class WasmBuildError(Exception):
    """The functions cannot be built into a wasm module (bad options, names, or types)."""


@dataclass
class CompiledWasm:
    """A linked module's bytes and what its exports are."""

    wasm: bytes
    signatures: list[ExportSignature]
    imports: list[str]


def compile_ir_module(
    module: Any,
    *,
    optimize: int = 2,
    export_names: Mapping[str, str] | None = None,
    functions: Sequence[str] | None = None,
    names: bool | None = None,
    overflow: str = "check",
    libm: str = "host",
) -> CompiledWasm:
    """Lower, optimise and link a typed IR module (``pyexec.frontend.ir.nodes.Module``) to wasm bytes.

    ``functions`` selects what to export (default: every function); ``export_names`` renames exports;
    ``overflow="wrap"`` makes Python's ``int`` wrap like int64 instead of raising OverflowError;
    ``libm="linked"`` puts glibc's libm in the module (the same results in every engine), ``libm="host"``
    imports the libm functions instead (JavaScript's ``Math`` on the web; see :mod:`pyexec.backends.wasm.libm`).

    Example:
        >>> compiled = compile_ir_module(ir_module, optimize=2)    # doctest: +SKIP
        >>> [str(s) for s in compiled.signatures]                  # doctest: +SKIP
        ['square(x:int)->int!']
    """
    from pyexec.backends.llvm.lowering import fallible_functions, lower_module, written_parameters
    from pyexec.backends.llvm.runtime import ERROR_CODE_GLOBAL, ERROR_MESSAGE_GLOBAL
    from pyexec.backends.wasm.codegen import (
        WASM32_DATA_LAYOUT,
        WASM32_TRIPLE,
        emit_object,
        optimize_module,
        parse_module,
    )
    from pyexec.backends.wasm.host_runtime import HOST_FUNCTIONS
    from pyexec.backends.wasm.libm import LibmError, check_mode, link_libm
    from pyexec.backends.wasm.link import link

    if optimize not in (0, 1, 2, 3):
        raise WasmBuildError(f"optimize must be 0, 1, 2 or 3, not {optimize!r}")
    selected = list(functions) if functions is not None else list(module.functions)
    renames = dict(export_names or {})
    export_map: dict[str, str] = {}
    if overflow not in ("check", "wrap"):
        raise WasmBuildError(f"overflow must be 'check' or 'wrap', not {overflow!r}")
    try:
        check_mode(libm)
    except LibmError as exc:
        raise WasmBuildError(str(exc)) from None
    fallible = fallible_functions(module, overflow, triple=WASM32_TRIPLE)
    written = written_parameters(module)
    signatures: list[ExportSignature] = []
    for name in selected:
        func = module.functions.get(name)
        if func is None:
            raise WasmBuildError(
                f"no function named {name!r} to export (the module has: {', '.join(module.functions)})")
        if name in HOST_FUNCTIONS or name in BUILTIN_NAMES or name.startswith("pyexec"):
            raise WasmBuildError(
                f"a compiled function cannot be named {name!r}: in a wasm module that name belongs to the C "
                "library or pyexec's runtime; rename the function (export_name= can still export it as anything)")
        export = renames.get(name, name)
        _check_export_name(export)
        if export in RESERVED_EXPORTS or export in export_map.values():
            raise WasmBuildError(f"the export name {export!r} is taken; choose another export_name")
        try:
            for p in func.params:
                check_boundary_type(name, f"parameter {p.name!r}", boundary_name(p.type))
            check_boundary_type(name, "return value", boundary_name(func.return_type))
        except SignatureError as exc:
            raise WasmBuildError(str(exc)) from exc
        export_map[name] = export
        params = tuple(Param(p.name, boundary_name(p.type)[:-1] + ";w]" if p.index in written.get(name, ())
                             else boundary_name(p.type)) for p in func.params)
        signatures.append(ExportSignature(export, params,
                                          boundary_name(func.return_type), name in fallible))
    lowered = lower_module(module, triple=WASM32_TRIPLE, data_layout=WASM32_DATA_LAYOUT, overflow=overflow,
                           exports=selected)
    export_data: dict[str, str] = {}
    if any(s.fallible for s in signatures):
        # The error state's two globals become exported data: hosts read the code and the message pointer
        # straight from linear memory after a call (no getter calls, ~1 µs from Python), and, being visible,
        # LLVM keeps them as the i32 code and the pointer (an internal code may be shrunk to a flag).
        for symbol, export in ((ERROR_CODE_GLOBAL, ERROR_CODE_EXPORT), (ERROR_MESSAGE_GLOBAL, ERROR_MESSAGE_EXPORT)):
            lowered.get_global(symbol).linkage = ""
            export_data[symbol] = export
    text = with_fast_multiplication(str(lowered))
    if optimize >= 2:  # fewer loop back-edges, so fewer of wasmtime's epoch checks (see loop_unroll.py)
        text = with_unrolled_inner_loops(text)
    ir_module = parse_module(text + BUILTINS_IR)
    arrays = any(array_info(t) or t == "str" for s in signatures for t in [s.result, *(p.type for p in s.params)])
    if arrays or any(f.name.startswith("pyexec_rt_") for f in ir_module.functions):
        # the array runtime and its allocator, over this module's linear memory (one heap per instance)
        from pyexec.backends.wasm.array_runtime import HOST_EXPORTS, wasm_array_runtime_ir

        ir_module.link_in(parse_module(wasm_array_runtime_ir()))
        export_map.update(HOST_EXPORTS)
    optimize_module(ir_module, optimize)
    if libm == "linked":  # after optimisation: it shows every libm call, including LLVM's own (frem → fmod)
        try:
            link_libm(ir_module)
        except LibmError as exc:
            raise WasmBuildError(str(exc)) from None
    obj = emit_object(ir_module, optimize, optimized=True)
    linked = link(obj, export_map, host_functions=HOST_FUNCTIONS, export_data=export_data,
                  stack_size=_stack_size(), names=optimize == 0 if names is None else names)
    wasm = linked.wasm + section(SECTION_CUSTOM, encode_signatures(signatures), name=SECTION_NAME)
    return CompiledWasm(wasm, signatures, linked.imports)


def boundary_name(t: object) -> str:
    """A type as the signature section writes it: ``int``, ``None``, ``tuple[int;float64]``, ``array[float64;1;A]``."""
    if isinstance(t, TupleT):
        return "tuple[" + ";".join(str(i) for i in t.items) + "]"
    if isinstance(t, ArrayT):
        return f"array[{t.dtype};{t.ndim};{t.layout}]"
    return str(t)


def _stack_size() -> int:
    """The shadow stack: the lowering's recursion budget (RecursionError past it) plus room for the frames."""
    from pyexec.backends.llvm import runtime
    from pyexec.backends.wasm.link import DEFAULT_STACK_SIZE

    return DEFAULT_STACK_SIZE + getattr(runtime, "STACK_BUDGET", 0)


def _check_export_name(name: str) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or not name.isascii():
        raise WasmBuildError(f"export name {name!r} is not a valid identifier (JavaScript needs one)")


def compile_functions(
    funcs: Sequence[Callable[..., Any]], *, optimize: int = 2, export_names: Mapping[str, str] | None = None,
    libm: str = "host",
) -> CompiledWasm:
    """Compile Python functions (checked and typed by the frontend) into one wasm module's bytes.

    Example:
        >>> compile_functions([square]).signatures[0].name     # doctest: +SKIP
        'square'
    """
    from pyexec.frontend import analyze_functions
    from pyexec.frontend.source import unwrap

    if not funcs:
        raise WasmBuildError("no functions to compile: pass at least one function")
    funcs = [unwrap(f) for f in funcs]  # a @pyexec.jit/aot/compile function: its Python original
    for f in funcs:
        if not callable(f) or not hasattr(f, "__code__"):
            raise WasmBuildError(f"{f!r} is not a Python function; wasm() compiles functions defined with def")
    module = analyze_functions(list(funcs))
    return compile_ir_module(module, optimize=optimize, export_names=export_names,
                             functions=[f.__name__ for f in funcs], libm=libm)


def _output_paths(output: str | Path) -> Path:
    path = Path(output)
    if path.suffix != ".wasm":
        path = path.with_name(path.name + ".wasm") if path.suffix == "" else path.with_suffix(".wasm")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def write_outputs(compiled: CompiledWasm, output: str | Path, *, generate_html: bool = True) -> dict[str, Path]:
    """Write ``.wasm``, ``.js``, ``.d.ts`` and (optionally) ``.html`` next to each other; return their paths.

    Example:
        >>> write_outputs(compiled, "out/math.wasm")["js"].name     # doctest: +SKIP
        'math.js'
    """
    from pyexec.backends.wasm.html_demo import demo_html
    from pyexec.backends.wasm.js_glue import glue_js, loader_name
    from pyexec.backends.wasm.typescript import glue_dts

    wasm_path = _output_paths(output)
    stem = wasm_path.stem
    files = {"wasm": wasm_path, "js": wasm_path.with_suffix(".js"), "dts": wasm_path.with_suffix(".d.ts")}
    wasm_path.write_bytes(compiled.wasm)
    files["js"].write_text(glue_js(wasm_path.name, compiled.signatures), encoding="utf-8")
    files["dts"].write_text(glue_dts(stem, compiled.signatures), encoding="utf-8")
    if generate_html:
        files["html"] = wasm_path.with_suffix(".html")
        files["html"].write_text(demo_html(stem, files["js"].name, loader_name(stem), compiled.signatures),
                                 encoding="utf-8")
    return files


def wasm(
    func: Callable[..., Any],
    output: str | Path,
    optimize: int = 2,
    export_name: str | None = None,
    generate_html: bool = True,
    *,
    libm: str = "host",
) -> dict[str, Path]:
    """Compile one function to a WebAssembly module with JS glue, TypeScript types and a demo page.

    Returns ``{'wasm', 'js', 'dts', 'html'}`` paths (``html`` only when ``generate_html``). ``libm="host"``
    imports libm functions (JavaScript's ``Math`` on the web) instead of linking glibc's into the module.

    Example:
        >>> def square(x: int) -> int:
        ...     return x * x
        >>> wasm(square, "square.wasm")["wasm"].name      # doctest: +SKIP
        'square.wasm'
    """
    names = {func.__name__: export_name} if export_name else None
    compiled = compile_functions([func], optimize=optimize, export_names=names, libm=libm)
    return write_outputs(compiled, output, generate_html=generate_html)


def wasm_multi(
    funcs: Sequence[Callable[..., Any]],
    output: str | Path,
    optimize: int = 2,
    generate_html: bool = True,
    *,
    libm: str = "host",
) -> dict[str, Path]:
    """Compile several functions into one WebAssembly module that exports them all.

    Returns ``{'wasm', 'js', 'dts', 'html'}`` paths (``html`` only when ``generate_html``).

    Example:
        >>> def add(a: int, b: int) -> int:
        ...     return a + b
        >>> wasm_multi([add], "math.wasm")["js"].name      # doctest: +SKIP
        'math.js'
    """
    compiled = compile_functions(list(funcs), optimize=optimize, libm=libm)
    return write_outputs(compiled, output, generate_html=generate_html)
