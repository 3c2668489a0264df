"""The per-call state of native code (error, unwind point, stack limit, blocks) and how entry points call bodies."""

from __future__ import annotations

from llvmlite import ir

from pyexec.backends.llvm.lowering.arrays import ALLOC_FUNCTION, MESSAGE_ROOM, finish_blocks
from pyexec.backends.llvm.lowering.types import I8, I32, I64, PTR

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
