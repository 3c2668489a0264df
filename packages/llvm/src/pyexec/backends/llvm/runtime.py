"""The target-independent runtime contract of lowered code: error codes and external functions.

Compiled code reports a fault by setting an error state (a code and a message pointer) and
returning; every target reads it back in its own way (the in-process wrapper raises the Python
exception, the ``.so`` exposes ``<base>_last_error()``, the wasm glue throws). Native code keeps
that state per call, on the entry point's stack (``lowering.STATE_TYPE``), so threads never share it;
wasm keeps it in two module globals. Output
(``print``) and correctly rounded ``round(x, n)`` are calls of the external functions below, which
each target provides.

Example:
    >>> from pyexec.backends.llvm.runtime import ERROR_KINDS
    >>> ERROR_KINDS[1]
    'ZeroDivisionError'
"""

from __future__ import annotations

ZERO_DIVISION = 1
OVERFLOW = 2
VALUE = 3
ASSERTION = 4
RECURSION = 5
PYTHON_EXCEPTION = 6
"""In process only: a Python exception is already set (by ``sys.stdout.write`` in ``print``, or by
a signal handler such as SIGINT's KeyboardInterrupt); the call ends with it. Not in ERROR_KINDS:
C and wasm callers never see it."""

INDEX = 7
"""An index outside an array's axis (the message is NumPy's, written at run time)."""
MEMORY = 8
"""An array's or a string's memory could not be allocated."""
TYPE = 9
"""A TypeError found at run time (``ord()`` of a string whose length is not 1)."""

ERROR_KINDS: dict[int, str] = {
    ZERO_DIVISION: "ZeroDivisionError",
    OVERFLOW: "OverflowError",
    VALUE: "ValueError",
    ASSERTION: "AssertionError",
    RECURSION: "RecursionError",
    INDEX: "IndexError",
    MEMORY: "MemoryError",
    TYPE: "TypeError",
}
"""Error code → the Python exception class it stands for (0 means no error)."""

ERROR_CODE_GLOBAL = "pyexec.error.code"
ERROR_MESSAGE_GLOBAL = "pyexec.error.message"
STACK_BUDGET = 1 << 20
"""Native: the bytes of stack recursive compiled code may use below its entry point when the
thread's stack bounds cannot be read (``pyexec_stack_limit``'s fallback). Normally the limit is the
calling thread's real stack bottom plus a reserve (:data:`STACK_RESERVE_MIN` …
:data:`STACK_RESERVE_MAX`, an eighth of the stack). wasm: part of the shadow stack's size."""
STACK_RESERVE_MIN = 16 << 10
STACK_RESERVE_MAX = 256 << 10

EXTERNAL_FUNCTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    # name: (C return type, C parameter types) — every target must define the ones a module uses
    "pyexec_print_i64": ("void", ("int64_t",)),
    "pyexec_print_u64": ("void", ("uint64_t",)),
    "pyexec_print_bool": ("void", ("int32_t",)),
    "pyexec_print_f64": ("void", ("double",)),
    "pyexec_print_f32": ("void", ("float",)),
    "pyexec_print_c128": ("void", ("double", "double")),
    "pyexec_print_c64": ("void", ("float", "float")),
    "pyexec_print_str": ("void", ("const char *",)),
    "pyexec_print_text": ("void", ("const char *", "int64_t")),
    "pyexec_round_ndigits": ("double", ("double", "int64_t")),
    "pyexec_float_digits": ("int64_t", ("double", "int32_t", "int32_t", "int32_t", "const char *", "const char *")),
    "pyexec_assert_i64": ("const char *", ("int64_t",)),
    "pyexec_assert_u64": ("const char *", ("uint64_t",)),
    "pyexec_assert_bool": ("const char *", ("int32_t",)),
    "pyexec_assert_f64": ("const char *", ("double",)),
    "pyexec_assert_f32": ("const char *", ("float",)),
    "pyexec_assert_c128": ("const char *", ("double", "double")),
    "pyexec_assert_c64": ("const char *", ("float", "float")),
}
"""The runtime functions lowered code may call (besides libm), with their C signatures.

``pyexec_print_*`` write one value as CPython's ``str()`` would (floats as ``repr``);
``pyexec_print_str`` writes a NUL-terminated UTF-8 string, ``pyexec_print_text`` the given number of UTF-8
bytes (a ``str`` value, NUL characters included); ``pyexec_round_ndigits`` is
``round(x, n)`` for a float ``x``, correctly rounded (half to even on the exact binary value).
``pyexec_float_digits(x, mode, n, single, buf, decpt)`` gives the decimal digits of a finite ``x >= 0`` for
formatting (see :mod:`pyexec.backends.llvm.string_format`); native code defines it over the C library, a
wasm host provides it.
``pyexec_assert_*`` give the message of a failed ``assert test, value``: ``str(value)`` as ``print`` writes it, in
a buffer of the calling thread that stays valid until its next call (C); a host may instead raise the
AssertionError itself and never return (the wasm hosts do).
In process (``lower_module(python_runtime=True)``) the ``pyexec_print_*`` and ``pyexec_assert_*`` functions return
an ``int32_t`` status instead (non-zero: a Python exception is set; ``pyexec_assert_*`` always set the
AssertionError), and one more function exists:
``int32_t pyexec_check_interrupt(void)``, called when the interrupt flag (``pyexec.interrupt.flag``,
an ``int32_t``) is set: it clears the flag and runs CPython's pending signal handlers (-1: one raised).
"""

NATIVE_FUNCTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pyexec_stack_limit": ("uint64_t", ("uint64_t",)),
}
"""Runtime functions of native targets only (never wasm): ``pyexec_stack_limit(here)``, called by
the entries of modules with recursion, is the lowest stack address recursive code may reach on the
calling thread, given an address ``here`` on its stack (the thread's bounds are read once per
thread; ``here - STACK_BUDGET`` when they are unknown)."""

LIBM_FUNCTIONS = (
    "exp", "log", "log2", "log10", "log1p", "expm1", "sin", "cos", "tan", "asin", "acos", "atan",
    "atan2", "sinh", "cosh", "tanh", "hypot", "pow", "fmod", "asinh", "acosh", "atanh", "cbrt", "exp2", "erf",
    "erfc",
)
"""libm functions lowered code may call (``f``-suffixed for float32), besides LLVM intrinsics."""
