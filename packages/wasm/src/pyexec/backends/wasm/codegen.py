"""LLVM IR → optimised relocatable wasm32 object, through llvmlite's built-in WebAssembly target.

llvmlite is imported inside the functions so that importing this module stays light.

Example:
    >>> obj = emit_object('define i64 @sq(i64 %x) {\\n  %r = mul i64 %x, %x\\n  ret i64 %r\\n}', optimize=2)
    >>> obj[:4]
    b'\\x00asm'
"""

from __future__ import annotations

from typing import Any

WASM32_TRIPLE = "wasm32-unknown-unknown"
WASM32_DATA_LAYOUT = "e-m:e-p:32:32-p10:8:8-p20:8:8-i64:64-i128:128-n32:64-S128-ni:1:10:20"
"""The data layout of LLVM's wasm32 target (what ``target_data`` reports for it)."""


class WasmCodegenError(Exception):
    """LLVM could not turn the module into a wasm32 object (invalid IR or an unsupported construct)."""


_initialized = False


def _llvm() -> Any:
    global _initialized
    import llvmlite.binding as llvm

    if not _initialized:
        llvm.initialize_all_targets()
        llvm.initialize_all_asmprinters()
        _initialized = True
    return llvm


def target_machine(optimize: int = 2) -> Any:
    """llvmlite's wasm32 target machine at ``optimize`` (0–3), static relocation model.

    Example:
        >>> target_machine(2).triple
        'wasm32-unknown-unknown'
    """
    if optimize not in (0, 1, 2, 3):
        raise ValueError(f"optimize must be 0, 1, 2 or 3, not {optimize!r}")
    llvm = _llvm()
    target = llvm.Target.from_triple(WASM32_TRIPLE)
    return target.create_target_machine(opt=optimize, reloc="static", codemodel="default")


def optimize_module(module: Any, optimize: int) -> None:
    """Run LLVM's standard pipeline for ``-O<optimize>`` over a parsed ``ModuleRef`` in place."""
    llvm = _llvm()
    if optimize == 0:
        return
    tm = target_machine(optimize)
    pto = llvm.create_pipeline_tuning_options(speed_level=optimize)
    pto.loop_vectorization = False  # wasm32 without SIMD gains nothing from it, and code grows
    pto.slp_vectorization = False
    builder = llvm.create_pass_builder(tm, pto)
    builder.getModulePassManager().run(module, builder)


def parse_module(module: Any) -> Any:
    """LLVM IR (text or ``llvmlite.ir.Module``) → a verified wasm32 ``ModuleRef``.

    Example:
        >>> parse_module('define i32 @one() {\\n  ret i32 1\\n}').triple
        'wasm32-unknown-unknown'
    """
    llvm = _llvm()
    text = str(module)
    if "target triple" not in text:
        text = f'target triple = "{WASM32_TRIPLE}"\n' + text
    try:
        ref = llvm.parse_assembly(text)
        ref.verify()
    except RuntimeError as exc:
        raise WasmCodegenError(f"LLVM rejected the module: {exc}") from exc
    ref.triple = WASM32_TRIPLE
    ref.data_layout = WASM32_DATA_LAYOUT
    return ref


def emit_object(module: Any, optimize: int = 2, *, optimized: bool = False) -> bytes:
    """Optimise LLVM IR (text, ``llvmlite.ir.Module`` or ``ModuleRef``) and emit a relocatable wasm32 object.

    ``optimized=True``: the ``ModuleRef`` already went through :func:`optimize_module`; only emit it.

    Example:
        >>> len(emit_object('define i32 @one() {\\n  ret i32 1\\n}')) > 0
        True
    """
    llvm = _llvm()
    ref = module if isinstance(module, llvm.ModuleRef) else parse_module(module)
    ref.triple = WASM32_TRIPLE
    ref.data_layout = WASM32_DATA_LAYOUT
    if not optimized:
        optimize_module(ref, optimize)
    return bytes(target_machine(optimize).emit_object(ref))
