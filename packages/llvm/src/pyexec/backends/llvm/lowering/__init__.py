"""Typed IR → LLVM IR (llvmlite.ir), with Python's semantics, for any target: one module per concern.

Nothing here knows about the host (the triple and data layout are parameters); the WebAssembly
backend lowers with the same code. :func:`lower_module` is the entry; the modules:

- ``module``: :class:`ModuleLowering` and :func:`lower_module`: the C-ABI entry points, the
  error-state getters (the error API), strings and external declarations a module's functions share;
- ``analysis``: whole-module analyses (:func:`fallible_functions`, :func:`recursive_functions`,
  :func:`guarded_functions`);
- ``state``: the per-call state of native code (:data:`STATE_TYPE`) and how an entry calls a body
  (:func:`entry_call`, :func:`guarded_call`);
- ``types``: :func:`llvm_type`, :func:`abi_type`, :func:`constant` and the LLVM types used everywhere;
- ``function``: :class:`FunctionLowering`'s core (slots, blocks, faults, calls, the dispatch over
  ``stmt_*``/``expr_*``), composed of the mixins below;
- ``statements``: assignment, if, while, for over a range or zip, break/continue, assert, print, return;
- ``arithmetic``: comparisons, truth, ``and``/``or``, ``x if c else y``, unary and binary operators
  on int, float and complex;
- ``casts``: the IR's explicit conversions between scalar types;
- ``intrinsics``: builtins and math functions (``Intrinsic`` nodes), a table from name to lowering
  (the larger math functions live in :mod:`pyexec.backends.llvm.math_functions`);
- ``arrays``: arrays and the reference rules of every heap value (arrays and strings);
- ``strings``: ``str`` values over the string runtime (:mod:`pyexec.backends.llvm.string_runtime`), and how
  strings cross a C entry;
- ``string_ops``: string methods, ``str``/``repr``/``format`` and f-strings over the routines of
  :mod:`pyexec.backends.llvm.string_methods` and :mod:`pyexec.backends.llvm.string_format`.

A new construct goes where its kind lives: a statement's ``stmt_<Node>`` in ``statements``, an
expression's ``expr_<Node>`` in the module of its concern; a new object kind (strings, say) gets its
own mixin module, listed in :class:`FunctionLowering`'s bases (as ``strings`` is). A rule two modules need lives in one
of them and the other calls it (``llvm_type`` in ``types``, the per-call state in ``state``).

Example:
    >>> from pyexec.frontend.ir import nodes as n, types as t
    >>> loc = n.Loc("f.py", 1, 0)
    >>> m = n.Module({"one": n.Function("one", [], t.INT, [], [n.Return(n.Const(1, t.INT, loc), loc)], loc)})
    >>> lower_module(m, triple="wasm32-unknown-unknown", data_layout="").triple
    'wasm32-unknown-unknown'
"""

from __future__ import annotations

from pyexec.backends.llvm.lowering.analysis import fallible_functions, guarded_functions, recursive_functions
from pyexec.backends.llvm.lowering.arrays import MESSAGE_TEXT_GLOBAL, ArrayLowering, written_parameters
from pyexec.backends.llvm.lowering.function import FunctionLowering
from pyexec.backends.llvm.lowering.module import ModuleLowering, lower_module
from pyexec.backends.llvm.lowering.state import (
    STATE_ARG,
    STATE_BLOCKS,
    STATE_CODE,
    STATE_JMPBUF,
    STATE_JMPBUF_ROOM,
    STATE_LIMIT,
    STATE_MESSAGE,
    STATE_MESSAGE_ROOM,
    STATE_TYPE,
    entry_call,
    guarded_call,
    state_field,
)
from pyexec.backends.llvm.lowering.types import (
    F32,
    F64,
    I1,
    I8,
    I32,
    I64,
    OVERFLOW_MODES,
    PTR,
    abi_type,
    constant,
    impl_name,
    llvm_type,
)

__all__ = [
    "F32", "F64", "I1", "I8", "I32", "I64", "MESSAGE_TEXT_GLOBAL", "OVERFLOW_MODES", "PTR", "STATE_ARG", "STATE_BLOCKS",
    "STATE_CODE", "STATE_JMPBUF", "STATE_JMPBUF_ROOM", "STATE_LIMIT", "STATE_MESSAGE", "STATE_MESSAGE_ROOM",
    "STATE_TYPE", "ArrayLowering", "FunctionLowering", "ModuleLowering", "abi_type", "constant", "entry_call",
    "fallible_functions", "guarded_call", "guarded_functions", "impl_name", "llvm_type", "lower_module",
    "recursive_functions", "state_field", "written_parameters",
]
