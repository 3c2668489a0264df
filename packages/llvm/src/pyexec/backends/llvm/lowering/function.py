"""One IR function: slots, blocks, faults, and the dispatch over statement and expression kinds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.errors import NativeBuildError
from pyexec.backends.llvm.lowering.arithmetic import ArithmeticLowering
from pyexec.backends.llvm.lowering.arrays import ArrayLowering
from pyexec.backends.llvm.lowering.casts import CastLowering
from pyexec.backends.llvm.lowering.intrinsics import IntrinsicLowering
from pyexec.backends.llvm.lowering.state import (
    INTERRUPTED_FUNCTION,
    STACK_OVERFLOW_FUNCTION,
    STATE_CODE,
    STATE_LIMIT,
    state_field,
)
from pyexec.backends.llvm.lowering.statements import StatementLowering
from pyexec.backends.llvm.lowering.string_ops import StringOpsLowering
from pyexec.backends.llvm.lowering.strings import StringLowering
from pyexec.backends.llvm.lowering.types import I32, I64, PTR, _type_suffix, constant, llvm_type
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import NoneT, StrT

if TYPE_CHECKING:
    from pyexec.backends.llvm.lowering.module import ModuleLowering


class FunctionLowering(StatementLowering, ArithmeticLowering, CastLowering, IntrinsicLowering, ArrayLowering,
                       StringLowering, StringOpsLowering):
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
        self.proven_in_bounds: set[int] = set()  # accesses a test before their loop proved in bounds
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
