"""The Numba pipeline ``jit`` compiles with: Numba's own, plus one pass that gives CPython's semantics.

:class:`PyexecSemantics` runs before type inference on the function's Numba IR and redirects
the operations whose Numba semantics differ from pyexec's (see
:mod:`pyexec.backends.jit.semantics`): binary and augmented operators become calls of
``semantics.add``, ``semantics.rshift``, …; ``-x`` becomes ``semantics.neg``; calls of ``abs``,
``float``, ``int``, ``round`` and of ``math`` functions become calls of their checked versions.
The pass belongs to :class:`PyexecCompiler`, which ``jit`` hands to ``numba.njit`` as its
``pipeline_class``, so code compiled with plain Numba is untouched.

Example:
    >>> import numba
    >>> from pyexec.backends.jit.pipeline import PyexecCompiler
    >>> numba.njit(pipeline_class=PyexecCompiler)(lambda a, b: a >> b)(-5, 70)
    -1
"""

from __future__ import annotations

import types as pytypes
from typing import Any

from numba.core import ir, types
from numba.core.compiler import CompilerBase, DefaultPassBuilder
from numba.core.compiler_machinery import FunctionPass, register_pass
from numba.core.ir_utils import guard
from numba.core.untyped_passes import InlineInlinables

from pyexec.backends.jit import semantics


def _definition(func_ir: ir.FunctionIR, var: ir.Var) -> Any:
    """The one definition of ``var``, or None (several definitions, or none recorded)."""
    try:
        return guard(func_ir.get_definition, var)
    except KeyError:
        return None


def _constant_of(func_ir: ir.FunctionIR, var: ir.Var) -> Any:
    """The global (or closure) value ``var`` holds, following ``module.attr``; None when unknown."""
    definition = _definition(func_ir, var)
    if isinstance(definition, (ir.Global, ir.FreeVar)):
        return definition.value
    if isinstance(definition, ir.Expr) and definition.op == "getattr":
        owner = _constant_of(func_ir, definition.value)
        if isinstance(owner, pytypes.ModuleType):
            return getattr(owner, definition.attr, None)
    return None


def _is_float_literal(func_ir: ir.FunctionIR, var: ir.Var) -> bool:
    """Whether ``var`` holds a Python float written in the source (NumPy 2 treats it as weak)."""
    definition = _definition(func_ir, var)
    return isinstance(definition, ir.Const) and type(definition.value) is float


def _replacement(value: Any) -> Any:
    try:
        return semantics.CALLS.get(value)
    except TypeError:  # an unhashable global
        return None


@register_pass(mutates_CFG=False, analysis_only=False)
class PyexecSemantics(FunctionPass):
    """Redirect operators and calls whose Numba semantics differ from CPython's to pyexec's versions."""

    _name = "pyexec_semantics"

    def __init__(self) -> None:
        FunctionPass.__init__(self)

    def run_pass(self, state: Any) -> bool:
        try:
            return self._run(state)
        except Exception as exc:
            # Never an internal traceback, never code without the semantics: a clear compile error.
            from numba.core.errors import CompilerError

            raise CompilerError(
                f"pyexec could not apply CPython's semantics to this function ({type(exc).__name__}: {exc}); "
                "this is a bug in pyexec-jit: please report it with the function's source"
            ) from exc

    def _run(self, state: Any) -> bool:
        func_ir = state.func_ir
        # With parallel=True, `s += x` in a prange loop must stay an in-place operator for Numba to
        # see a reduction; augmented assignments then keep Numba's semantics (documented).
        self._keep_inplace = bool(state.flags.auto_parallel.enabled)
        # A declared `-> int` must not wrap an unsigned result (a literal >= 2**63 is uint64 in Numba).
        self._checked_return = state.return_type == types.int64
        changed = False
        for block in func_ir.blocks.values():
            body: list[ir.Stmt] = []
            for stmt in block.body:
                if isinstance(stmt, ir.Assign) and isinstance(stmt.value, (ir.Global, ir.FreeVar)):
                    # `fmod` imported from math, `abs`: the name itself becomes pyexec's function. Types
                    # (`float`, `int`) stay, since they also serve as dtypes; their calls are redirected below.
                    target = None if isinstance(stmt.value.value, type) else _replacement(stmt.value.value)
                    if target is not None:
                        stmt.value = ir.Global(f"pyexec_{target.__name__}", target, stmt.loc)
                        func_ir._definitions[stmt.target.name] = [stmt.value]
                        changed = True
                elif isinstance(stmt, ir.Assign) and isinstance(stmt.value, ir.Expr):
                    new_stmts = self._rewrite(func_ir, block, stmt)
                    if new_stmts:
                        body.extend(new_stmts)
                        changed = True
                        continue
                body.append(stmt)
            block.body = body
        return changed

    def _rewrite(self, func_ir: ir.FunctionIR, block: ir.Block, stmt: ir.Assign) -> list[ir.Stmt] | None:
        expr = stmt.value
        loc = expr.loc
        if expr.op == "cast" and self._checked_return:
            func_var, load = self._load_global(func_ir, block, semantics.returned_int, loc)
            checked = block.scope.make_temp(loc)
            call = ir.Expr.call(func_var, [expr.value], (), loc)
            func_ir._definitions[checked.name] = [call]
            expr.value = checked
            return [load, ir.Assign(call, checked, loc), stmt]
        rewritable = ("binop",) if self._keep_inplace else ("binop", "inplace_binop")
        if expr.op in rewritable and expr.fn in semantics.WEAK_FLOAT_OPERATORS and (
                _is_float_literal(func_ir, expr.lhs) or _is_float_literal(func_ir, expr.rhs)):
            target = semantics.WEAK_FLOAT_OPERATORS[expr.fn]
            func_var, load = self._load_global(func_ir, block, target, loc)
            stmt.value = ir.Expr.call(func_var, [expr.lhs, expr.rhs], (), loc)
            return [load, stmt]
        if expr.op in rewritable and expr.fn in semantics.BINARY_OPERATORS:
            target = semantics.BINARY_OPERATORS[expr.fn]
            args = [expr.lhs, expr.rhs]
            func_var, load = self._load_global(func_ir, block, target, loc)
            stmt.value = ir.Expr.call(func_var, args, (), loc)
            return [load, stmt]
        if expr.op == "unary" and expr.fn in semantics.UNARY_OPERATORS:
            target = semantics.UNARY_OPERATORS[expr.fn]
            func_var, load = self._load_global(func_ir, block, target, loc)
            stmt.value = ir.Expr.call(func_var, [expr.value], (), loc)
            return [load, stmt]
        if expr.op == "getattr":
            # `math.fmod`: the attribute itself becomes pyexec's function (Numba cannot even type the
            # original), so calls and first-class uses both get it.
            target = _replacement(_constant_of(func_ir, stmt.target))
            if target is not None:
                stmt.value = ir.Global(f"pyexec_{target.__name__}", target, loc)
                func_ir._definitions[stmt.target.name] = [stmt.value]
                return [stmt]
        if expr.op == "call" and not expr.kws and expr.vararg is None:
            # `float(x)`, `int(x)`: only the call is redirected.
            target = _replacement(_constant_of(func_ir, expr.func))
            if target is not None:
                func_var, load = self._load_global(func_ir, block, target, loc)
                expr.func = func_var
                return [load, stmt]
        return None

    @staticmethod
    def _load_global(func_ir: ir.FunctionIR, block: ir.Block, target: Any, loc: ir.Loc) -> tuple[ir.Var, ir.Assign]:
        var = block.scope.make_temp(loc)
        value = ir.Global(f"pyexec_{target.__name__}", target, loc)
        func_ir._definitions[var.name] = [value]
        return var, ir.Assign(value, var, loc)


class PyexecCompiler(CompilerBase):
    """Numba's nopython pipeline with :class:`PyexecSemantics` before type inference."""

    def define_pipelines(self) -> list[Any]:
        pm = DefaultPassBuilder.define_nopython_pipeline(self.state)
        pm.add_pass_after(PyexecSemantics, InlineInlinables)
        pm.finalize()
        return [pm]
