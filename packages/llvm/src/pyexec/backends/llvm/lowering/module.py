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

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm import tuple_abi
from pyexec.backends.llvm.errors import NativeBuildError
from pyexec.backends.llvm.lowering.analysis import _walk, fallible_functions, guarded_functions, recursive_functions
from pyexec.backends.llvm.lowering.arrays import MESSAGE_FUNCTIONS_MARK, call_blocks_head, finish_blocks, keep_message
from pyexec.backends.llvm.lowering.function import FunctionLowering
from pyexec.backends.llvm.lowering.state import (
    INTERRUPT_FLAG_GLOBAL,
    INTERRUPTED_FUNCTION,
    RAISE_FUNCTION,
    STACK_LIMIT_FUNCTION,
    STACK_OVERFLOW_FUNCTION,
    STATE_ARG,
    STATE_CODE,
    STATE_JMPBUF,
    STATE_MESSAGE,
    entry_call,
    state_field,
)
from pyexec.backends.llvm.lowering.strings import CStrings, allocates_strings
from pyexec.backends.llvm.lowering.types import (
    F32,
    I1,
    I8,
    I32,
    I64,
    OVERFLOW_MODES,
    PTR,
    abi_type,
    impl_name,
    llvm_type,
)
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, NoneT, ScalarT, StrT, TupleT


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
        if not wasm and any(isinstance(p.type, StrT) for p in func.params) and not any(
                isinstance(p.type, TupleT) for p in func.params):
            tuple_abi.check_c_strings(self.triple, [p.type for p in func.params], func.name)
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
            # a str argument is taken as it comes: the address of a string block the host made (and releases)
            if isinstance(p.type, ArrayT):
                arg = b.load(arg, typ=llvm_type(p.type))
            elif isinstance(p.type, ScalarT) and p.type.is_bool:
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
        elif isinstance(func.return_type, StrT):
            b.ret(result)  # wasm: the block's address, detached from the call's list: the host's to release
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
