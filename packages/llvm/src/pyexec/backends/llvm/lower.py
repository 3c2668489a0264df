"""Typed IR → LLVM IR (llvmlite.ir), with Python's semantics, for any target.

Nothing here knows about the host: the triple and data layout are parameters, faults set the
error state described in :mod:`pyexec.backends.llvm.runtime`, and output goes through the
external ``pyexec_print_*`` functions. The WebAssembly backend lowers with the same code.

What a lowered module holds, for each IR function ``f``:

- ``pyexec.impl.f`` (internal): the body, with native parameter and return types;
- ``f`` (external, C ABI; ``entry_points=True``): clears the error state, calls the body. ``bool`` is
  ``i8`` (0/1) at this boundary, complex numbers are ``{float, float}``/``{double, double}``;
- ``<error_prefix>_last_error() -> i32``, ``<error_prefix>_last_error_message() -> ptr`` and
  ``<error_prefix>_clear_error()``: the error state's getters.

Example:
    >>> from pyexec.frontend.ir import nodes as n, types as t
    >>> loc = n.Loc("f.py", 1, 0)
    >>> x = n.Param("x", t.INT, 0, loc)
    >>> body = [n.Return(n.BinOp("add", n.Name(x, t.INT, loc), n.Const(1, t.INT, loc), t.INT, loc), loc)]
    >>> m = n.Module({"inc": n.Function("inc", [x], t.INT, [], body, loc)})
    >>> "llvm.sadd.with.overflow.i64" in str(lower_module(m, triple="x86_64-unknown-linux-gnu", data_layout=""))
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm import tuple_abi
from pyexec.backends.llvm.errors import NativeBuildError, UnsupportedConstructError
from pyexec.backends.llvm.lower_arrays import (
    ALLOC_FUNCTION,
    MESSAGE_FUNCTIONS_MARK,
    MESSAGE_ROOM,
    ArrayLowering,
    array_type,
    call_blocks_head,
    finish_blocks,
    keep_message,
)
from pyexec.backends.llvm.lower_string_ops import StringOpsLowering
from pyexec.backends.llvm.lower_strings import CStrings, StringLowering, allocates_strings, faults_locally, own_branch
from pyexec.backends.llvm.math_functions import MATH_INTRINSICS, lower_complex_pow
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import FLOAT32, FLOAT64, INT64, ArrayT, IRType, NoneT, ScalarT, StrT, TupleT

I1 = ir.IntType(1)
I8 = ir.IntType(8)
I32 = ir.IntType(32)
I64 = ir.IntType(64)
F32 = ir.FloatType()
F64 = ir.DoubleType()
PTR = ir.PointerType()

OVERFLOW_MODES = ("check", "wrap")

_BINOP_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "lshift": "<<", "pow": "**"}


def llvm_type(t: IRType) -> ir.Type:
    """The LLVM register type of an IR type (``i1`` for bool, a two-float struct for complex, a literal
    struct of the items' types for a tuple: a value in registers, no heap block, no reference count; an
    array's descriptor, :func:`lower_arrays.array_type`).

    Example:
        >>> from pyexec.frontend.ir.types import FLOAT64
        >>> str(llvm_type(FLOAT64))
        'double'
    """
    if isinstance(t, NoneT):
        return ir.VoidType()
    if isinstance(t, TupleT):
        return ir.LiteralStructType([llvm_type(i) for i in t.items])
    if isinstance(t, ArrayT):
        return array_type(t)
    if isinstance(t, StrT):
        return PTR  # the block's data (lower_strings)
    assert isinstance(t, ScalarT)
    if t.is_complex:
        part = F32 if t.bits == 64 else F64
        return ir.LiteralStructType([part, part])
    if t.is_bool:
        return I1
    if t.is_float:
        return F32 if t.bits == 32 else F64
    return ir.IntType(t.bits)


def abi_type(t: ScalarT | NoneT) -> ir.Type:
    """The type of a value at the C boundary of an entry point (``bool`` is a byte there)."""
    if isinstance(t, ScalarT) and t.is_bool:
        return I8
    return llvm_type(t)


def impl_name(name: str) -> str:
    """The LLVM symbol of a function's body (internal to the module)."""
    return f"pyexec.impl.{name}"


def lower_module(
    module: n.Module,
    *,
    triple: str,
    data_layout: str,
    overflow: str = "check",
    error_prefix: str = "pyexec",
    entry_points: bool = True,
    exports: list[str] | None = None,
    python_runtime: bool = False,
    boundscheck: bool = True,
) -> ir.Module:
    """Lower a typed IR module to an LLVM IR module for ``triple``.

    ``overflow="check"`` makes Python's ``int`` raise OverflowError outside int64 (the default);
    ``"wrap"`` makes it wrap like int64. ``error_prefix`` names the error-state getters.
    ``entry_points`` adds the C-ABI entries, for the functions in ``exports`` (default: all).
    ``boundscheck=False`` drops the IndexError checks of array indices (a negative index still counts from
    the end; an index outside the array is then undefined behaviour). ``python_runtime`` is for code that
    runs inside CPython (``aot``): the ``pyexec_print_*``
    functions return a status (non-zero: a Python exception is set, such as one raised by
    ``sys.stdout.write``), and loops and recursive calls poll a flag for KeyboardInterrupt.

    Example:
        >>> from pyexec.frontend.ir import nodes as n, types as t
        >>> loc = n.Loc("f.py", 1, 0)
        >>> m = n.Module({"one": n.Function("one", [], t.INT, [], [n.Return(n.Const(1, t.INT, loc), loc)], loc)})
        >>> lower_module(m, triple="wasm32-unknown-unknown", data_layout="").triple
        'wasm32-unknown-unknown'
    """
    if overflow not in OVERFLOW_MODES:
        raise NativeBuildError(f"overflow must be 'check' or 'wrap', not {overflow!r}")
    names = list(module.functions) if exports is None else list(exports)
    for name in names:
        if name not in module.functions:
            raise NativeBuildError(f"cannot export {name!r}: the module has no such function")
    lowering = ModuleLowering(module, triple, data_layout, overflow, error_prefix, names if entry_points else [],
                              python_runtime)
    lowering.boundscheck = boundscheck
    return lowering.run()


# --- which functions can fault -------------------------------------------------------------------


def _children(node: object) -> Iterator[object]:
    for value in vars(node).values():
        if isinstance(value, list):
            yield from (v for v in value if hasattr(v, "loc"))
        elif hasattr(value, "loc") and not isinstance(value, (n.Param, n.Local, n.Loc)):
            yield value


def _walk(body: list[n.Stmt]) -> Iterator[object]:
    stack: list[object] = list(body)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(_children(node))


def _faults_locally(node: object, checked_ints: bool, python_runtime: bool = False) -> bool:
    """Whether this one node (not its children) may set the error state."""
    if isinstance(node, (n.Assert,)) or faults_locally(node):
        return True
    if isinstance(node, (n.GetItem, n.SetItem)):
        return node.boundscheck  # IndexError
    if isinstance(node, n.FillArray):
        return isinstance(node.value.type, ArrayT)  # shapes that do not broadcast; the copy of an overlap
    if isinstance(node, (n.FitInt, n.ArrayNew, n.ArrayRange, n.ArrayView, n.ArrayCopy, n.ArrayMap, n.MatMul,
                         n.Eye, n.LinSpace)) or (
            isinstance(node, n.Reduce) and (node.op in ("min", "max", "argmin", "argmax") or node.axis is not None)):
        return True  # OverflowError; negative dimensions, too big, out of memory; arange's zero step
    if python_runtime and isinstance(node, (n.Print, n.While, n.ForRange)):
        return True  # print may raise (sys.stdout.write); a loop polls for KeyboardInterrupt
    if isinstance(node, n.ForRange):
        steps = [node.step] + [z.step for z in node.zipped]
        # an enumerate() counter of Python's int raises OverflowError past int64
        counters = any(z.stop is None and z.var.type.checked and checked_ints for z in node.zipped)
        return counters or not all(isinstance(s, n.Const) and s.value != 0 for s in steps)
    if isinstance(node, n.BinOp):
        t = node.type
        if node.op in ("floordiv", "mod", "truediv", "pow"):
            return True
        if node.op in ("lshift", "rshift"):
            return t.checked
        return t.checked and checked_ints and node.op in ("add", "sub", "mul")
    if isinstance(node, n.UnaryOp):
        return node.op == "neg" and node.type.checked and checked_ints
    if isinstance(node, n.Cast):
        return node.type.checked and (node.value.type.is_float or node.value.type.kind == "uint")
    if isinstance(node, n.Intrinsic):
        if node.name in ("abs",):
            return (node.type.checked and checked_ints) or node.args[0].type.is_complex
        return node.name not in ("min", "max", "math.fabs", "math.copysign", "math.isnan", "math.isinf",
                                 "math.isfinite", "math.atan", "math.atan2", "math.tanh", "math.hypot",
                                 "complex.real", "complex.imag", "complex.conjugate", "round_ndigits",
                                 "math.asinh", "math.cbrt", "math.erf", "math.erfc", "complex.make",
                                 "complex.numpy_pow")
    return False


def fallible_functions(module: n.Module, overflow: str = "check", python_runtime: bool = False,
                       triple: str = "") -> set[str]:
    """Names of the functions that may set the error state (directly or through a call).

    Natively a recursive function is among them (running past the stack limit sets RecursionError,
    then unwinds straight to the entry point, :func:`guarded_call`). On wasm (``triple`` starting
    with ``wasm``) it is not: there the engine's own stack exhaustion is a trap, which the hosts turn
    into RecursionError, so a recursive ``fib`` in wrapping mode pays nothing for the error state.
    With ``python_runtime`` (code running inside CPython, see :func:`lower_module`) loops and
    ``print`` may raise too.

    Example:
        >>> fallible_functions(n.Module({}))
        set()
    """
    checked = overflow == "check"
    local: dict[str, bool] = {}
    calls: dict[str, set[str]] = {}
    for name, func in module.functions.items():
        stack: list[object] = list(func.body)
        faults, callees = False, set()
        while stack:
            node = stack.pop()
            if isinstance(node, n.Call):
                callees.add(node.callee)
            faults = faults or _faults_locally(node, checked, python_runtime)
            stack.extend(_children(node))
        # a function that may reach its end without a return reports that as a fault
        falls_off = not isinstance(func.return_type, NoneT) and not (func.body and isinstance(func.body[-1], n.Return))
        local[name], calls[name] = faults or falls_off, callees
    result = {name for name, f in local.items() if f}
    if not triple.startswith("wasm"):
        result |= recursive_functions(module)  # natively, running past the stack limit is a fault
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in result and callees & result:
                result.add(name)
                changed = True
    return result


def _callees(func: n.Function) -> set[str]:
    found: set[str] = set()
    stack: list[object] = list(func.body)
    while stack:
        node = stack.pop()
        if isinstance(node, n.Call):
            found.add(node.callee)
        stack.extend(_children(node))
    return found


def recursive_functions(module: n.Module) -> set[str]:
    """Functions that can reach themselves through calls: they check the stack budget on entry.

    Example:
        >>> recursive_functions(n.Module({}))
        set()
    """
    graph = {name: _callees(f) & set(module.functions) for name, f in module.functions.items()}
    result = set()
    for start in graph:
        seen: set[str] = set()
        pending = list(graph[start])
        while pending:
            name = pending.pop()
            if name == start:
                result.add(start)
                break
            if name not in seen:
                seen.add(name)
                pending.extend(graph[name])
    return result


def guarded_functions(module: n.Module, overflow: str = "check", triple: str = "",
                      python_runtime: bool = False) -> set[str]:
    """Functions whose entry points set an unwind point (``_setjmp``): they recurse, or call a
    function that may fault. A fault below such an entry ``longjmp``s straight back to it, so call
    sites inside compiled code never test the error state. None on wasm (no ``setjmp`` there:
    call sites test the error state instead).

    Example:
        >>> guarded_functions(n.Module({}))
        set()
    """
    if triple.startswith("wasm"):
        return set()
    fallible = fallible_functions(module, overflow, python_runtime)
    recursive = recursive_functions(module)
    return {name for name, f in module.functions.items() if name in recursive or _callees(f) & fallible}


JMP_BUF_BYTES = 512
"""Room for the C library's ``jmp_buf`` (glibc: 200 bytes on x86-64, 312 on aarch64)."""
STATE_TYPE = ir.LiteralStructType([I32, PTR, PTR, I64, ir.ArrayType(I8, JMP_BUF_BYTES), ir.ArrayType(I8, MESSAGE_ROOM),
                                   PTR])
"""The per-call state of native code: error code, error message, the entry's unwind point (a
pointer to a ``jmp_buf``, or null), the stack limit (an address; 0: none), and the room for the
``jmp_buf`` itself, then room for a message written at run time (an IndexError names the index), then
the head of the list of array blocks allocated during the call (:mod:`.array_runtime`).
The entry point allocates it on its own stack and passes it to every body as a hidden first argument,
so nothing mutable is global and threads (and nested calls: compiled code → Python → compiled code)
never share it. The ``jmp_buf`` lives inside the state so that ``_setjmp``
sees the state escape: LLVM then reloads it after a ``longjmp`` instead of assuming the values
stored before ``_setjmp``."""
STATE_CODE, STATE_MESSAGE, STATE_JMPBUF, STATE_LIMIT, STATE_JMPBUF_ROOM, STATE_MESSAGE_ROOM, STATE_BLOCKS = range(7)
STATE_ARG = "pyexec.state"


def state_field(b: ir.IRBuilder, state: ir.Value, index: int) -> ir.Value:
    """A pointer to one field of the per-call state (:data:`STATE_TYPE`)."""
    if state.type.is_opaque:
        return b.gep(state, [I32(0), I32(index)], inbounds=True, source_etype=STATE_TYPE)
    return b.gep(state, [I32(0), I32(index)], inbounds=True)


def entry_call(b: ir.IRBuilder, module: ir.Module, fn: ir.Function, args: list[ir.Value],
               guarded: bool) -> tuple[ir.Value, ir.Value | None]:
    """How an entry point calls a body; returns the result and the per-call state (``None`` on wasm,
    whose bodies report through the error globals).

    Native: a fresh state (no error; the stack limit of this thread when the module recurses),
    then :func:`guarded_call` when ``guarded``, otherwise a plain call (a fault there returns with
    the error set in the state)."""
    if not fn.args or fn.args[0].name != STATE_ARG:
        return b.call(fn, args), None
    with b.goto_entry_block():
        state = b.alloca(STATE_TYPE, name="state")
        state.align = 16
    # the message is read only with a non-zero code, and the limit only in modules with recursion
    b.store(I32(0), state_field(b, state, STATE_CODE))
    b.store(ir.Constant(PTR, None), state_field(b, state, STATE_JMPBUF))
    allocates = module.globals.get(ALLOC_FUNCTION) is not None
    if allocates:
        b.store(ir.Constant(PTR, None), state_field(b, state, STATE_BLOCKS))
    limit_fn = module.globals.get(STACK_LIMIT_FUNCTION)
    if limit_fn is not None:
        frame = module.globals.get("llvm.frameaddress.p0") or ir.Function(
            module, ir.FunctionType(PTR, [I32]), "llvm.frameaddress.p0")
        here = b.ptrtoint(b.call(frame, [I32(0)]), I64)
        b.store(b.call(limit_fn, [here]), state_field(b, state, STATE_LIMIT))
    if guarded:
        result = guarded_call(b, module, fn, [state, *args], state)
    else:
        result = b.call(fn, [state, *args])
    if allocates:
        code = b.load(state_field(b, state, STATE_CODE), typ=I32)
        finish_blocks(b, module, state_field(b, state, STATE_BLOCKS), code)
    return result, state


def guarded_call(b: ir.IRBuilder, module: ir.Module, fn: ir.Function, args: list[ir.Value],
                 state: ir.Value) -> ir.Value:
    """Call ``fn`` from an entry point with an unwind point (``_setjmp``) in ``state``.

    A fault below (an error, or running past the stack limit in a recursive function) sets the
    error in the state and ``longjmp``s back here (no frame holds anything to release): the result
    is then 0 and the state says why.
    """
    buf = state_field(b, state, STATE_JMPBUF_ROOM)
    b.store(b.bitcast(buf, PTR), state_field(b, state, STATE_JMPBUF))
    setjmp = module.globals.get("_setjmp")
    if setjmp is None:
        setjmp = ir.Function(module, ir.FunctionType(I32, [PTR]), "_setjmp")
        setjmp.attributes.add("returns_twice")
    jumped = b.call(setjmp, [buf])
    call_block = b.append_basic_block("guarded.call")
    escaped_block = b.append_basic_block("guarded.escaped")
    done = b.append_basic_block("guarded.done")
    b.cbranch(b.icmp_signed("==", jumped, I32(0)), call_block, escaped_block)
    b.position_at_end(call_block)
    result = b.call(fn, args)
    b.branch(done)
    b.position_at_end(escaped_block)
    b.branch(done)
    b.position_at_end(done)
    if isinstance(fn.function_type.return_type, ir.VoidType):
        return result
    phi = b.phi(fn.function_type.return_type)
    phi.add_incoming(result, call_block)
    phi.add_incoming(ir.Constant(fn.function_type.return_type, None), escaped_block)
    return phi


RAISE_FUNCTION = "pyexec.raise"
STACK_OVERFLOW_FUNCTION = "pyexec.stack.overflow"
STACK_LIMIT_FUNCTION = "pyexec_stack_limit"
INTERRUPT_FLAG_GLOBAL = "pyexec.interrupt.flag"
INTERRUPTED_FUNCTION = "pyexec.interrupted"
POLL_CHUNK = 1 << 16
"""Iterations of a range loop between two interrupt polls (code inside CPython)."""


# --- the module ----------------------------------------------------------------------------------


class ModuleLowering:
    """Lowers every function of a module; holds what functions share (error state, strings, externals)."""

    def __init__(self, module: n.Module, triple: str, data_layout: str, overflow: str, error_prefix: str,
                 exports: list[str], python_runtime: bool = False) -> None:
        self.source = module
        self.overflow = overflow
        self.error_prefix = error_prefix
        self.exports = exports
        # The C ABI of x86-64 passes a float _Complex packed in one SSE register.
        self.packed_complex64 = triple.startswith("x86_64")
        self.triple = triple
        self.module = ir.Module(name=module.source_file)
        self.module.triple = triple
        self.module.data_layout = data_layout
        self._strings: dict[str, ir.GlobalVariable] = {}
        self.python_runtime = python_runtime
        self.boundscheck = True  # array index checks (lower_module's boundscheck)
        self.fallible = fallible_functions(module, overflow, python_runtime, triple)
        self.error_code = ir.GlobalVariable(self.module, I32, rt.ERROR_CODE_GLOBAL)
        self.error_code.linkage = "internal"
        self.error_code.initializer = I32(0)
        self.error_message = ir.GlobalVariable(self.module, PTR, rt.ERROR_MESSAGE_GLOBAL)
        self.error_message.linkage = "internal"
        self.error_message.initializer = ir.Constant(PTR, None)
        self.functions: dict[str, ir.Function] = {}
        # no array is created in this module: every array comes from outside (owner NULL or a tagged
        # argument), and the reference counting of arrays compiles to nothing
        self.allocates = any(isinstance(node, (n.ArrayNew, n.ArrayRange, n.ArrayCopy, n.ArrayMap, n.MatMul, n.Eye,
                                                n.LinSpace))
                             or (isinstance(node, n.FillArray) and isinstance(node.value.type, ArrayT))
                             or (isinstance(node, n.Reduce) and isinstance(node.type, ArrayT))
                             or allocates_strings(node)
                             for f in module.functions.values() for node in _walk(f.body))
        # wasm traps safely when its stack runs out (the hosts raise RecursionError for that trap);
        # natively recursive code checks a budget, and faults under a guarded entry unwind to it with
        # longjmp (no error tests at call sites)
        self.unwind = not triple.startswith("wasm")
        self.recursive = recursive_functions(module)
        self.guarded = guarded_functions(module, overflow, triple, python_runtime)
        self.raise_function: ir.Function | None = None
        self.interrupt_flag: ir.GlobalVariable | None = None
        if self.unwind:
            # native: the error state, the unwind point and the stack limit are per call (STATE_TYPE)
            self.raise_function = self._raise_function()
            if self.recursive:
                self._stack_overflow_function()
                ir.Function(self.module, ir.FunctionType(I64, [I64]), STACK_LIMIT_FUNCTION)
            if python_runtime:
                self.interrupt_flag = ir.GlobalVariable(self.module, I32, INTERRUPT_FLAG_GLOBAL)
                self.interrupt_flag.linkage = "external"
                self._interrupted_function()

    def body_args(self, fn: ir.Function) -> list[ir.Argument]:
        """A body's arguments that stand for the Python parameters (after the hidden state, if any)."""
        return list(fn.args[1:]) if self.unwind else list(fn.args)

    def run(self) -> ir.Module:
        for name, func in self.source.functions.items():
            hidden = [PTR] if self.unwind else []
            fnty = ir.FunctionType(llvm_type(func.return_type), hidden + [llvm_type(p.type) for p in func.params])
            fn = ir.Function(self.module, fnty, impl_name(name))
            fn.linkage = "internal"
            if self.unwind:
                fn.args[0].name = STATE_ARG
            for arg, p in zip(self.body_args(fn), func.params):
                arg.name = p.name
            self.functions[name] = fn
        for name, func in self.source.functions.items():
            FunctionLowering(self, func, self.functions[name]).run()
        for name in self.exports:
            self._entry_point(self.source.functions[name])
        self._error_api()
        return self.module

    def _raise_function(self) -> ir.Function:
        """``pyexec.raise(state, code, message)``: set the error in the per-call state; unwind to the
        entry if it set a point."""
        fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR, I32, PTR]), RAISE_FUNCTION)
        fn.linkage = "internal"
        fn.attributes.add("noinline")
        fn.attributes.add("cold")
        state, code, message = fn.args
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        b.store(code, state_field(b, state, STATE_CODE))
        b.store(message, state_field(b, state, STATE_MESSAGE))
        buf = b.load(state_field(b, state, STATE_JMPBUF), typ=PTR)
        with b.if_then(b.icmp_unsigned("!=", buf, ir.Constant(PTR, None))):
            longjmp = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR, I32]), "longjmp")
            longjmp.attributes.add("noreturn")
            b.call(longjmp, [buf, I32(1)])
            b.unreachable()
        b.ret_void()
        return fn

    def _stack_overflow_function(self) -> None:
        fn = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR]), STACK_OVERFLOW_FUNCTION)
        fn.linkage = "internal"
        fn.attributes.add("noinline")
        fn.attributes.add("cold")
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        msg = self.cstring("maximum recursion depth exceeded (the compiled code reached the end of its thread's stack)")
        b.call(self.raise_function, [fn.args[0], I32(rt.RECURSION), msg])
        b.ret_void()

    def _interrupted_function(self) -> None:
        """``pyexec.interrupted(state) -> i1``: the cold path of a poll that found the flag set. The
        host's ``pyexec_check_interrupt`` runs CPython's signal handlers; when one raised (such as
        KeyboardInterrupt), the call ends with that exception."""
        fn = ir.Function(self.module, ir.FunctionType(I1, [PTR]), INTERRUPTED_FUNCTION)
        fn.linkage = "internal"
        fn.attributes.add("noinline")
        fn.attributes.add("cold")
        b = ir.IRBuilder(fn.append_basic_block("entry"))
        status = b.call(self.external("pyexec_check_interrupt", I32, []), [])
        failed = b.icmp_signed("!=", status, I32(0))
        with b.if_then(failed, likely=False):
            b.call(self.raise_function, [fn.args[0], I32(rt.PYTHON_EXCEPTION), self.cstring("")])
        b.ret(failed)

    def _abi(self, t: ScalarT | NoneT) -> ir.Type:
        if self.packed_complex64 and isinstance(t, ScalarT) and t.is_complex and t.bits == 64:
            return ir.VectorType(F32, 2)
        return abi_type(t)

    def _entry_point(self, func: n.Function) -> None:
        wasm = self.triple.startswith("wasm")
        rt_ = func.return_type
        # a returned array: natively written through a last, extra pointer parameter and carrying one reference
        # (<prefix>_array_release); in wasm the address of the function's static result area
        returns_array = isinstance(rt_, ArrayT) and not wasm
        # how each parameter travels: [] a scalar, else the values of a tuple (None: a byval pointer)
        plan: list[list[ir.Type] | None] = [[] for _ in func.params]
        sret = False
        if wasm:
            # one parameter per item; a tuple result goes to a static area of the module (an instance runs
            # one call at a time) and the entry returns its address
            plan = [[abi_type(i) for i in p.type.items] if isinstance(p.type, TupleT) else [] for p in func.params]
        elif any(isinstance(t, TupleT) for t in [*(p.type for p in func.params), rt_]):
            for t in [*(p.type for p in func.params), rt_]:
                if isinstance(t, TupleT):
                    tuple_abi.check_c_target(self.triple, t, func.name)
            plan, sret = tuple_abi.sysv_plan([p.type for p in func.params], rt_)
        if not wasm:  # a str crosses the C boundary as pyexec_str {data, size}, by value: two registers
            plan = [[PTR, I64] if isinstance(p.type, StrT) else how for p, how in zip(func.params, plan)]
        returns_str = isinstance(rt_, StrT) and not wasm
        arg_types: list[ir.Type] = [tuple_abi.c_struct_type(rt_).as_pointer()] if sret else []  # type: ignore[arg-type]
        for p, how in zip(func.params, plan):
            if how is None:
                arg_types.append(tuple_abi.c_struct_type(p.type).as_pointer())  # type: ignore[arg-type]
            else:
                # an array crosses the C boundary by pointer to its descriptor (const <struct> *)
                arg_types += how or [PTR if isinstance(p.type, ArrayT) else self._abi(p.type)]  # type: ignore[arg-type]
        if returns_array or returns_str:
            arg_types.append(PTR)
            ret_ty = ir.VoidType()
        elif isinstance(rt_, ArrayT):
            ret_ty = PTR  # wasm: the address of the function's static result area, holding the descriptor
        elif isinstance(rt_, TupleT):
            pieces = [] if sret else [PTR] if wasm else tuple_abi.sysv_pieces(rt_)
            ret_ty = ir.VoidType() if not pieces else pieces[0] if len(pieces) == 1 else ir.LiteralStructType(pieces)
        else:
            ret_ty = self._abi(rt_)
        fnty = ir.FunctionType(ret_ty, arg_types)
        entry = ir.Function(self.module, fnty, func.name)
        entry_block = entry.append_basic_block("entry")
        b = ir.IRBuilder(entry_block)
        b.store(I32(0), self.error_code)
        args = []
        flat = iter(entry.args)
        out_pointer = None
        if sret:
            out_pointer = next(flat)
            out_pointer.name = "result"
            out_pointer.add_attribute("sret")
            out_pointer.attributes.align = 8
        strings = CStrings(self, b, entry.args[-1] if returns_str else None) if not wasm and any(
            isinstance(t, StrT) for t in [*(p.type for p in func.params), rt_]) else None
        for p, how in zip(func.params, plan):
            if strings is not None and isinstance(p.type, StrT):
                data, size = next(flat), next(flat)
                data.name, size.name = f"{p.name}.data", f"{p.name}.size"
                args.append(strings.argument(data, size, lambda code, text: self._entry_fault(b, code, text)))
                continue
            if how is None:  # a struct in memory: the caller's copy on the stack
                pointer = next(flat)
                pointer.name = p.name
                pointer.add_attribute("byval")
                pointer.attributes.align = 8
                args.append(tuple_abi.load_fields(b, pointer, p.type, llvm_type(p.type)))  # type: ignore[arg-type]
                continue
            if how:
                group = [next(flat) for _ in how]
                for k, a in enumerate(group):
                    a.name = f"{p.name}.{k}"
                t = p.type
                assert isinstance(t, TupleT)
                if wasm:
                    value = ir.Constant(llvm_type(t), ir.Undefined)
                    for i, (a, item) in enumerate(zip(group, t.items)):
                        value = b.insert_value(value, b.icmp_unsigned("!=", a, I8(0)) if item.is_bool else a, i)
                else:
                    value = tuple_abi.from_pieces(b, group, t, entry_block, llvm_type(t))
                args.append(value)
                continue
            arg = next(flat)
            arg.name = p.name
            if isinstance(p.type, ArrayT):
                arg = b.load(arg, typ=llvm_type(p.type))
            elif p.type.is_bool:
                arg = b.icmp_unsigned("!=", arg, I8(0))
            elif isinstance(arg.type, ir.VectorType):
                pair = b.insert_value(ir.Constant(llvm_type(p.type), ir.Undefined), b.extract_element(arg, I32(0)), 0)
                arg = b.insert_value(pair, b.extract_element(arg, I32(1)), 1)
            args.append(arg)
        blocks = wasm and self.allocates
        if blocks:
            # what a trapped call left on the list (a host that did not free it); then the call's own blocks
            b.call(self.external("pyexec_rt_free_all", ir.VoidType(), [PTR]), [call_blocks_head(self.module)])
        result, state = entry_call(b, self.module, self.functions[func.name], args, func.name in self.guarded)
        if blocks:
            finish_blocks(b, self.module, call_blocks_head(self.module), b.load(self.error_code, typ=I32))
        if isinstance(rt_, ArrayT) and wasm:
            area = ir.GlobalVariable(self.module, llvm_type(rt_), f"pyexec.array.result.{func.name}")
            area.linkage = "internal"
            area.initializer = ir.Constant(area.value_type, None)
            b.store(result, area)
            b.ret(b.bitcast(area, PTR))
            return
        if state is not None:
            # the C error API reads the module's (thread-local) error state after the call
            code = b.load(state_field(b, state, STATE_CODE), typ=I32)
            message = b.load(state_field(b, state, STATE_MESSAGE), typ=PTR)  # set with any non-zero code
            if self.module.globals.get(MESSAGE_FUNCTIONS_MARK) is not None:
                message = keep_message(b, self.module, code, message)  # it may be in the state, on this stack
            b.store(code, self.error_code)
            b.store(b.select(b.icmp_signed("==", code, I32(0)), ir.Constant(PTR, None), message), self.error_message)
        if strings is not None:
            strings.finish(b.load(self.error_code, typ=I32), result if returns_str else None)
        if returns_str:
            entry.args[-1].name = "result"
            b.ret_void()
        elif returns_array:
            entry.args[-1].name = "result"
            b.store(result, entry.args[-1])  # an empty descriptor after a fault
            b.ret_void()
        elif isinstance(rt_, TupleT):
            if wasm:
                area = ir.GlobalVariable(self.module, tuple_abi.c_struct_type(rt_), f"pyexec.tuple.result.{func.name}")
                area.linkage = "internal"
                area.initializer = ir.Constant(area.value_type, None)
                tuple_abi.store_fields(b, result, rt_, area)
                b.ret(b.bitcast(area, PTR))
                return
            if out_pointer is not None:
                tuple_abi.store_fields(b, result, rt_, out_pointer)
                b.ret_void()
                return
            out = tuple_abi.to_pieces(b, result, rt_, entry_block)
            if len(out) == 1:
                b.ret(out[0])
                return
            value = ir.Constant(ret_ty, ir.Undefined)
            for k, piece in enumerate(out):
                value = b.insert_value(value, piece, k)
            b.ret(value)
        elif isinstance(func.return_type, NoneT):
            b.ret_void()
        elif func.return_type.is_bool:
            b.ret(b.zext(result, I8))
        elif isinstance(fnty.return_type, ir.VectorType):
            packed = b.insert_element(ir.Constant(fnty.return_type, ir.Undefined), b.extract_value(result, 0), I32(0))
            b.ret(b.insert_element(packed, b.extract_value(result, 1), I32(1)))
        else:
            b.ret(result)

    def _entry_fault(self, b: ir.IRBuilder, code: int, text: str) -> None:
        """End a C entry before its call: the error state set, a zero result."""
        b.store(I32(code), self.error_code)
        b.store(self.cstring(text), self.error_message)
        ret = b.function.function_type.return_type
        b.ret_void() if isinstance(ret, ir.VoidType) else b.ret(ir.Constant(ret, None))

    def _error_api(self) -> None:
        p = self.error_prefix
        get = ir.Function(self.module, ir.FunctionType(I32, []), f"{p}_last_error")
        b = ir.IRBuilder(get.append_basic_block("entry"))
        b.ret(b.load(self.error_code, typ=I32))
        msg = ir.Function(self.module, ir.FunctionType(PTR, []), f"{p}_last_error_message")
        b = ir.IRBuilder(msg.append_basic_block("entry"))
        code = b.load(self.error_code, typ=I32)
        b.ret(b.select(b.icmp_signed("==", code, I32(0)), self.cstring(""), b.load(self.error_message, typ=PTR)))
        if any(isinstance(self.source.functions[name].return_type, StrT) for name in self.exports):
            release = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR]), f"{p}_str_release")
            b = ir.IRBuilder(release.append_basic_block("entry"))
            with b.if_then(b.icmp_unsigned("!=", release.args[0], ir.Constant(PTR, None))):
                b.call(self.external("pyexec_rt_decref", ir.VoidType(), [PTR]), [release.args[0]])
            b.ret_void()
        if any(isinstance(self.source.functions[name].return_type, ArrayT) for name in self.exports):
            release = ir.Function(self.module, ir.FunctionType(ir.VoidType(), [PTR]), f"{p}_array_release")
            b = ir.IRBuilder(release.append_basic_block("entry"))
            owner = release.args[0]
            block = b.and_(b.icmp_unsigned("!=", owner, ir.Constant(PTR, None)),
                           b.icmp_unsigned("==", b.and_(b.ptrtoint(owner, I64), I64(1)), I64(0)))
            with b.if_then(block):
                b.call(self.external("pyexec_rt_decref", ir.VoidType(), [PTR]), [owner])
            b.ret_void()
        clear = ir.Function(self.module, ir.FunctionType(ir.VoidType(), []), f"{p}_clear_error")
        b = ir.IRBuilder(clear.append_basic_block("entry"))
        b.store(I32(0), self.error_code)
        b.store(ir.Constant(PTR, None), self.error_message)
        b.ret_void()

    def cstring(self, text: str) -> ir.GlobalVariable:
        """A private NUL-terminated UTF-8 constant (one per distinct text)."""
        if text not in self._strings:
            data = bytearray(text.encode("utf-8") + b"\0")
            g = ir.GlobalVariable(self.module, ir.ArrayType(I8, len(data)), f".str.{len(self._strings)}")
            g.linkage = "private"
            g.global_constant = True
            g.unnamed_addr = True
            g.initializer = ir.Constant(ir.ArrayType(I8, len(data)), data)
            self._strings[text] = g
        return self._strings[text]

    def external(self, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
        """Declare (once) an external function: a runtime function, libm, or an LLVM intrinsic."""
        existing = self.module.globals.get(name)
        if existing is not None:
            return existing
        return ir.Function(self.module, ir.FunctionType(ret, args), name)


# --- one function --------------------------------------------------------------------------------


class FunctionLowering(ArrayLowering, StringLowering, StringOpsLowering):
    """Lowers one IR function: one ``expr_*`` method per expression kind, one ``stmt_*`` per statement."""

    def __init__(self, owner: ModuleLowering, func: n.Function, fn: ir.Function) -> None:
        self.owner = owner
        self.func = func
        self.fn = fn
        self.checked = owner.overflow == "check"
        self.entry_block = fn.append_basic_block("entry")
        self.b = ir.IRBuilder(self.entry_block)
        self.slots: dict[int, ir.AllocaInstr] = {}
        self.loops: list[tuple[ir.Block, ir.Block]] = []  # (continue target, break target)
        self.state = fn.args[0] if owner.unwind else None  # the per-call state (native; STATE_TYPE)

    # --- scaffolding -----------------------------------------------------------------------------

    def run(self) -> None:
        for arg, p in zip(self.owner.body_args(self.fn), self.func.params):
            self.b.store(arg, self.slot(p))
        self.enter_arrays()
        if self.func.name in self.owner.recursive:
            if self.state is not None:
                self.check_stack()
            self.poll_interrupt()
        body = self.fn.append_basic_block("body")
        self.b.branch(body)
        self.b.position_at_end(body)
        self.stmts(self.func.body)
        if not self.b.block.is_terminated:
            if isinstance(self.func.return_type, NoneT):
                self.release_arrays()
                self.b.ret_void()
            else:
                self.fault(rt.VALUE, f"{self.func.name}() reached its end without returning a value")

    def check_stack(self) -> None:
        limit = self.b.load(state_field(self.b, self.state, STATE_LIMIT), typ=I64, name="stack.limit")
        here = self.b.ptrtoint(self.b.call(self.owner.external("llvm.frameaddress.p0", PTR, [I32]), [I32(0)]), I64)
        with self.b.if_then(self.b.icmp_unsigned("<", here, limit), likely=False):
            self.b.call(self.owner.module.get_global(STACK_OVERFLOW_FUNCTION), [self.state])
            self.return_zero()

    def poll_interrupt(self) -> None:
        """On loop heads and recursive entries (code run inside CPython): one relaxed load of the
        process's interrupt flag, which pyexec's SIGINT hook sets; the cold path asks CPython."""
        flag = self.owner.interrupt_flag
        if flag is None:
            return
        pending = self.b.load_atomic(flag, "monotonic", 4, typ=I32, name="interrupt")
        with self.b.if_then(self.b.icmp_signed("!=", pending, I32(0)), likely=False):
            failed = self.b.call(self.owner.module.get_global(INTERRUPTED_FUNCTION), [self.state])
            with self.b.if_then(failed, likely=False):
                self.return_zero()

    def slot(self, var: n.Variable) -> ir.AllocaInstr:
        key = id(var)
        if key not in self.slots:
            with self.b.goto_block(self.entry_block):
                self.b.position_at_start(self.entry_block)
                self.slots[key] = self.b.alloca(llvm_type(var.type), name=var.name)
        return self.slots[key]

    def new_block(self, name: str) -> ir.Block:
        return self.fn.append_basic_block(name)

    def fault(self, kind: int, message: str | ir.Value) -> None:
        """Set the error state and return from the function (the current block ends here), or unwind
        to a guarded entry point when one is active. ``message`` is text, or a pointer to text that
        outlives the call (a runtime's buffer)."""
        text = self.owner.cstring(message) if isinstance(message, str) else message
        if self.owner.raise_function is not None:
            self.b.call(self.owner.raise_function, [self.state, I32(kind), text])
        else:
            self.b.store(I32(kind), self.owner.error_code)
            self.b.store(text, self.owner.error_message)
        self.return_zero()

    def return_zero(self) -> None:
        rt_ = self.fn.function_type.return_type
        if isinstance(rt_, ir.VoidType):
            self.b.ret_void()
        else:
            self.b.ret(ir.Constant(rt_, None))

    def fail_if(self, cond: ir.Value, kind: int, message: str) -> None:
        with self.b.if_then(cond, likely=False):
            self.fault(kind, message)

    def after_terminator(self) -> None:
        """Continue emitting into a fresh, unreachable block (code after return/break/continue)."""
        self.b.position_at_end(self.new_block("dead"))

    def intrinsic_fn(self, name: str, ret: ir.Type, args: list[ir.Type], overloads: list[ir.Type]) -> ir.Function:
        """Declare an LLVM intrinsic, its name mangled with the overloaded types (``llvm.pow.f64``)."""
        mangled = ".".join([name, *(_type_suffix(t) for t in overloads)])
        return self.owner.external(mangled, ret, args)

    # --- statements ------------------------------------------------------------------------------

    def stmts(self, body: list[n.Stmt]) -> None:
        for stmt in body:
            getattr(self, "stmt_" + type(stmt).__name__)(stmt)

    def stmt_Assign(self, s: n.Assign) -> None:
        if isinstance(s.target.type, (ArrayT, StrT)):
            self.assign_array(s)
            return
        self.b.store(self.expr(s.value), self.slot(s.target))

    def stmt_ExprStmt(self, s: n.ExprStmt) -> None:
        value = self.expr(s.value)
        self.release_temporary(s.value, value)

    def stmt_Return(self, s: n.Return) -> None:
        if s.value is None:
            self.release_arrays()
            self.b.ret_void()
        else:
            value = self.expr(s.value)
            self.return_reference(s.value, value)
            self.release_arrays()
            self.b.ret(value)
        self.after_terminator()

    def stmt_If(self, s: n.If) -> None:
        cond = self.expr(s.test)
        then, other, done = self.new_block("if.then"), self.new_block("if.else"), self.new_block("if.end")
        self.b.cbranch(cond, then, other)
        for block, body in ((then, s.body), (other, s.orelse)):
            self.b.position_at_end(block)
            self.stmts(body)
            if not self.b.block.is_terminated:
                self.b.branch(done)
        self.b.position_at_end(done)

    def stmt_While(self, s: n.While) -> None:
        test, body, orelse, done = (self.new_block(x) for x in ("while.test", "while.body", "while.else",
                                                                 "while.end"))
        self.b.branch(test)
        self.b.position_at_end(test)
        self.poll_interrupt()
        self.b.cbranch(self.expr(s.test), body, orelse)
        self.b.position_at_end(body)
        self.loops.append((test, done))
        self.stmts(s.body)
        self.loops.pop()
        if not self.b.block.is_terminated:
            self.b.branch(test)
        self.b.position_at_end(orelse)
        self.stmts(s.orelse)
        if not self.b.block.is_terminated:
            self.b.branch(done)
        self.b.position_at_end(done)

    def stmt_ForRange(self, s: n.ForRange) -> None:
        if s.zipped:
            self.zip_loop(s)
            return
        # Python's range exactly: the trip count is computed up front in unsigned arithmetic, so
        # neither the count nor the induction variable can overflow at the ends of the type.
        t = s.var.type
        ty = llvm_type(t)
        start, stop, step = self.range_operands(s.start, s.stop, s.step, ty)
        one = ir.Constant(ty, 1)
        count = self.range_count(t, start, stop, step)
        pre = self.b.block
        head, body, latch, orelse, done = (self.new_block(x) for x in ("for.head", "for.body", "for.next",
                                                                        "for.else", "for.end"))
        index, value, bound, exhausted = self.for_head(pre, head, orelse, count, start, ty, s.var.name)
        # index runs 0, 1, ... bound, so `!=` tests what `<` would; an equality also keeps the exit out
        # of LLVM 22's first-iteration rewrite of relational exits, which mixes signed and unsigned
        # readings of an inferred `samesign` (llvm/llvm-project#180870: a loop that ran forever or
        # reached code that `continue` skips)
        self.b.cbranch(self.b.icmp_unsigned("!=", index, bound), body, exhausted)
        self.b.position_at_end(body)
        self.b.store(value, self.slot(s.var))
        self.loops.append((latch, done))
        self.stmts(s.body)
        self.loops.pop()
        if not self.b.block.is_terminated:
            self.b.branch(latch)
        self.b.position_at_end(latch)
        index.add_incoming(self.b.add(index, one), latch)
        value.add_incoming(self.b.add(value, step), latch)
        self.b.branch(head)
        self.b.position_at_end(orelse)
        self.stmts(s.orelse)
        if not self.b.block.is_terminated:
            self.b.branch(done)
        self.b.position_at_end(done)

    def range_operands(self, start: n.Expr, stop: n.Expr, step: n.Expr, ty: ir.Type) -> list[ir.Value]:
        """A range's start, stop and step, evaluated in order; a zero step raises ValueError as range() does."""
        values = [self.expr(start), self.expr(stop), self.expr(step)]
        self.fail_if(self.b.icmp_unsigned("==", values[2], ir.Constant(ty, 0)), rt.VALUE,
                     "range() arg 3 must not be zero")
        return values

    def zip_loop(self, s: n.ForRange) -> None:
        """A range loop with ranges in step (``zip``) or a counter beside it (``enumerate``): an i64
        index runs to the shortest range's trip count; each variable is ``start + index * step``, in
        wrapping arithmetic of its type, which is exact because the value itself lies in the range."""
        b = self.b
        ranges = [(s.var, s.start, s.stop, s.step), *((z.var, z.start, z.stop, z.step) for z in s.zipped)]
        walked = []
        count: ir.Value | None = None
        for var, start_e, stop_e, step_e in ranges:
            t = var.type
            ty = llvm_type(t)
            if stop_e is None:  # enumerate's counter: unbounded, step 1
                walked.append((var, self.expr(start_e), None))
                continue
            start, stop, step = self.range_operands(start_e, stop_e, step_e, ty)
            n_t = self.range_count(t, start, stop, step)
            n_64 = b.zext(n_t, I64) if ty.width < 64 else n_t
            count = n_64 if count is None else b.select(b.icmp_unsigned("<", n_64, count), n_64, count)
            walked.append((var, start, step))
        assert count is not None
        pre = b.block
        head, body, latch, orelse, done = (self.new_block(x) for x in ("zip.head", "zip.body", "zip.next",
                                                                        "zip.else", "zip.end"))
        index, twin, bound, exhausted = self.for_head(pre, head, orelse, count, I64(0), I64, "index")
        b.cbranch(b.icmp_unsigned("!=", index, bound), body, exhausted)
        b.position_at_end(body)
        for var, start, step in walked:
            ty = start.type
            k = b.trunc(index, ty) if ty.width < 64 else index
            if step is None:
                if var.type.checked and self.checked:
                    total = b.call(self.intrinsic_fn("llvm.sadd.with.overflow", ir.LiteralStructType([ty, I1]),
                                                     [ty, ty], [ty]), [start, k])
                    self.fail_if(b.extract_value(total, 1), rt.OVERFLOW,
                                 "enumerate() counter does not fit in a 64-bit int")
                    value = b.extract_value(total, 0)
                else:
                    value = b.add(start, k)
            else:
                value = b.add(start, b.mul(k, step))
            b.store(value, self.slot(var))
        self.loops.append((latch, done))
        self.stmts(s.body)
        self.loops.pop()
        if not b.block.is_terminated:
            b.branch(latch)
        b.position_at_end(latch)
        index.add_incoming(b.add(index, I64(1)), latch)
        twin.add_incoming(b.add(twin, I64(1)), latch)  # for_head's value phi (the index again: LLVM folds it)
        b.branch(head)
        b.position_at_end(orelse)
        self.stmts(s.orelse)
        if not b.block.is_terminated:
            b.branch(done)
        b.position_at_end(done)

    def range_count(self, t: ScalarT, start: ir.Value, stop: ir.Value, step: ir.Value) -> ir.Value:
        """How many values ``range(start, stop, step)`` holds (step is not zero), in ``t``'s width unsigned."""
        ty = llvm_type(t)
        zero = ir.Constant(ty, 0)
        one = ir.Constant(ty, 1)
        if t.info.signed:
            up = self.b.icmp_signed(">", step, zero)
            nonempty_up = self.b.icmp_signed("<", start, stop)
            nonempty_down = self.b.icmp_signed(">", start, stop)
            span = self.b.select(up, self.b.sub(stop, start), self.b.sub(start, stop))
            stride = self.b.select(up, step, self.b.neg(step))
            nonempty = self.b.select(up, nonempty_up, nonempty_down)
        else:
            nonempty = self.b.icmp_unsigned("<", start, stop)
            span = self.b.sub(stop, start)
            stride = step
        count = self.b.add(self.b.udiv(self.b.sub(span, one), stride), one)
        return self.b.select(nonempty, count, zero, name="trip_count")

    def for_head(self, pre: ir.Block, head: ir.Block, orelse: ir.Block, count: ir.Value, start: ir.Value,
                 ty: ir.IntType, name: str) -> tuple[ir.PhiInstr, ir.PhiInstr, ir.Value, ir.Block]:
        """The head of a range loop: its index and value phis, the bound the index runs to, and
        where the head goes when it is reached.

        With interrupt polls (code inside CPython), a loop over a 32- or 64-bit range runs in
        chunks of :data:`POLL_CHUNK` iterations, polling once per chunk: the inner loop has no side
        effect of its own, so LLVM still vectorises it or replaces it with a closed formula."""
        b = self.b
        chunked = self.owner.interrupt_flag is not None and ty.width >= 32
        if not chunked:
            self.poll_interrupt()  # once per loop entry (a narrow range is at most 65,536 iterations)
            entry = b.block
            b.branch(head)
            b.position_at_end(head)
            index, value = b.phi(ty, name="for.index"), b.phi(ty, name=f"for.{name}")
            index.add_incoming(ir.Constant(ty, 0), entry)
            value.add_incoming(start, entry)
            return index, value, count, orelse
        chunk, more = self.new_block("for.chunk"), self.new_block("for.chunk.next")
        b.branch(chunk)
        b.position_at_end(chunk)
        chunk_index, chunk_value = b.phi(ty, name="for.chunk.index"), b.phi(ty, name="for.chunk.value")
        chunk_index.add_incoming(ir.Constant(ty, 0), pre)
        chunk_value.add_incoming(start, pre)
        self.poll_interrupt()
        left = b.sub(count, chunk_index)
        size = b.select(b.icmp_unsigned("<", left, ir.Constant(ty, POLL_CHUNK)), left, ir.Constant(ty, POLL_CHUNK))
        bound = b.add(chunk_index, size, name="for.chunk.end")
        chunk_end = b.block
        b.branch(head)
        b.position_at_end(head)
        index, value = b.phi(ty, name="for.index"), b.phi(ty, name=f"for.{name}")
        index.add_incoming(chunk_index, chunk_end)
        value.add_incoming(chunk_value, chunk_end)
        with b.goto_block(more):
            b.cbranch(b.icmp_unsigned("!=", index, count), chunk, orelse)  # `!=`: see the loop's own exit
        chunk_index.add_incoming(index, more)
        chunk_value.add_incoming(value, more)
        return index, value, bound, more

    def stmt_Break(self, s: n.Break) -> None:
        self.b.branch(self.loops[-1][1])
        self.after_terminator()

    def stmt_Continue(self, s: n.Continue) -> None:
        self.b.branch(self.loops[-1][0])
        self.after_terminator()

    def stmt_Assert(self, s: n.Assert) -> None:
        cond = self.expr(s.test)
        if isinstance(s.message, str) or s.message is None:
            self.fail_if(self.b.not_(cond), rt.ASSERTION, s.message or "")
            return
        with self.b.if_then(self.b.not_(cond), likely=False):
            # the message is evaluated only when the test fails; the runtime writes str() of it as print does
            value, t = self.expr(s.message), s.message.type
            suffix, types, args = self.value_parts(value, t)
            if self.owner.python_runtime:  # in process: the runtime sets the AssertionError itself
                self.b.call(self.owner.external(f"pyexec_assert_{suffix}", I32, types), args)
                self.fault(rt.PYTHON_EXCEPTION, "")
            else:
                text = self.b.call(self.owner.external(f"pyexec_assert_{suffix}", PTR, types), args)
                self.fault(rt.ASSERTION, text)

    def stmt_Print(self, s: n.Print) -> None:
        # CPython evaluates every argument before print writes anything: a fault in the last one
        # must leave nothing printed
        values = [None if isinstance(arg, n.Const) and isinstance(arg.value, str) else self.expr(arg)
                  for arg in s.args]
        for i, (arg, value) in enumerate(zip(s.args, values)):
            if i and s.sep:
                self.print_text(s.sep)
            if value is None:
                self.print_text(arg.value)
            elif isinstance(arg.type, StrT):
                self.print_string(value)
            else:
                self.print_value(value, arg.type)
        if s.end:
            self.print_text(s.end)
        for arg, value in zip(s.args, values):
            if value is not None:
                self.release_temporary(arg, value)

    def print_text(self, text: str) -> None:
        self.print_call("pyexec_print_str", [PTR], [self.owner.cstring(text)])

    def print_call(self, name: str, types: list[ir.Type], args: list[ir.Value]) -> None:
        """Call a ``pyexec_print_*`` function; with the Python runtime it returns a status, and a
        non-zero one (an exception set by ``sys.stdout.write``) ends the call with that exception."""
        if not self.owner.python_runtime:
            self.b.call(self.owner.external(name, ir.VoidType(), types), args)
            return
        status = self.b.call(self.owner.external(name, I32, types), args)
        self.fail_if(self.b.icmp_signed("!=", status, I32(0)), rt.PYTHON_EXCEPTION, "")

    def print_value(self, v: ir.Value, t: ScalarT) -> None:
        suffix, types, args = self.value_parts(v, t)
        self.print_call(f"pyexec_print_{suffix}", types, args)

    def value_parts(self, v: ir.Value, t: ScalarT) -> tuple[str, list[ir.Type], list[ir.Value]]:
        """How the runtime's ``pyexec_print_*``/``pyexec_assert_*`` take a value: the name's suffix, the
        parameter types and the arguments."""
        if t.is_bool:
            return "bool", [I32], [self.b.zext(v, I32)]
        if t.is_integer:
            if t.info.signed:
                return "i64", [I64], [self.b.sext(v, I64) if t.bits < 64 else v]
            return "u64", [I64], [self.b.zext(v, I64) if t.bits < 64 else v]
        if t.is_float:
            return ("f32", [F32], [v]) if t.bits == 32 else ("f64", [F64], [v])
        part = F32 if t.bits == 64 else F64
        return ("c64" if t.bits == 64 else "c128"), [part, part], [self.b.extract_value(v, 0),
                                                                  self.b.extract_value(v, 1)]

    # --- expressions -----------------------------------------------------------------------------

    def expr(self, e: n.Expr) -> ir.Value:
        return getattr(self, "expr_" + type(e).__name__)(e)

    def expr_Const(self, e: n.Const) -> ir.Value:
        t = e.type
        if isinstance(t, StrT):
            return self.string_literal(e.value)  # type: ignore[arg-type]
        return constant(e.value, t)

    def expr_MakeTuple(self, e: n.MakeTuple) -> ir.Value:
        value = ir.Constant(llvm_type(e.type), ir.Undefined)
        for i, item in enumerate(e.items):
            value = self.b.insert_value(value, self.expr(item), i)
        return value

    def expr_TupleItem(self, e: n.TupleItem) -> ir.Value:
        return self.b.extract_value(self.expr(e.value), e.index)

    def expr_Name(self, e: n.Name) -> ir.Value:
        return self.b.load(self.slot(e.var), typ=llvm_type(e.type), name=e.var.name)

    def expr_Call(self, e: n.Call) -> ir.Value:
        callee = self.owner.functions.get(e.callee)
        if callee is None:
            raise NativeBuildError(f"{e.loc}: call of {e.callee!r}, which is not a function of the module")
        hidden = [self.state] if self.state is not None else []
        # A call that may recurse is never a tail call: tail-recursion elimination would turn a runaway
        # recursion (``return f(n + 1)``, or an accumulator ``return g(n - 1, acc + n)``) into a loop that
        # runs forever (the stack never grows, so no RecursionError), where CPython raises RecursionError.
        tail = "notail" if e.callee in self.owner.recursive else None
        args = [self.expr(a) for a in e.args]
        result = self.b.call(callee, hidden + args, tail=tail)
        for a, v in zip(e.args, args):
            self.release_temporary(a, v)  # the callee took its own references
        # with unwinding, a fault below this call never returns here (see guarded_functions)
        if e.callee in self.owner.fallible and not self.owner.guarded:
            code = state_field(self.b, self.state, STATE_CODE) if self.state is not None else self.owner.error_code
            failed = self.b.icmp_signed("!=", self.b.load(code, typ=I32), I32(0))
            with self.b.if_then(failed, likely=False):
                self.return_zero()
        return result

    def expr_IfExp(self, e: n.IfExp) -> ir.Value:
        cond = self.expr(e.test)
        then, other, done = self.new_block("ifexp.then"), self.new_block("ifexp.else"), self.new_block("ifexp.end")
        self.b.cbranch(cond, then, other)
        self.b.position_at_end(then)
        a = self.expr(e.body)
        own_branch(self, e.body, a)
        then_end = self.b.block
        self.b.branch(done)
        self.b.position_at_end(other)
        c = self.expr(e.orelse)
        own_branch(self, e.orelse, c)
        other_end = self.b.block
        self.b.branch(done)
        self.b.position_at_end(done)
        phi = self.b.phi(llvm_type(e.type))
        phi.add_incoming(a, then_end)
        phi.add_incoming(c, other_end)
        return phi

    def expr_BoolOp(self, e: n.BoolOp) -> ir.Value:
        done = self.new_block(f"{e.op}.end")
        incoming = []
        for i, value in enumerate(e.values):
            v = self.expr(value)
            if i == len(e.values) - 1:
                incoming.append((v, self.b.block))
                self.b.branch(done)
                break
            truth = self.truth(v, e.type)
            nxt = self.new_block(f"{e.op}.next")
            incoming.append((v, self.b.block))
            if e.op == "and":
                self.b.cbranch(truth, nxt, done)
            else:
                self.b.cbranch(truth, done, nxt)
            self.b.position_at_end(nxt)
        self.b.position_at_end(done)
        phi = self.b.phi(llvm_type(e.type))
        for v, block in incoming:
            phi.add_incoming(v, block)
        return phi

    def expr_Compare(self, e: n.Compare) -> ir.Value:
        left = self.expr(e.operands[0])
        types = [o.type for o in e.operands]
        if len(e.ops) == 1:
            return self.link(e.ops[0], left, types[0], self.expr(e.operands[1]), types[1], e.link_types[0])
        done = self.new_block("cmp.end")
        incoming = []
        for i, op in enumerate(e.ops):
            right = self.expr(e.operands[i + 1])
            result = self.link(op, left, types[i], right, types[i + 1], e.link_types[i])
            incoming.append((result, self.b.block))
            if i == len(e.ops) - 1:
                self.b.branch(done)
            else:
                nxt = self.new_block("cmp.next")
                self.b.cbranch(result, nxt, done)
                self.b.position_at_end(nxt)
            left = right
        self.b.position_at_end(done)
        phi = self.b.phi(I1)
        for v, block in incoming:
            phi.add_incoming(v, block)
        return phi

    def link(self, op: str, a: ir.Value, ta: ScalarT, c: ir.Value, tc: ScalarT, t: ScalarT) -> ir.Value:
        """One link of a comparison chain in type ``t``, converting an operand of another type as
        :class:`nodes.Compare` says: integers by value (widened to i65 when uint64 meets a signed
        integer, so that every value of both compares exactly), anything else as a cast."""
        if ta == tc == t:
            return self.compare(op, a, c, t)
        if t.is_integer and ta.is_integer and tc.is_integer:
            sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
            wide = ir.IntType(65)
            a, c = (self.b.sext(v, wide) if ty.info.signed else self.b.zext(v, wide)
                    for v, ty in ((a, ta), (c, tc)))
            return self.b.icmp_signed(sym, a, c)
        return self.compare(op, self.cast(a, ta, t), self.cast(c, tc, t), t)

    def compare(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        sym = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
        if t.is_complex:
            if op not in ("eq", "ne"):
                raise UnsupportedConstructError(f"complex numbers have no order ({sym})")
            parts = [self.b.fcmp_ordered("==", self.b.extract_value(a, i), self.b.extract_value(c, i))
                     for i in (0, 1)]
            same = self.b.and_(*parts)
            return same if op == "eq" else self.b.not_(same)
        if t.is_float:
            if op == "ne":
                return self.b.fcmp_unordered("!=", a, c)
            return self.b.fcmp_ordered(sym, a, c)
        if t.info.signed and not t.is_bool:
            return self.b.icmp_signed(sym, a, c)
        return self.b.icmp_unsigned(sym, a, c)

    def truth(self, v: ir.Value, t: ScalarT) -> ir.Value:
        """Python truthiness as an ``i1``."""
        if t.is_bool:
            return v
        if t.is_float:
            return self.b.fcmp_unordered("!=", v, ir.Constant(v.type, 0.0))
        if t.is_complex:
            zero = ir.Constant(v.type.elements[0], 0.0)
            return self.b.or_(self.b.fcmp_unordered("!=", self.b.extract_value(v, 0), zero),
                              self.b.fcmp_unordered("!=", self.b.extract_value(v, 1), zero))
        return self.b.icmp_unsigned("!=", v, ir.Constant(v.type, 0))

    # --- unary and binary operators --------------------------------------------------------------

    def expr_UnaryOp(self, e: n.UnaryOp) -> ir.Value:
        v = self.expr(e.operand)
        t = e.type
        if e.op == "pos":
            return v
        if e.op == "not":
            return self.b.not_(self.truth(v, e.operand.type))
        if e.op == "invert":
            return self.b.not_(v)
        if t.is_complex:
            return self.make_complex(self.b.fneg(self.b.extract_value(v, 0)), self.b.fneg(self.b.extract_value(v, 1)),
                                     v.type)
        if t.is_float:
            return self.b.fneg(v)
        if t.checked and self.checked:
            self.fail_if(self.b.icmp_signed("==", v, I64(INT64.info.min_value)), rt.OVERFLOW,
                         "int overflow: -x does not fit in 64 bits")
        return self.b.neg(v)

    def expr_BinOp(self, e: n.BinOp) -> ir.Value:
        a, c = self.expr(e.left), self.expr(e.right)
        t = e.type
        if t.is_complex:
            return self.complex_binop(e.op, a, c, t)
        if t.is_float:
            return self.float_binop(e.op, a, c)
        if e.op == "pow":
            return self.int_pow(a, c, t, e.right.type)
        return self.int_binop(e.op, a, c, t)

    def checked_arith(self, op: str, a: ir.Value, c: ir.Value) -> ir.Value:
        fn = self.intrinsic_fn(f"llvm.s{op}.with.overflow", ir.LiteralStructType([I64, I1]), [I64, I64], [I64])
        pair = self.b.call(fn, [a, c])
        self.fail_if(self.b.extract_value(pair, 1), rt.OVERFLOW,
                     f"int overflow: the result of {_BINOP_SYMBOLS[op]} does not fit in 64 bits")
        return self.b.extract_value(pair, 0)

    def int_binop(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        b = self.b
        checked = t.checked and self.checked
        if op in ("add", "sub", "mul"):
            if checked:
                return self.checked_arith(op, a, c)
            return {"add": b.add, "sub": b.sub, "mul": b.mul}[op](a, c)
        if op in ("bitand", "bitor", "bitxor"):
            return {"bitand": b.and_, "bitor": b.or_, "bitxor": b.xor}[op](a, c)
        if op in ("floordiv", "mod"):
            return self.int_floordiv_mod(op, a, c, t, checked)
        if op in ("lshift", "rshift"):
            return self.int_shift(op, a, c, t, checked)
        if op == "truediv":
            raise UnsupportedConstructError("'/' on integers must be cast to float by the frontend")
        raise UnsupportedConstructError(f"integer operator {op!r}")

    def int_floordiv_mod(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT, checked: bool) -> ir.Value:
        b = self.b
        ty = a.type
        zero = ir.Constant(ty, 0)
        message = "integer division or modulo by zero" if op == "floordiv" else "integer modulo by zero"
        self.fail_if(b.icmp_unsigned("==", c, zero), rt.ZERO_DIVISION, message)
        if not t.info.signed or t.is_bool:
            safe = self.total_divisor(c, ())
            return b.udiv(a, safe) if op == "floordiv" else b.urem(a, safe)
        minus_one = ir.Constant(ty, -1)
        is_m1 = b.icmp_signed("==", c, minus_one)
        if op == "floordiv" and checked:
            self.fail_if(b.and_(is_m1, b.icmp_signed("==", a, ir.Constant(ty, t.info.min_value))), rt.OVERFLOW,
                         "int overflow: the result of // does not fit in 64 bits")
        # x // -1 is -x (wrapping for fixed-width types); dividing by 1 instead keeps sdiv defined.
        safe = self.total_divisor(c, (-1,))
        q = b.sdiv(a, safe)
        r = b.srem(a, safe)
        adjust = b.and_(b.icmp_signed("!=", r, zero), b.icmp_signed("<", b.xor(r, c), zero))
        if op == "floordiv":
            q = b.sub(q, b.zext(adjust, ty))
            return b.select(is_m1, b.neg(a), q)
        r = b.add(r, b.select(adjust, c, zero))
        return b.select(is_m1, zero, r)

    def total_divisor(self, c: ir.Value, also: tuple[int, ...]) -> ir.Value:
        """The divisor ``c`` with 0 (and the values in ``also``) replaced by 1, so that the division
        instruction itself is never undefined behaviour, wherever the optimiser moves it.

        The zero test that raises ZeroDivisionError is not enough on its own: LLVM 22's
        IndVarSimplify rewrites a loop exit that depends on a loop-invariant ``urem``/``udiv`` as a
        first-iteration test and expands the division in the loop preheader, above that test
        (issue 12: SIGFPE at -O1/-O2). A plain ``select`` would not survive either: under the zero
        test LLVM folds it away. So the divisor first passes through an empty inline ``asm``, which
        LLVM cannot see through (it emits no instruction, on x86-64 and wasm32 alike); the select
        on its result stays, and the division is by a non-zero value on every path.
        """
        if isinstance(c, ir.Constant) and c.constant not in (0, *also):
            return c  # a constant divisor keeps LLVM's strength reduction (x // 10 as a multiply)
        b = self.b
        opaque = b.asm(ir.FunctionType(c.type, [c.type]), "", "=r,0", [c], side_effect=False)
        bad = b.icmp_unsigned("==", opaque, ir.Constant(c.type, 0))
        for value in also:
            bad = b.or_(bad, b.icmp_unsigned("==", opaque, ir.Constant(c.type, value)))
        return b.select(bad, ir.Constant(c.type, 1), opaque)

    def int_shift(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT, checked: bool) -> ir.Value:
        b = self.b
        ty = a.type
        bits = ir.Constant(ty, t.bits)
        zero = ir.Constant(ty, 0)
        if t.checked:
            self.fail_if(b.icmp_signed("<", c, zero), rt.VALUE, "negative shift count")
        # NumPy's npy_lshift/npy_rshift: a count that is negative or at least the width (compared
        # unsigned, so a negative count is huge) gives 0, or -1 for a negative value shifted right
        too_far = b.icmp_unsigned(">=", c, bits)
        safe = b.select(too_far, zero, c)
        if op == "rshift":
            if t.info.signed:
                fill = b.ashr(a, ir.Constant(ty, t.bits - 1))
                return b.select(too_far, fill, b.ashr(a, safe))
            return b.select(too_far, zero, b.lshr(a, safe))
        shifted = b.shl(a, safe)
        if checked:
            lost = b.or_(b.and_(too_far, b.icmp_signed("!=", a, zero)),
                         b.and_(b.not_(too_far), b.icmp_signed("!=", b.ashr(shifted, safe), a)))
            self.fail_if(lost, rt.OVERFLOW, "int overflow: the result of << does not fit in 64 bits")
        return b.select(too_far, zero, shifted)

    def int_pow(self, base: ir.Value, exp: ir.Value, t: ScalarT, exp_t: ScalarT) -> ir.Value:
        """Exponentiation by squaring; the base is squared only while exponent bits remain, so a
        checked square overflows only when the result would too."""
        b = self.b
        ty = base.type
        zero, one = ir.Constant(ty, 0), ir.Constant(ty, 1)
        if exp.type != ty:
            if exp_t.info.signed and not exp_t.is_bool:
                self.refuse_negative_exponent(base, exp, t)
            exp = self.int_resize(exp, exp_t, ty) if exp.type.width <= ty.width else self.clamp_exponent(exp, ty)
        elif exp_t.info.signed and not exp_t.is_bool:
            self.refuse_negative_exponent(base, exp, t)
        mul = (lambda x, y: self.checked_arith("mul", x, y)) if t.checked and self.checked else b.mul
        pre = b.block
        head, odd_block, square_block, latch, done = (
            self.new_block(x) for x in ("pow.head", "pow.odd", "pow.square", "pow.next", "pow.end"))
        b.branch(head)
        b.position_at_end(head)
        result = b.phi(ty, name="pow.result")
        power = b.phi(ty, name="pow.power")
        e = b.phi(ty, name="pow.exp")
        result.add_incoming(one, pre)
        power.add_incoming(base, pre)
        e.add_incoming(exp, pre)
        b.cbranch(b.icmp_unsigned("!=", e, zero), odd_block, done)
        b.position_at_end(odd_block)
        is_odd = b.icmp_unsigned("!=", b.and_(e, one), zero)
        with b.if_then(is_odd):
            multiplied = mul(result, power)
            multiplied_in = b.block
        new_result = b.phi(ty)
        new_result.add_incoming(multiplied, multiplied_in)
        new_result.add_incoming(result, odd_block)
        rest = b.lshr(e, one)
        b.cbranch(b.icmp_unsigned("!=", rest, zero), square_block, latch)
        after_odd = b.block
        b.position_at_end(square_block)
        squared = mul(power, power)
        squared_in = b.block
        b.branch(latch)
        b.position_at_end(latch)
        new_power = b.phi(ty)
        new_power.add_incoming(squared, squared_in)
        new_power.add_incoming(power, after_odd)
        result.add_incoming(new_result, latch)
        power.add_incoming(new_power, latch)
        e.add_incoming(rest, latch)
        b.branch(head)
        b.position_at_end(done)
        return result

    def refuse_negative_exponent(self, base: ir.Value, exp: ir.Value, t: ScalarT) -> None:
        """``int ** negative``: Python's ``int`` raises ZeroDivisionError for a zero base, as CPython
        does (``0 ** -1``), and ValueError otherwise (CPython would return a float); the fixed-width
        types raise ValueError like NumPy's scalars."""
        negative = self.b.icmp_signed("<", exp, ir.Constant(exp.type, 0))
        if t.checked:
            zero_base = self.b.icmp_unsigned("==", base, ir.Constant(base.type, 0))
            self.fail_if(self.b.and_(negative, zero_base), rt.ZERO_DIVISION, "0.0 cannot be raised to a negative power")
        self.fail_if(negative, rt.VALUE, _NEGATIVE_POW if t.checked else _NUMPY_NEGATIVE_POW)

    def clamp_exponent(self, exp: ir.Value, ty: ir.IntType) -> ir.Value:
        """Narrow a wider exponent: values past the narrow type's range behave like its maximum bit count."""
        limit = ir.Constant(exp.type, (1 << (ty.width - 1)) - 1)
        big = self.b.icmp_unsigned(">", exp, limit)
        return self.b.trunc(self.b.select(big, limit, exp), ty)

    def int_resize(self, v: ir.Value, src: ScalarT, ty: ir.IntType) -> ir.Value:
        if v.type.width > ty.width:
            return self.b.trunc(v, ty)
        if v.type.width < ty.width:
            return self.b.sext(v, ty) if src.info.signed and not src.is_bool else self.b.zext(v, ty)
        return v

    def float_binop(self, op: str, a: ir.Value, c: ir.Value) -> ir.Value:
        b = self.b
        ty = a.type
        zero = ir.Constant(ty, 0.0)
        if op in ("add", "sub", "mul"):
            return {"add": b.fadd, "sub": b.fsub, "mul": b.fmul}[op](a, c)
        if op == "truediv":
            self.fail_if(b.fcmp_ordered("==", c, zero), rt.ZERO_DIVISION, "float division by zero")
            return b.fdiv(a, c)
        if op in ("floordiv", "mod"):
            self.fail_if(b.fcmp_ordered("==", c, zero), rt.ZERO_DIVISION,
                         "float floor division by zero" if op == "floordiv" else "float modulo")
            return self.float_divmod(a, c)[0 if op == "floordiv" else 1]
        if op == "pow":
            self.fail_if(b.and_(b.fcmp_ordered("==", a, zero), b.fcmp_ordered("<", c, zero)), rt.ZERO_DIVISION,
                         "0.0 cannot be raised to a negative power")
            finite_negative = b.and_(b.fcmp_ordered("<", a, zero), self.is_finite(a))
            fractional = b.and_(self.is_finite(c), b.fcmp_unordered("!=", c, self.call_intrinsic("llvm.floor", c)))
            self.fail_if(b.and_(finite_negative, fractional), rt.VALUE,
                         "negative number cannot be raised to a fractional power")
            return self.call_intrinsic("llvm.pow", a, c)
        raise UnsupportedConstructError(f"float operator {op!r}")

    def float_divmod(self, vx: ir.Value, wx: ir.Value) -> tuple[ir.Value, ir.Value]:
        """CPython's ``float_divmod`` (Objects/floatobject.c), step for step: floor quotient and modulo."""
        b = self.b
        ty = vx.type
        zero = ir.Constant(ty, 0.0)
        mod = b.frem(vx, wx)
        div = b.fdiv(b.fsub(vx, mod), wx)
        mod_nonzero = b.fcmp_unordered("!=", mod, zero)
        signs_differ = b.xor(b.fcmp_ordered("<", wx, zero), b.fcmp_ordered("<", mod, zero))
        fix = b.and_(mod_nonzero, signs_differ)
        mod = b.select(fix, b.fadd(mod, wx), mod)
        div = b.select(fix, b.fsub(div, ir.Constant(ty, 1.0)), div)
        mod = b.select(mod_nonzero, mod, self.call_intrinsic("llvm.copysign", zero, wx))
        floordiv = self.call_intrinsic("llvm.floor", div)
        floordiv = b.select(b.fcmp_ordered(">", b.fsub(div, floordiv), ir.Constant(ty, 0.5)),
                            b.fadd(floordiv, ir.Constant(ty, 1.0)), floordiv)
        div_nonzero = b.fcmp_unordered("!=", div, zero)
        floordiv = b.select(div_nonzero, floordiv, self.call_intrinsic("llvm.copysign", zero, b.fdiv(vx, wx)))
        return floordiv, mod

    def complex_binop(self, op: str, a: ir.Value, c: ir.Value, t: ScalarT) -> ir.Value:
        b = self.b
        ar, ai = b.extract_value(a, 0), b.extract_value(a, 1)
        cr, ci = b.extract_value(c, 0), b.extract_value(c, 1)
        if op == "add":
            return self.make_complex(b.fadd(ar, cr), b.fadd(ai, ci), a.type)
        if op == "sub":
            return self.make_complex(b.fsub(ar, cr), b.fsub(ai, ci), a.type)
        if op == "mul":
            return self.make_complex(b.fsub(b.fmul(ar, cr), b.fmul(ai, ci)),
                                     b.fadd(b.fmul(ar, ci), b.fmul(ai, cr)), a.type)
        if op == "truediv":
            if t.bits == 64:  # complex64 is always NumPy's: its division, not CPython's
                return self.complex_div_numpy(ar, ai, cr, ci, a.type)
            return self.complex_div(ar, ai, cr, ci, a.type)
        if op == "pow" and t.bits == 128:  # Python's complex (the frontend refuses NumPy's complex **)
            return lower_complex_pow(self, a, c)
        raise UnsupportedConstructError(f"complex operator {op!r} is not supported by the native backend")

    def complex_div(self, ar: ir.Value, ai: ir.Value, br: ir.Value, bi: ir.Value, ty: ir.Type) -> ir.Value:
        """CPython's ``_Py_c_quot`` (Objects/complexobject.c): Smith's method, the same branches."""
        b = self.b
        fty = ar.type
        zero = ir.Constant(fty, 0.0)
        abs_br = self.call_intrinsic("llvm.fabs", br)
        abs_bi = self.call_intrinsic("llvm.fabs", bi)
        both_zero = b.and_(b.fcmp_ordered("==", br, zero), b.fcmp_ordered("==", bi, zero))
        self.fail_if(both_zero, rt.ZERO_DIVISION, "complex division by zero")
        first = b.fcmp_ordered(">=", abs_br, abs_bi)
        # |br| >= |bi|
        ratio1 = b.fdiv(bi, br)
        denom1 = b.fadd(br, b.fmul(bi, ratio1))
        r1 = b.fdiv(b.fadd(ar, b.fmul(ai, ratio1)), denom1)
        i1 = b.fdiv(b.fsub(ai, b.fmul(ar, ratio1)), denom1)
        # |bi| > |br|
        ratio2 = b.fdiv(br, bi)
        denom2 = b.fadd(b.fmul(br, ratio2), bi)
        r2 = b.fdiv(b.fadd(b.fmul(ar, ratio2), ai), denom2)
        i2 = b.fdiv(b.fsub(b.fmul(ai, ratio2), ar), denom2)
        # NaN in the divisor's parts: CPython returns nan+nanj
        nan = ir.Constant(fty, math.nan)
        has_nan = b.fcmp_unordered("uno", abs_br, abs_bi)
        re = b.select(has_nan, nan, b.select(first, r1, r2))
        im = b.select(has_nan, nan, b.select(first, i1, i2))
        return self.make_complex(re, im, ty)

    def complex_div_numpy(self, ar: ir.Value, ai: ir.Value, br: ir.Value, bi: ir.Value, ty: ir.Type) -> ir.Value:
        """NumPy's complex division loop (umath ``@TYPE@_divide``), operation for operation: Smith's
        method through a reciprocal ``scl`` (CPython divides instead, which rounds differently)."""
        b = self.b
        fty = ar.type
        zero, one = ir.Constant(fty, 0.0), ir.Constant(fty, 1.0)
        both_zero = b.and_(b.fcmp_ordered("==", br, zero), b.fcmp_ordered("==", bi, zero))
        self.fail_if(both_zero, rt.ZERO_DIVISION, "complex division by zero")
        first = b.fcmp_ordered(">=", self.call_intrinsic("llvm.fabs", br), self.call_intrinsic("llvm.fabs", bi))
        # |br| >= |bi|
        rat1 = b.fdiv(bi, br)
        scl1 = b.fdiv(one, b.fadd(br, b.fmul(bi, rat1)))
        r1 = b.fmul(b.fadd(ar, b.fmul(ai, rat1)), scl1)
        i1 = b.fmul(b.fsub(ai, b.fmul(ar, rat1)), scl1)
        # otherwise (NaN parts included, as in NumPy)
        rat2 = b.fdiv(br, bi)
        scl2 = b.fdiv(one, b.fadd(bi, b.fmul(br, rat2)))
        r2 = b.fmul(b.fadd(b.fmul(ar, rat2), ai), scl2)
        i2 = b.fmul(b.fsub(b.fmul(ai, rat2), ar), scl2)
        return self.make_complex(b.select(first, r1, r2), b.select(first, i1, i2), ty)

    def make_complex(self, re: ir.Value, im: ir.Value, ty: ir.Type) -> ir.Value:
        v = self.b.insert_value(ir.Constant(ty, ir.Undefined), re, 0)
        return self.b.insert_value(v, im, 1)

    def is_finite(self, x: ir.Value) -> ir.Value:
        return self.b.fcmp_ordered("<", self.call_intrinsic("llvm.fabs", x), ir.Constant(x.type, math.inf))

    def call_intrinsic(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        return self.b.call(self.intrinsic_fn(name, ty, [ty] * len(args), [ty]), list(args))

    # --- casts -----------------------------------------------------------------------------------

    def expr_Cast(self, e: n.Cast) -> ir.Value:
        v = self.expr(e.value)
        return self.cast(v, e.value.type, e.type)

    def cast(self, v: ir.Value, src: ScalarT, dst: ScalarT) -> ir.Value:
        b = self.b
        dty = llvm_type(dst)
        if dst.is_bool:
            return self.truth(v, src)
        if dst.is_complex:
            if src.is_complex:
                part = dty.elements[0]
                re, im = (self.float_resize(b.extract_value(v, i), part) for i in (0, 1))
                return self.make_complex(re, im, dty)
            re = self.cast(v, src, _FLOAT_OF_COMPLEX[dst.bits])
            return self.make_complex(re, ir.Constant(dty.elements[0], 0.0), dty)
        if src.is_complex:
            raise UnsupportedConstructError(f"cannot convert complex to {dst}")
        if dst.is_float:
            if src.is_float:
                return self.float_resize(v, dty)
            if src.is_bool or not src.info.signed:
                return b.uitofp(v, dty)
            return b.sitofp(v, dty)
        # to an integer type
        if src.is_float:
            if dst.checked:
                return self.float_to_int_checked(v)
            return self.float_to_int_wrapping(v, dst)
        if dst.checked and src.kind == "uint" and src.bits == 64:
            self.fail_if(b.icmp_signed("<", v, I64(0)), rt.OVERFLOW, "uint64 value too large to convert to int")
        return self.int_resize(v, src, dty)

    def float_resize(self, v: ir.Value, ty: ir.Type) -> ir.Value:
        if v.type == ty:
            return v
        return self.b.fpext(v, ty) if isinstance(ty, ir.DoubleType) else self.b.fptrunc(v, ty)

    def float_to_int_checked(self, v: ir.Value) -> ir.Value:
        b = self.b
        v = self.float_resize(v, F64)
        self.fail_if(b.fcmp_unordered("uno", v, v), rt.VALUE, "cannot convert float NaN to integer")
        self.fail_if(b.fcmp_ordered("==", self.call_intrinsic("llvm.fabs", v), ir.Constant(F64, math.inf)),
                     rt.OVERFLOW, "cannot convert float infinity to integer")
        t = self.call_intrinsic("llvm.trunc", v)
        out = b.or_(b.fcmp_ordered(">=", t, ir.Constant(F64, 2.0**63)),
                    b.fcmp_ordered("<", t, ir.Constant(F64, -(2.0**63))))
        self.fail_if(out, rt.OVERFLOW, "float too large to convert to a 64-bit int")
        return b.fptosi(t, I64)

    def float_to_int_wrapping(self, v: ir.Value, dst: ScalarT) -> ir.Value:
        # NumPy's route (through a 64-bit integer, then wrapping); saturating conversions keep
        # NaN and out-of-range values defined on every target.
        b = self.b
        v = self.float_resize(v, F64)
        signed = self.b.call(self.intrinsic_fn("llvm.fptosi.sat", I64, [F64], [I64, F64]), [v])
        if dst.kind == "uint" and dst.bits == 64:
            unsigned = self.b.call(self.intrinsic_fn("llvm.fptoui.sat", I64, [F64], [I64, F64]), [v])
            wide = b.select(b.fcmp_ordered(">=", v, ir.Constant(F64, 2.0**63)), unsigned, signed)
        else:
            wide = signed
        return b.trunc(wide, ir.IntType(dst.bits)) if dst.bits < 64 else wide

    # --- builtins and math -----------------------------------------------------------------------

    def expr_Intrinsic(self, e: n.Intrinsic) -> ir.Value:
        handler = _INTRINSICS.get(e.name)
        if handler is None:
            raise UnsupportedConstructError(f"{e.loc}: intrinsic {e.name!r} is not supported by the native backend")
        return handler(self, e, [self.expr(a) for a in e.args])

    def libm(self, name: str, *args: ir.Value) -> ir.Value:
        ty = args[0].type
        symbol = name + ("f" if isinstance(ty, ir.FloatType) else "")
        fn = self.owner.external(symbol, ty, [ty] * len(args))
        return self.b.call(fn, list(args))

    def math_1(self, name: str, x: ir.Value, can_overflow: bool) -> ir.Value:
        """CPython's ``math_1``: NaN from a non-NaN is a domain error; inf from a finite is a range error."""
        b = self.b
        r = self.call_intrinsic("llvm.sqrt", x) if name == "sqrt" else self.libm(name, x)
        self.fail_if(b.and_(b.fcmp_unordered("uno", r, r), b.fcmp_ordered("ord", x, x)), rt.VALUE,
                     "math domain error")
        inf_from_finite = b.and_(b.not_(self.is_finite(r)), b.fcmp_ordered("ord", r, r))
        inf_from_finite = b.and_(inf_from_finite, self.is_finite(x))
        self.fail_if(inf_from_finite, rt.OVERFLOW if can_overflow else rt.VALUE,
                     "math range error" if can_overflow else "math domain error")
        return r

    def complex_numpy_div(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """``/`` with a NumPy complex128 operand: NumPy's division loop, as complex64's always is."""
        a, c = args
        b = self.b
        parts = (b.extract_value(a, 0), b.extract_value(a, 1), b.extract_value(c, 0), b.extract_value(c, 1))
        return self.complex_div_numpy(*parts, a.type)

    def math_log_base(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """CPython's ``math.log(x, base)``: both arguments evaluated, then ``log(x)``, then ``log(base)``
        (each with its domain check), then the division (a zero ``log(base)`` is ZeroDivisionError)."""
        x, base = args
        num = self.math_1("log", x, False)
        den = self.math_1("log", base, False)
        self.fail_if(self.b.fcmp_ordered("==", den, ir.Constant(den.type, 0.0)), rt.ZERO_DIVISION,
                     "float division by zero")
        return self.b.fdiv(num, den)

    def int_abs(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        t = e.args[0].type
        if t.is_complex:
            return self.complex_abs(v)
        if t.is_float:
            return self.call_intrinsic("llvm.fabs", v)
        if t.is_bool or not t.info.signed:
            return self.int_resize(v, t, llvm_type(e.type))
        if t.checked and self.checked:
            self.fail_if(self.b.icmp_signed("==", v, I64(INT64.info.min_value)), rt.OVERFLOW,
                         "int overflow: abs(x) does not fit in 64 bits")
        neg = self.b.icmp_signed("<", v, ir.Constant(v.type, 0))
        return self.b.select(neg, self.b.neg(v), v)

    def complex_abs(self, v: ir.Value) -> ir.Value:
        re, im = self.b.extract_value(v, 0), self.b.extract_value(v, 1)
        r = self.libm("hypot", re, im)
        overflow = self.b.and_(self.b.and_(self.is_finite(re), self.is_finite(im)), self.b.not_(self.is_finite(r)))
        overflow = self.b.and_(overflow, self.b.fcmp_ordered("ord", r, r))
        self.fail_if(overflow, rt.OVERFLOW, "absolute value too large")
        return r

    def extreme(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        # builtins.min/max keep the first extreme value: replace only on a strict comparison
        t = e.type
        sym = "<" if e.name == "min" else ">"
        cur = args[0]
        for v in args[1:]:
            if t.is_float:
                better = self.b.fcmp_ordered(sym, v, cur)
            elif t.info.signed and not t.is_bool:
                better = self.b.icmp_signed(sym, v, cur)
            else:
                better = self.b.icmp_unsigned(sym, v, cur)
            cur = self.b.select(better, v, cur)
        return cur

    def round_to_int(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        src = e.args[0].type
        if not src.is_float:
            return self.cast(v, src, e.type)
        mode = {"round": "llvm.roundeven", "math.floor": "llvm.floor", "math.ceil": "llvm.ceil",
                "math.trunc": "llvm.trunc"}[e.name]
        r = self.call_intrinsic(mode, v)
        return self.cast(r, src, e.type)

    def round_ndigits(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        x, digits = args
        src = e.args[0].type
        if not src.is_float:
            raise UnsupportedConstructError(f"{e.loc}: round(x, ndigits) is supported for floats only")
        digits = self.int_resize(digits, e.args[1].type, I64)
        fn = self.owner.external("pyexec_round_ndigits", F64, [F64, I64])
        r = self.b.call(fn, [self.float_resize(x, F64), digits])
        return self.float_resize(r, llvm_type(e.type))

    def math_pow(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        """CPython's ``math.pow``: finite inputs giving NaN are a domain error, inf a range error
        (a domain error for ``0.0 ** negative``)."""
        b = self.b
        x, y = args
        r = self.call_intrinsic("llvm.pow", x, y)
        finite_in = b.and_(self.is_finite(x), self.is_finite(y))
        self.fail_if(b.and_(finite_in, b.fcmp_unordered("uno", r, r)), rt.VALUE, "math domain error")
        inf_out = b.and_(finite_in, b.not_(self.is_finite(r)))
        inf_out = b.and_(inf_out, b.fcmp_ordered("ord", r, r))
        x_zero = b.fcmp_ordered("==", x, ir.Constant(x.type, 0.0))
        self.fail_if(b.and_(inf_out, x_zero), rt.VALUE, "math domain error")
        self.fail_if(inf_out, rt.OVERFLOW, "math range error")
        return r

    def math_fmod(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        b = self.b
        x, y = args
        y_inf_x_finite = b.and_(b.not_(self.is_finite(y)), b.fcmp_ordered("ord", y, y))
        y_inf_x_finite = b.and_(y_inf_x_finite, self.is_finite(x))
        r = b.frem(x, y)
        no_nan_in = b.and_(b.fcmp_ordered("ord", x, x), b.fcmp_ordered("ord", y, y))
        self.fail_if(b.and_(b.not_(y_inf_x_finite), b.and_(no_nan_in, b.fcmp_unordered("uno", r, r))), rt.VALUE,
                     "math domain error")
        return b.select(y_inf_x_finite, x, r)

    def float_predicate(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (x,) = args
        if e.name == "math.isnan":
            return self.b.fcmp_unordered("uno", x, x)
        if e.name == "math.isfinite":
            return self.is_finite(x)
        return self.b.fcmp_ordered("==", self.call_intrinsic("llvm.fabs", x), ir.Constant(x.type, math.inf))

    def complex_part(self, e: n.Intrinsic, args: list[ir.Value]) -> ir.Value:
        (v,) = args
        if e.name == "complex.real":
            return self.b.extract_value(v, 0)
        if e.name == "complex.imag":
            return self.b.extract_value(v, 1)
        if e.name == "complex.abs":
            return self.complex_abs(v)
        return self.make_complex(self.b.extract_value(v, 0), self.b.fneg(self.b.extract_value(v, 1)), v.type)


_FLOAT_OF_COMPLEX: dict[int, ScalarT] = {64: FLOAT32, 128: FLOAT64}
_NEGATIVE_POW = "integer ** negative integer: the result would be a float; cast the base to float"
_NUMPY_NEGATIVE_POW = "Integers to negative integer powers are not allowed."  # NumPy's ValueError, word for word


def _type_suffix(t: ir.Type) -> str:
    if isinstance(t, ir.IntType):
        return f"i{t.width}"
    return "f32" if isinstance(t, ir.FloatType) else "f64"


def constant(value: object, t: ScalarT) -> ir.Constant:
    """An LLVM constant of IR type ``t`` holding the Python value ``value``.

    Example:
        >>> from pyexec.frontend.ir.types import INT
        >>> str(constant(-1, INT))
        'i64 -1'
    """
    ty = llvm_type(t)
    if t.is_complex:
        c = complex(value)
        part = ty.elements[0]
        return ir.Constant(ty, [ir.Constant(part, c.real), ir.Constant(part, c.imag)])
    if t.is_float:
        return ir.Constant(ty, float(value))
    if t.is_bool:
        return ir.Constant(ty, int(bool(value)))
    v = int(value)
    lo, hi = t.info.min_value, t.info.max_value
    if not lo <= v <= hi:
        raise NativeBuildError(f"constant {v} does not fit in {t}")
    return ir.Constant(ty, v)


def _math(name: str, can_overflow: bool = False) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.math_1(name, args[0], can_overflow)


def _plain(fn: str) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.libm(fn, *args)


def _llvm(fn: str) -> Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]:
    return lambda self, e, args: self.call_intrinsic(fn, *args)


_INTRINSICS: dict[str, Callable[[FunctionLowering, n.Intrinsic, list], ir.Value]] = {
    "abs": FunctionLowering.int_abs,
    "min": FunctionLowering.extreme,
    "max": FunctionLowering.extreme,
    "round": FunctionLowering.round_to_int,
    "round_ndigits": FunctionLowering.round_ndigits,
    "math.sqrt": _math("sqrt"),
    "math.exp": _math("exp", True),
    "math.expm1": _math("expm1", True),
    "math.log": _math("log"),
    "math.log2": _math("log2"),
    "math.log10": _math("log10"),
    "math.log1p": _math("log1p"),
    "math.sin": _math("sin"),
    "math.cos": _math("cos"),
    "math.tan": _math("tan"),
    "math.asin": _math("asin"),
    "math.acos": _math("acos"),
    "math.atan": _plain("atan"),
    "math.atan2": _plain("atan2"),
    "math.sinh": _math("sinh", True),
    "math.cosh": _math("cosh", True),
    "math.tanh": _plain("tanh"),
    "math.asinh": _plain("asinh"),
    "math.acosh": _math("acosh"),
    "math.atanh": _math("atanh"),
    "math.cbrt": _plain("cbrt"),
    "math.exp2": _math("exp2", True),
    "math.erf": _plain("erf"),
    "math.erfc": _plain("erfc"),
    "math.floor": FunctionLowering.round_to_int,
    "math.ceil": FunctionLowering.round_to_int,
    "math.trunc": FunctionLowering.round_to_int,
    "math.fabs": _llvm("llvm.fabs"),
    "math.hypot": _plain("hypot"),
    "math.pow": FunctionLowering.math_pow,
    "math.fmod": FunctionLowering.math_fmod,
    "math.log_base": FunctionLowering.math_log_base,
    "complex.numpy_div": FunctionLowering.complex_numpy_div,
    "math.copysign": _llvm("llvm.copysign"),
    "math.isnan": FunctionLowering.float_predicate,
    "math.isinf": FunctionLowering.float_predicate,
    "math.isfinite": FunctionLowering.float_predicate,
    "complex.real": FunctionLowering.complex_part,
    "complex.imag": FunctionLowering.complex_part,
    "complex.conjugate": FunctionLowering.complex_part,
    "complex.abs": FunctionLowering.complex_part,
    **MATH_INTRINSICS,
}
"""Intrinsic name → its lowering (a table, not a chain of ifs)."""

__all__ = [
    "OVERFLOW_MODES", "STATE_TYPE", "abi_type", "constant", "entry_call", "fallible_functions", "guarded_call",
    "guarded_functions", "impl_name", "llvm_type", "lower_module", "recursive_functions", "state_field",
]
