"""The libm linked into wasm modules on request: glibc's own algorithms, the same bits in every engine.

A module that calls ``math.sin`` either imports ``sin`` from its host (``libm="host"``, the default: the
JS glue gives the engine's ``Math.sin``, the Python loader gives Python's ``math.sin``) or carries it
(``libm="linked"``; not the default, because it puts LGPL-2.1 code into the user's module): ``libm.bc``
next to this file is glibc 2.36's ``sysdeps/ieee754/dbl-64`` code compiled to wasm32 LLVM bitcode by
``packages/wasm/libm/build_libm.py`` (pinned inputs, recorded in ``libm.json``).
:func:`link_libm` links it into the optimised module (the libm itself was optimised by clang at ``-O2``,
so it is fast at every ``optimize``); only the functions the module calls survive.

The results are glibc's portable x86-64 code's, bit for bit (what CPython computes on a CPU without FMA);
docs/backends/wasm.md lists, per function, how often that differs from CPython on a CPU with FMA.

Example:
    >>> "sin" in LINKED_FUNCTIONS and "sinf" in LINKED_FUNCTIONS
    True
    >>> LIBM_MODES
    ('linked', 'host')
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

BITCODE_PATH = Path(__file__).with_name("libm.bc")
MANIFEST_PATH = Path(__file__).with_name("libm.json")

LIBM_MODES = ("linked", "host")
"""``linked``: glibc's libm inside the module (the default); ``host``: libm functions are imports."""

LINKED_FUNCTIONS = frozenset(f"{name}{suffix}" for name in (
    "exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "atan2", "hypot", "pow", "fmod", "exp2", "ldexp", "asinh", "acosh", "atanh", "cbrt", "erf", "erfc")
    for suffix in ("", "f"))
"""Every libm function lowered code calls (``pyexec.backends.llvm.runtime.LIBM_FUNCTIONS``, and float32), plus
``exp2`` and ``ldexp``, which LLVM substitutes for ``pow(2.0, x)``."""

_INTRINSIC = re.compile(r"llvm\.([a-z0-9]+)\.(f64|f32)")


class LibmError(Exception):
    """The linked libm cannot be used (an unknown mode, or an llvmlite too old to read its bitcode)."""


def check_mode(libm: str) -> str:
    """``libm`` if it names a mode, else :class:`LibmError` saying which modes exist.

    Example:
        >>> check_mode("host")
        'host'
    """
    if libm not in LIBM_MODES:
        raise LibmError(f"libm must be 'linked' (glibc's libm inside the module, the same results in every engine) "
                        f"or 'host' (import libm functions: JavaScript's Math in Node and browsers), not {libm!r}")
    return libm


@functools.cache
def manifest() -> dict[str, Any]:
    """What ``libm.bc`` was built from (glibc version, compiler, flags, hashes)."""
    return json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


def link_libm(module: Any) -> list[str]:
    """Link glibc's libm into ``module`` (an optimised llvmlite ``ModuleRef`` for wasm32) where it calls libm.

    Returns the libm functions the module calls, directly or through what the code generator turns into
    calls (``frem`` is ``fmod``, ``llvm.pow.f64`` is ``pow``, ...); with none, the module is left untouched.
    Every other function of the libm is deleted.

    Example:
        >>> import llvmlite.binding as llvm
        >>> ref = llvm.parse_assembly('declare double @sin(double)\\n'
        ...     'define double @f(double %x) {\\n  %r = call double @sin(double %x)\\n  ret double %r\\n}')
        >>> link_libm(ref), bool(ref.get_function("sin").is_declaration)
        (['sin'], False)
    """
    import llvmlite.binding as llvm

    called = sorted(_libm_calls(module))
    if not called:
        return []
    try:
        libm = llvm.parse_bitcode(BITCODE_PATH.read_bytes())
    except RuntimeError as exc:
        info = manifest()
        raise LibmError(
            f"this llvmlite (LLVM {'.'.join(map(str, llvm.llvm_version_info))}) cannot read pyexec's linked libm, "
            f"built with llvmlite {info['llvmlite']}: upgrade llvmlite, or build with libm='host' ({exc})") from exc
    libm.triple = module.triple
    module.link_in(libm)
    for name in LINKED_FUNCTIONS - set(called):
        module.get_function(name).linkage = "internal"
    _drop_unused(module)
    return called


def _libm_calls(module: Any) -> set[str]:
    """The libm functions the module's code will call once compiled (declared, or libcalls of LLVM's)."""
    names = set()
    for fn in module.functions:
        if not fn.is_declaration:
            for block in fn.blocks:
                for inst in block.instructions:
                    if inst.opcode == "frem":
                        names.add("fmod" if str(inst.type) == "double" else "fmodf")
        elif fn.name in LINKED_FUNCTIONS:
            names.add(fn.name)
        elif (m := _INTRINSIC.fullmatch(fn.name.split(".i32")[0])) is not None:
            name = m.group(1) + ("f" if m.group(2) == "f32" else "")
            if name in LINKED_FUNCTIONS:
                names.add(name)
    return names


def _drop_unused(module: Any) -> None:
    """Delete what the module does not reach, so no level of ``optimize`` compiles the whole libm."""
    import llvmlite.binding as llvm

    from pyexec.backends.wasm.codegen import target_machine

    pm = llvm.create_new_module_pass_manager()
    pm.add_global_dead_code_eliminate_pass()
    pm.run(module, llvm.create_pass_builder(target_machine(0), llvm.create_pipeline_tuning_options()))
