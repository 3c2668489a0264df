"""``compile_llvm``: write ``<base>.o``, ``<base>.so`` (``.dylib``/``.dll``) and ``<base>.h`` for C callers.

The object file holds the compiled functions and the small C runtime (``runtime.c``: print and
``round(x, n)``), its helper symbols made local, so it links statically on its own (with ``-lm``).
The shared library is linked from it by the system C compiler (``$CC``, else ``cc``, else ``gcc``);
a symlink ``lib<base>.so`` next to it lets ``cc main.c -L. -l<base>`` find it.

Example:
    >>> from pyexec.backends.llvm.library import shared_library_suffix
    >>> shared_library_suffix() in (".so", ".dylib", ".dll")
    True
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.array_runtime import FUNCTIONS as ARRAY_RUNTIME_FUNCTIONS
from pyexec.backends.llvm.array_runtime import array_runtime_ir
from pyexec.backends.llvm.cnames import check_symbol
from pyexec.backends.llvm.errors import CCompilerError, NativeBuildError
from pyexec.backends.llvm.lowering import MESSAGE_TEXT_GLOBAL, OVERFLOW_MODES, lower_module
from pyexec.backends.llvm.optimize import check_opt, file_target_machine, optimize, parse
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, NoneT, ScalarT, StrT, TupleT, ValueT

if TYPE_CHECKING:
    from pyexec.frontend.irbuild.arrays import ArgumentType


def shared_library_suffix() -> str:
    """``.so`` on Linux, ``.dylib`` on macOS, ``.dll`` on Windows."""
    if sys.platform == "darwin":
        return ".dylib"
    if sys.platform == "win32":
        return ".dll"
    return ".so"


def compile_llvm(func_or_funcs: Callable[..., Any] | Iterable[Callable[..., Any]], base_name: str,
                 output_dir: str | os.PathLike[str] = ".", *, opt: int = 2, overflow: str = "check",
                 cpu: str = "generic", signature: Sequence[Any] | None = None) -> dict[str, Path]:
    """Compile Python functions to ``<base>.o``, ``<base>.so`` and ``<base>.h`` in ``output_dir``.

    Each function keeps its name as its C symbol (see :mod:`pyexec.backends.llvm.cnames`);
    functions they call are compiled in but not exported. ``cpu`` is ``"generic"`` (portable),
    ``"native"`` or an LLVM CPU name. ``signature`` (one function only) gives one type per parameter,
    written as annotations are (``[float64[:, ::1], int]``; ``None`` keeps a parameter's annotation):
    it completes parameters without an annotation or with a partial one (``np.ndarray``), and must
    agree with a complete one. Returns ``{'object', 'library', 'header'}`` as Paths.

    Example:
        >>> import tempfile
        >>> def multiply(x: int, y: int) -> int:
        ...     return x * y
        >>> files = compile_llvm(multiply, "multiply", tempfile.mkdtemp())
        >>> sorted(files), files["header"].name
        (['header', 'library', 'object'], 'multiply.h')
    """
    from pyexec.frontend import analyze_functions

    funcs = [func_or_funcs] if callable(func_or_funcs) else list(func_or_funcs)
    if not funcs:
        raise NativeBuildError("compile_llvm needs at least one function")
    funcs = [getattr(f, "__wrapped__", f) if type(f).__name__ == "CompiledFunction" else f for f in funcs]
    for f in funcs:
        check_symbol(getattr(f, "__name__", "?"))
    given = None if signature is None else signature_types(funcs, signature)
    module = analyze_functions(funcs, include_callees=True, argument_types=given)
    if given is not None:
        check_signature(module.functions[funcs[0].__name__], given)
    return build_library(module, [f.__name__ for f in funcs], base_name, output_dir, opt=opt, overflow=overflow,
                         cpu=cpu)


def signature_types(funcs: list[Callable[..., Any]], signature: Sequence[Any]) -> list[ArgumentType | None]:
    """The IR types ``signature=`` gives the parameters of ``funcs[0]`` (a TypeError naming what is wrong).

    Example:
        >>> from pyexec.types import float64
        >>> def scale(a, k: float) -> None: ...
        >>> [str(t.type) if t else None for t in signature_types([scale], [float64[:, ::1], None])]
        ['float64[:, ::1]', None]
    """
    import inspect

    from pyexec.frontend.ir.types import BY_NAME, COMPLEX128, FLOAT64, INT
    from pyexec.frontend.irbuild.arrays import ArgumentType
    from pyexec.types.scalars import ArrayAnnotation, ScalarType

    if len(funcs) != 1:
        raise TypeError("compile_llvm(signature=...) types the parameters of one function; compile the others "
                        "with complete annotations in a separate call, or annotate them")
    func = funcs[0]
    if isinstance(signature, (str, bytes)) or not isinstance(signature, Sequence):
        raise TypeError(f"compile_llvm(signature=...) takes a list with one type per parameter of "
                        f"{func.__name__}(), e.g. [float64[:, ::1], int]; got {type(signature).__name__}")
    names = list(inspect.signature(func).parameters)
    if len(signature) != len(names):
        raise TypeError(f"compile_llvm(signature=...) has {len(signature)} types for the {len(names)} parameters "
                        f"of {func.__name__}({', '.join(names)})")
    python = {int: ArgumentType(INT), float: ArgumentType(FLOAT64, True), complex: ArgumentType(COMPLEX128, True),
              bool: ArgumentType(BY_NAME["bool"])}  # type: ignore[arg-type]
    types: list[ArgumentType | None] = []
    for name, t in zip(names, signature):
        if t is None:
            types.append(None)
        elif isinstance(t, type) and t in python:
            types.append(python[t])
        elif isinstance(t, ScalarType):
            types.append(ArgumentType(BY_NAME[t.name], numpy_bool=t.name == "bool_"))  # type: ignore[arg-type]
        elif isinstance(t, ArrayAnnotation):
            types.append(ArgumentType(ArrayT(BY_NAME[t.dtype.name], t.ndim, t.layout)))  # type: ignore[arg-type]
        else:
            raise TypeError(f"compile_llvm(signature=...): {t!r} for parameter '{name}' is not a type compiled code "
                            "takes; use int, float, bool, complex, a pyexec.types scalar (float32, int8, …) or an "
                            "array type such as float64[:, ::1]")
    return types


def check_signature(function: n.Function, given: list[ArgumentType | None]) -> None:
    """A ``signature=`` entry for a completely annotated parameter must name the annotation's type."""
    for param, hint in zip(function.params, given):
        if hint is not None and str(hint.type) != str(param.type):
            raise TypeError(f"compile_llvm(signature=...) gives parameter '{param.name}' of {function.name}() the "
                            f"type {hint.type}, but its annotation says {param.type}; pass None for it or change "
                            "the annotation")


def build_library(module: n.Module, exports: list[str], base_name: str, output_dir: str | os.PathLike[str] = ".",
                  *, opt: int = 2, overflow: str = "check", cpu: str = "generic") -> dict[str, Path]:
    """Write the three files for the functions ``exports`` of a typed IR module (see :func:`compile_llvm`).

    Example:
        >>> build_library(n.Module(), [], "x")
        Traceback (most recent call last):
        ...
        pyexec.backends.llvm.errors.NativeBuildError: nothing to export: name at least one function
    """
    if not exports:
        raise NativeBuildError("nothing to export: name at least one function")
    check_opt(opt)
    if overflow not in OVERFLOW_MODES:
        raise NativeBuildError(f"overflow must be 'check' or 'wrap', not {overflow!r}")
    check_symbol(base_name, "base name")
    for name in exports:
        check_symbol(name)
        for suffix in ("_last_error", "_last_error_message", "_clear_error", "_array_release", "_str_release"):
            if name == base_name + suffix:
                raise NativeBuildError(f"the function {name!r} clashes with the error API of {base_name!r}; "
                                       "rename it or choose another base name")
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    compiler = find_c_compiler()
    tm = file_target_machine(opt, cpu)
    lowered = lower_module(module, triple=tm.triple, data_layout=str(tm.target_data), overflow=overflow,
                           error_prefix=base_name, exports=exports)
    llmod = optimize(parse(with_array_runtime(thread_local_state(str(lowered)))), tm, opt)
    paths = {
        "object": out / f"{base_name}.o",
        "library": out / f"{base_name}{shared_library_suffix()}",
        "header": out / f"{base_name}.h",
    }
    with tempfile.TemporaryDirectory(prefix="pyexec-native-") as tmp:
        code_o = Path(tmp) / "code.o"
        code_o.write_bytes(tm.emit_object(llmod))
        runtime_c = Path(tmp) / "pyexec_runtime.c"
        runtime_c.write_text(resources.files("pyexec.backends.llvm").joinpath("runtime.c").read_text())
        runtime_o = Path(tmp) / "runtime.o"
        _run([*compiler, "-c", "-O2", "-fPIC", "-fvisibility=hidden", str(runtime_c), "-o", str(runtime_o)],
             "compiling the pyexec runtime")
        combined = Path(tmp) / "combined.o"
        _run([*compiler, "-r", "-nostdlib", str(code_o), str(runtime_o), "-o", str(combined)],
             "combining the object file")
        objcopy = shutil.which("objcopy")
        if objcopy:
            _run([objcopy, "--localize-hidden", str(combined)], "localising the runtime's symbols")
        shutil.copyfile(combined, paths["object"])
        _run([*compiler, "-shared", "-o", str(paths["library"]), str(paths["object"]), "-lm", "-pthread"],
             "linking the shared library")
    _link_alias(paths["library"], out / f"lib{base_name}{shared_library_suffix()}")
    paths["header"].write_text(c_header(module, exports, base_name))
    return paths


def _link_alias(library: Path, alias: Path) -> None:
    """``lib<base>.so`` next to ``<base>.so``, so ``cc main.c -L. -l<base>`` finds it (Unix only)."""
    if sys.platform == "win32" or alias.name == library.name:
        return
    try:
        if alias.is_symlink() or alias.exists():
            alias.unlink()
        alias.symlink_to(library.name)
    except OSError:
        shutil.copyfile(library, alias)


_STATE_GLOBALS = (rt.ERROR_CODE_GLOBAL, rt.ERROR_MESSAGE_GLOBAL, MESSAGE_TEXT_GLOBAL)


def with_array_runtime(ir_text: str) -> str:
    """The module's text with the array runtime defined in it (hidden symbols) when the code creates arrays.

    Example:
        >>> with_array_runtime("define void @f() {\\n  ret void\\n}\\n").count("define")
        1
    """
    if not any(name in ir_text for name in ARRAY_RUNTIME_FUNCTIONS):
        return ir_text
    names = tuple(f"@{q}{name}{q}(" for name in ARRAY_RUNTIME_FUNCTIONS for q in ('"', ""))
    kept = [line for line in ir_text.splitlines() if not (line.startswith("declare") and any(n in line for n in names))]
    return "\n".join(kept) + "\n" + array_runtime_ir("hidden")


def thread_local_state(ir_text: str) -> str:
    """Make the error status that the C error API reads one per thread in a library's IR.

    C programs may call a library from several threads; each then sees its own error status.
    (The state of a running call, unwind point and stack limit included, is on the call's stack.)

    Example:
        >>> thread_local_state('@"pyexec.error.code" = internal global i32 0')
        '@"pyexec.error.code" = internal thread_local(initialexec) global i32 0'
    """
    for name in _STATE_GLOBALS:
        plain = f'@"{name}" = internal global'
        ir_text = ir_text.replace(plain, f'@"{name}" = internal thread_local(initialexec) global')
    return ir_text


def find_c_compiler() -> list[str]:
    """The C compiler command: ``$CC`` if set, else ``cc``, else ``gcc``; checked to run.

    Example:
        >>> isinstance(find_c_compiler(), list)
        True
    """
    env = os.environ.get("CC", "").strip()
    candidates = [shlex.split(env)] if env else [["cc"], ["gcc"]]
    for cmd in candidates:
        exe = shutil.which(cmd[0])
        if exe is None:
            continue
        try:
            probe = subprocess.run([exe, *cmd[1:], "--version"], capture_output=True, text=True, timeout=30)
        except OSError as exc:
            raise CCompilerError(f"the C compiler {cmd[0]!r} cannot be run: {exc}") from None
        if probe.returncode != 0:
            raise CCompilerError(f"the C compiler {' '.join(cmd)!r} is broken ('--version' failed: "
                                 f"{(probe.stderr or probe.stdout).strip()[:300]})")
        return [exe, *cmd[1:]]
    tried = env if env else "cc, gcc"
    raise CCompilerError(
        f"no C compiler found (tried {tried}): compile_llvm links the shared library with the system C compiler; "
        "install one (Debian/Ubuntu: apt install gcc) or set CC"
    )


def _run(cmd: list[str], what: str) -> None:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except OSError as exc:
        raise CCompilerError(f"{what} failed: cannot run {cmd[0]!r}: {exc}") from None
    if proc.returncode != 0:
        raise CCompilerError(f"{what} failed ({' '.join(cmd)}):\n{(proc.stderr or proc.stdout).strip()[:2000]}")


# --- the header ----------------------------------------------------------------------------------


def tuple_typedef_name(base_name: str, t: TupleT) -> str:
    """The C name of a tuple type in a library's header: ``<base>_tuple_<item>_<item>…``.

    Example:
        >>> from pyexec.frontend.ir.types import INT, FLOAT64
        >>> tuple_typedef_name("m", TupleT((INT, FLOAT64)))
        'm_tuple_int64_float64'
    """
    return f"{base_name}_tuple_" + "_".join(i.info.name.rstrip("_") for i in t.items)


def _c_type(t: ValueT | NoneT, base_name: str = "") -> str:
    if isinstance(t, NoneT):
        return "void"
    if isinstance(t, TupleT):
        return tuple_typedef_name(base_name, t)
    if isinstance(t, ArrayT):
        return f"const {c_array_struct(t)} *"
    if isinstance(t, StrT):
        return "pyexec_str"
    if t.is_complex:
        return "pyexec_complex64" if t.bits == 64 else "pyexec_complex128"
    return t.info.c_type


_SHORT = {"int": "i", "uint": "u", "float": "f", "complex": "c"}


def c_array_struct(t: ArrayT) -> str:
    """The C name of an array type's descriptor struct (``pyexec_array_f64_1d`` for ``float64[:]``).

    Example:
        >>> from pyexec.frontend.ir.types import ArrayT, INT32
        >>> c_array_struct(ArrayT(INT32, 2, "C"))
        'pyexec_array_i32_2d'
    """
    d = t.dtype
    code = "bool" if d.is_bool else f"{_SHORT[d.kind]}{d.bits}"
    return f"pyexec_array_{code}_{t.ndim}d"


def _array_declarations(types: list[ArrayT]) -> list[str]:
    out = [
        "/* An array argument is a pointer to its descriptor: owner is NULL (the caller owns the memory and",
        " * keeps it alive during the call), data points to element (0, ...), shape[k] is the extent of axis k",
        " * and strides[k] the distance in bytes between neighbours along it (any sign). Element (i, j) is at",
        " * (char *)data + i * strides[0] + j * strides[1]. A C-contiguous parameter (float64[::1]) must get a",
        " * C-contiguous array: the code uses the element size as the last stride. */",
    ]
    for t in types:
        name = c_array_struct(t)
        elem = _c_type(t.dtype)
        out += [f"#ifndef PYEXEC_{name.upper()}", f"#define PYEXEC_{name.upper()}",
                f"typedef struct {{ void *owner; {elem} *data; int64_t shape[{t.ndim}]; int64_t strides[{t.ndim}]; }} "
                f"{name};", "#endif"]
    return [*out, ""]


def c_header(module: n.Module, exports: list[str], base_name: str) -> str:
    """The C/C++ header of a library: guards, stdint/stdbool, prototypes, the error API.

    Example:
        >>> "int32_t m_last_error(void);" in c_header(n.Module(), [], "m")
        True
    """
    guard = f"PYEXEC_{base_name.upper()}_H"
    up = base_name.upper()
    lines = [
        f"/* {base_name}.h: generated by pyexec (native backend) from {module.source_file}. Do not edit. */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <stdint.h>",
        "#include <stdbool.h>",
        "",
    ]
    used: list[ValueT] = [t for name in exports for t in (*(p.type for p in module.functions[name].params),
                                                           module.functions[name].return_type)
                          if not isinstance(t, NoneT)]
    scalars = [i for t in used for i in (t.items if isinstance(t, TupleT) else (t,))]
    tuples = list(dict.fromkeys(tuple_typedef_name(base_name, t) for t in used if isinstance(t, TupleT)))
    arrays = list(dict.fromkeys(ArrayT(t.dtype, t.ndim, "A") for t in used if isinstance(t, ArrayT)))
    returns_arrays = any(isinstance(module.functions[name].return_type, ArrayT) for name in exports)
    if any(isinstance(t, ScalarT) and t.is_complex for t in scalars) \
            or any(isinstance(t, ArrayT) and t.dtype.is_complex for t in used):
        lines += [
            "#ifndef PYEXEC_COMPLEX_TYPES",
            "#define PYEXEC_COMPLEX_TYPES",
            "#ifdef __cplusplus",
            "/* Layout- and ABI-compatible with C's _Complex types. */",
            "typedef struct { float real, imag; } pyexec_complex64;",
            "typedef struct { double real, imag; } pyexec_complex128;",
            "#else",
            "typedef float _Complex pyexec_complex64;",
            "typedef double _Complex pyexec_complex128;",
            "#endif",
            "#endif",
            "",
        ]
    if tuples:
        lines.append("/* Tuples cross the boundary as these structs, passed and returned by value (field f<i> is "
                     "item i). */")
        for t in dict((tuple_typedef_name(base_name, t), t) for t in used if isinstance(t, TupleT)).values():
            fields = " ".join(f"{_c_type(i)} f{k};" for k, i in enumerate(t.items))
            lines.append(f"typedef struct {{ {fields} }} {tuple_typedef_name(base_name, t)};")
        lines.append("")
    if arrays:
        lines += _array_declarations(arrays)
    if any(isinstance(t, StrT) for t in used):
        lines += [
            "/* A string argument is its UTF-8 bytes (valid UTF-8; no NUL needed) and their count; the function",
            " * copies them. A returned string is written through the last parameter: data (UTF-8, followed by a",
            " * NUL), size in bytes, and owner, which holds one reference: release it once with",
            f" * {base_name}_str_release(owner) when done (all zero after a failed call). */",
            "#ifndef PYEXEC_STR_TYPES",
            "#define PYEXEC_STR_TYPES",
            "typedef struct { const char *data; int64_t size; } pyexec_str;",
            "typedef struct { const char *data; int64_t size; void *owner; } pyexec_str_result;",
            "#endif",
            "",
        ]
    lines += ["#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
    for name in exports:
        func = module.functions[name]
        parts = [f"{_c_type(p.type, base_name)}{'' if isinstance(p.type, ArrayT) else ' '}{p.name}"
                 for p in func.params]
        rt_ = func.return_type
        if isinstance(rt_, ArrayT):
            parts.append(f"{c_array_struct(rt_)} *result")
        if isinstance(rt_, StrT):
            parts.append("pyexec_str_result *result")
        params = ", ".join(parts) or "void"
        if func.docstring:
            summary = func.docstring.strip().splitlines()[0].replace("*/", "* /")
            lines.append(f"/* {summary} */")
        lines.append(f"{'void' if isinstance(rt_, (ArrayT, StrT)) else _c_type(rt_, base_name)} {name}({params});")
    lines += [
        "",
        "/* Error status (one per thread). Each call of a function above clears it; after a call, "
        f"{base_name}_last_error() is",
        f" * {up}_OK (0) if the call succeeded, else the code of the Python exception it raised (the",
        " * function's return value is then 0 and meaningless), and "
        f"{base_name}_last_error_message() its message. */",
        f"#define {up}_OK 0",
        *(f"#define {up}_{_macro(kind)} {code} /* {kind} */" for code, kind in rt.ERROR_KINDS.items()),
        f"int32_t {base_name}_last_error(void);",
        f'const char *{base_name}_last_error_message(void); /* "" when there is no error */',
        f"void {base_name}_clear_error(void);",
        *([
            "",
            "/* A function returning an array writes it through its last parameter; the array holds one reference",
            " * to memory the library allocated: release it once with this function when done (an owner of NULL,",
            " * an array that points into an argument of yours, releases nothing). After a failed call the",
            " * result is all zero. */",
            f"void {base_name}_array_release(void *owner);",
        ] if returns_arrays else []),
        *([
            "",
            "/* Release a returned string (its owner; NULL releases nothing). */",
            f"void {base_name}_str_release(void *owner);",
        ] if any(isinstance(module.functions[name].return_type, StrT) for name in exports) else []),
        "",
        "#ifdef __cplusplus",
        "}",
        "#endif",
        "",
        f"#endif /* {guard} */",
        "",
    ]
    return "\n".join(lines)


def _macro(kind: str) -> str:
    out = []
    for i, ch in enumerate(kind):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.upper())
    return "".join(out)
