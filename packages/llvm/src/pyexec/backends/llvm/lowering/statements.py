"""Statements: assignment, if, while, for over a range or zip, break/continue, assert, print, return."""

from __future__ import annotations

from llvmlite import ir

from pyexec.backends.llvm import runtime as rt
from pyexec.backends.llvm.lowering.loop_versioning import VERSIONING_MIN_TRIPS, all_in_bounds, hoistable_accesses
from pyexec.backends.llvm.lowering.state import POLL_CHUNK
from pyexec.backends.llvm.lowering.types import F32, F64, I1, I32, I64, PTR, llvm_type
from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir.types import ArrayT, ScalarT, StrT


class StatementLowering:
    """The statements of :class:`~.function.FunctionLowering` (a mixin): one ``stmt_*`` method per statement kind."""

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
        count = self.range_count(t, start, stop, step)
        accesses = hoistable_accesses(s)
        if not accesses:
            self.range_loop(s, start, step, count)
            return
        # two copies of the loop: unchecked accesses when a test before it proves every index in bounds
        fast, checked, joined = (self.new_block(x) for x in ("for.unchecked", "for.checked", "for.joined"))
        if not self.owner.boundscheck:
            # without checks the copy only saves the negative-index test of each access and lets the loop
            # vectorise: not worth the test before a loop of a few iterations (n-body's pairs)
            testing = self.new_block("for.test")
            self.b.cbranch(self.b.icmp_unsigned(">=", count, ir.Constant(count.type, VERSIONING_MIN_TRIPS)),
                           testing, checked)
            self.b.position_at_end(testing)
        in_bounds = all_in_bounds(self, s, accesses, start, step, count)
        self.b.cbranch(in_bounds, fast, checked)
        self.b.position_at_end(fast)
        self.proven_in_bounds |= {id(x) for x in accesses}
        self.range_loop(s, start, step, count)
        self.proven_in_bounds -= {id(x) for x in accesses}
        self.b.branch(joined)
        self.b.position_at_end(checked)
        self.range_loop(s, start, step, count)
        self.b.branch(joined)
        self.b.position_at_end(joined)

    def range_loop(self, s: n.ForRange, start: ir.Value, step: ir.Value, count: ir.Value) -> None:
        """The loop itself, over ``count`` values from ``start`` by ``step`` (already evaluated)."""
        ty = llvm_type(s.var.type)
        one = ir.Constant(ty, 1)
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
