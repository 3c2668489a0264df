"""Hand-built IR lowered and run natively, compared with what CPython does for the same operation."""

from __future__ import annotations

import math
import operator

import pytest
from conftest import load_ir, outcome
from hypothesis import given, settings
from hypothesis import strategies as st
from irbuild import (
    assign,
    binary_function,
    call,
    cast,
    compare,
    const,
    function,
    intrinsic,
    local,
    module,
    name,
    param,
    ret,
    unary,
)

from pyexec.frontend.ir import nodes as n
from pyexec.frontend.ir import types as t

INT_MIN, INT_MAX = -(2**63), 2**63 - 1
EDGE_INTS = [0, 1, -1, 2, -2, 7, -7, INT_MIN, INT_MAX, INT_MIN + 1, INT_MAX - 1, 2**32, -(2**32)]
EDGE_FLOATS = [0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 1e308, -1e308, 5e-324, math.inf, -math.inf, math.nan, 3.0, 0.1]
ints = st.one_of(st.sampled_from(EDGE_INTS), st.integers(INT_MIN, INT_MAX))
floats = st.one_of(st.sampled_from(EDGE_FLOATS), st.floats(allow_nan=True, allow_infinity=True))
FAST = settings(max_examples=60, deadline=None)


def python_int(op):
    """Python's operator, with ``int``'s 64-bit contract: a result outside int64 is OverflowError."""

    def run(a, b):
        r = op(a, b)
        if isinstance(r, int) and not INT_MIN <= r <= INT_MAX:
            raise OverflowError("outside int64")
        return r

    return run


INT_OPS = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul, "floordiv": operator.floordiv,
    "mod": operator.mod, "bitand": operator.and_, "bitor": operator.or_, "bitxor": operator.xor,
}


@pytest.fixture(scope="module")
def int_functions():
    return {op: load_ir(binary_function(op, t.INT)) for op in INT_OPS}


@FAST
@given(a=ints, b=ints, op=st.sampled_from(sorted(INT_OPS)))
def test_int_arithmetic_matches_cpython_or_raises_overflow(int_functions, a, b, op):
    assert outcome(int_functions[op], a, b) == outcome(python_int(INT_OPS[op]), a, b)


@FAST
@given(a=ints, b=st.integers(-3, 70))
def test_shifts_match_cpython_and_reject_negative_counts(a, b):
    lsh, rsh = _shift_functions()
    assert outcome(lsh, a, b) == outcome(python_int(operator.lshift), a, b)
    assert outcome(rsh, a, b) == outcome(operator.rshift, a, b)


_SHIFTS: list = []


def _shift_functions():
    if not _SHIFTS:
        _SHIFTS.extend([load_ir(binary_function("lshift", t.INT)), load_ir(binary_function("rshift", t.INT))])
    return _SHIFTS


def test_int_power_by_squaring_checks_overflow_and_negative_exponents():
    f = load_ir(binary_function("pow", t.INT))
    for a, b in [(2, 10), (3, 0), (0, 0), (-2, 63), (2, 62), (-3, 3), (1, 10**18), (-1, 10**18 + 1), (10, 18)]:
        assert f(a, b) == a**b
    for a, b in [(2, 63), (3, 40), (-2, 64), (10, 19)]:
        with pytest.raises(OverflowError):
            f(a, b)
    with pytest.raises(ValueError, match="negative"):
        f(2, -1)


def test_wrap_mode_makes_int_wrap_like_int64():
    add = load_ir(binary_function("add", t.INT), overflow="wrap")
    assert add(INT_MAX, 1) == INT_MIN
    div = load_ir(binary_function("floordiv", t.INT), overflow="wrap")
    assert div(INT_MIN, -1) == INT_MIN
    with pytest.raises(ZeroDivisionError):
        div(1, 0)


FLOAT_OPS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "truediv": operator.truediv,
             "floordiv": operator.floordiv, "mod": operator.mod}


@pytest.fixture(scope="module")
def float_functions():
    return {op: load_ir(binary_function(op, t.FLOAT64)) for op in FLOAT_OPS}


@FAST
@given(a=floats, b=floats, op=st.sampled_from(sorted(FLOAT_OPS)))
def test_float_arithmetic_matches_cpython_including_signed_zero_and_nan(float_functions, a, b, op):
    assert outcome(float_functions[op], a, b) == outcome(FLOAT_OPS[op], a, b)


def test_float_power_special_cases():
    f = load_ir(binary_function("pow", t.FLOAT64))
    assert f(2.0, 0.5) == 2.0**0.5
    assert f(-8.0, 3.0) == -512.0
    with pytest.raises(ZeroDivisionError, match="negative power"):
        f(0.0, -1.0)
    with pytest.raises(ValueError, match="fractional"):
        f(-8.0, 0.5)


@pytest.mark.parametrize("typ,a,b,expected", [
    (t.INT8, 127, 1, -128), (t.UINT8, 255, 1, 0), (t.INT16, -32768, 1, 32767), (t.UINT32, 0, 1, 2**32 - 1),
])
def test_fixed_width_integers_wrap_like_numpy(typ, a, b, expected):
    op = "add" if expected in (-128, 0) else "sub"
    assert load_ir(binary_function(op, typ))(a, b) == expected


def test_fixed_width_argument_out_of_range_raises_overflow_error():
    f = load_ir(binary_function("add", t.INT8))
    with pytest.raises(OverflowError, match="int8"):
        f(200, 1)


def test_floor_division_rounds_toward_negative_infinity_for_fixed_width_ints():
    f = load_ir(binary_function("floordiv", t.INT32))
    g = load_ir(binary_function("mod", t.INT32))
    for a, b in [(7, 2), (-7, 2), (7, -2), (-7, -2), (-(2**31), -1)]:
        q = a // b
        assert f(a, b) == ((q + 2**31) % 2**32) - 2**31
        assert g(a, b) == a % b


def test_complex_arithmetic_matches_cpython():
    for op, py in [("add", operator.add), ("sub", operator.sub), ("mul", operator.mul), ("truediv", operator.truediv)]:
        f = load_ir(binary_function(op, t.COMPLEX128))
        for a, b in [(1 + 2j, 3 - 4j), (-1.5j, 2 + 0j), (1e300 + 1j, 1e-300 + 1e300j)]:
            assert f(a, b) == py(a, b)
    with pytest.raises(ZeroDivisionError, match="complex division by zero"):
        load_ir(binary_function("truediv", t.COMPLEX128))(1j, 0j)


def test_chained_comparison_evaluates_each_operand_once_and_short_circuits():
    a, b, c = param("a", t.INT, 0), param("b", t.INT, 1), param("c", t.INT, 2)
    chain = compare(["lt", "le"], [name(a), name(b), name(c)])
    f = load_ir(module(function("f", [a, b, c], t.BOOL, [ret(chain)])))
    for args in [(1, 2, 2), (1, 2, 1), (3, 2, 5), (1, 1, 1)]:
        assert f(*args) is (args[0] < args[1] <= args[2])


def test_float_comparisons_treat_nan_as_unequal():
    a, b = param("a", t.FLOAT64, 0), param("b", t.FLOAT64, 1)
    for op, py in [("eq", operator.eq), ("ne", operator.ne), ("lt", operator.lt), ("ge", operator.ge)]:
        f = load_ir(module(function("f", [a, b], t.BOOL, [ret(compare([op], [name(a), name(b)]))])))
        for x, y in [(math.nan, math.nan), (1.0, math.nan), (1.0, 1.0), (-0.0, 0.0)]:
            assert f(x, y) is py(x, y)


def test_boolop_returns_the_deciding_operand_like_python():
    a, b = param("a", t.INT, 0), param("b", t.INT, 1)
    f_and = load_ir(module(function("f", [a, b], t.INT, [ret(n.BoolOp("and", [name(a), name(b)], t.INT, a.loc))])))
    f_or = load_ir(module(function("f", [a, b], t.INT, [ret(n.BoolOp("or", [name(a), name(b)], t.INT, a.loc))])))
    for x, y in [(0, 5), (3, 5), (3, 0), (0, 0)]:
        assert f_and(x, y) == (x and y)
        assert f_or(x, y) == (x or y)


def test_unary_operators_and_negating_int_min_overflows():
    x = param("x", t.INT, 0)
    neg = load_ir(module(function("f", [x], t.INT, [ret(unary("neg", name(x)))])))
    inv = load_ir(module(function("f", [x], t.INT, [ret(unary("invert", name(x)))])))
    assert neg(5) == -5 and inv(5) == ~5
    with pytest.raises(OverflowError):
        neg(INT_MIN)
    b = param("b", t.BOOL, 0)
    not_ = load_ir(module(function("f", [b], t.BOOL, [ret(unary("not", name(b)))])))
    assert not_(True) is False and not_(0) is True


@pytest.mark.parametrize("value,expected", [
    (2.9, 2), (-2.9, -2), (1e18, 10**18), (math.nan, ValueError), (math.inf, OverflowError), (1e19, OverflowError),
])
def test_float_to_int_cast_truncates_and_raises_like_int(value, expected):
    x = param("x", t.FLOAT64, 0)
    f = load_ir(module(function("f", [x], t.INT, [ret(cast(name(x), t.INT))])))
    if isinstance(expected, type):
        with pytest.raises(expected):
            f(value)
    else:
        assert f(value) == expected


def test_casts_to_fixed_width_wrap_and_to_bool_use_truthiness():
    x = param("x", t.INT, 0)
    assert load_ir(module(function("f", [x], t.UINT8, [ret(cast(name(x), t.UINT8))])))(300) == 44
    y = param("y", t.FLOAT64, 0)
    truth = load_ir(module(function("f", [y], t.BOOL, [ret(cast(name(y), t.BOOL))])))
    assert truth(math.nan) is True and truth(-0.0) is False
    to_c = load_ir(module(function("f", [x], t.COMPLEX128, [ret(cast(name(x), t.COMPLEX128))])))
    assert to_c(3) == 3 + 0j


def _loop_sum(step_value, overflow="check"):
    """sum(range(a, b, step)) with a for-range loop, and the loop variable's final value."""
    a, b = param("a", t.INT, 0), param("b", t.INT, 1)
    total, i = local("total", t.INT), local("i", t.INT)
    body = [
        assign(total, const(0, t.INT)),
        assign(i, const(-999, t.INT)),
        n.ForRange(i, name(a), name(b), const(step_value, t.INT),
                   [assign(total, n.BinOp("add", name(total), name(i), t.INT, a.loc))], [], a.loc),
        ret(n.BinOp("add", n.BinOp("mul", name(total), const(1000, t.INT), t.INT, a.loc), name(i), t.INT, a.loc)),
    ]
    return load_ir(module(function("f", [a, b], t.INT, body, [total, i])), overflow=overflow)


def _python_loop_sum(a, b, step):
    total, i = 0, -999
    for i in range(a, b, step):
        total += i
    return total * 1000 + i


@pytest.mark.parametrize("step", [1, 3, -1, -4])
def test_for_range_follows_python_range_for_any_step_sign(step):
    f = _loop_sum(step)
    for a, b in [(0, 10), (10, 0), (-5, 5), (5, 5), (3, -7)]:
        assert f(a, b) == _python_loop_sum(a, b, step)


def test_for_range_at_the_ends_of_int64_does_not_overflow():
    f = _loop_sum(2**62, overflow="wrap")
    expected = _python_loop_sum(INT_MAX - 2**62, INT_MAX, 2**62)
    assert f(INT_MAX - 2**62, INT_MAX) == (expected - INT_MIN) % 2**64 + INT_MIN


def test_range_step_zero_raises_value_error():
    a = param("a", t.INT, 0)
    i = local("i", t.INT)
    body = [n.ForRange(i, const(0, t.INT), const(3, t.INT), name(a), [], [], a.loc), ret(const(1, t.INT))]
    f = load_ir(module(function("f", [a], t.INT, body, [i])))
    assert f(1) == 1
    with pytest.raises(ValueError, match="must not be zero"):
        f(0)


def test_while_with_break_continue_and_else():
    # count odd numbers below n, stop at 50; else-branch adds 1000 when no break happened
    x = param("n", t.INT, 0)
    i, count = local("i", t.INT), local("count", t.INT)
    loc = x.loc
    body = [
        assign(i, const(0, t.INT)), assign(count, const(0, t.INT)),
        n.While(compare(["lt"], [name(i), name(x)]), [
            assign(i, n.BinOp("add", name(i), const(1, t.INT), t.INT, loc)),
            n.If(compare(["eq"], [n.BinOp("mod", name(i), const(2, t.INT), t.INT, loc), const(0, t.INT)]),
                 [n.Continue(loc)], [], loc),
            n.If(compare(["gt"], [name(i), const(50, t.INT)]), [n.Break(loc)], [], loc),
            assign(count, n.BinOp("add", name(count), const(1, t.INT), t.INT, loc)),
        ], [assign(count, n.BinOp("add", name(count), const(1000, t.INT), t.INT, loc))], loc),
        ret(name(count)),
    ]
    f = load_ir(module(function("f", [x], t.INT, body, [i, count])))

    def py(n_):
        i = count = 0
        while i < n_:
            i += 1
            if i % 2 == 0:
                continue
            if i > 50:
                break
            count += 1
        else:
            count += 1000
        return count

    for v in [0, 1, 10, 50, 51, 52, 100]:
        assert f(v) == py(v)


def test_recursive_calls_and_errors_propagate_through_calls():
    x = param("n", t.INT, 0)
    loc = x.loc
    fib_body = [
        n.If(compare(["le"], [name(x), const(1, t.INT)]), [ret(name(x))], [], loc),
        ret(n.BinOp("add", call("fib", [n.BinOp("sub", name(x), const(1, t.INT), t.INT, loc)], t.INT),
                    call("fib", [n.BinOp("sub", name(x), const(2, t.INT), t.INT, loc)], t.INT), t.INT, loc)),
    ]
    y = param("d", t.INT, 0)
    outer = [ret(n.BinOp("add", call("fib", [const(10, t.INT)], t.INT),
                         n.BinOp("floordiv", const(1, t.INT), name(y), t.INT, loc), t.INT, loc))]
    mod = module(function("fib", [x], t.INT, fib_body), function("outer", [y], t.INT, outer))
    fib = load_ir(mod, "fib")
    assert fib(20) == 6765
    outer_fn = load_ir(mod, "outer")
    assert outer_fn(1) == 56
    with pytest.raises(ZeroDivisionError):
        outer_fn(0)
    assert outer_fn(1) == 56  # the error state was cleared


def test_assert_raises_assertion_error_with_message():
    x = param("x", t.INT, 0)
    body = [n.Assert(compare(["gt"], [name(x), const(0, t.INT)]), "x must be positive", x.loc), ret(name(x))]
    f = load_ir(module(function("f", [x], t.INT, body)))
    assert f(3) == 3
    with pytest.raises(AssertionError, match="x must be positive"):
        f(-1)


@pytest.mark.parametrize("intrinsic_name,py,args", [
    ("math.sqrt", math.sqrt, [4.0, 2.0, -1.0, 0.0, -0.0, math.inf, math.nan]),
    ("math.exp", math.exp, [0.0, 1.0, 1000.0, -1000.0, math.inf, -math.inf]),
    ("math.log", math.log, [1.0, 0.0, -1.0, math.e, math.inf]),
    ("math.log1p", math.log1p, [-1.0, 0.0, 1e-10]),
    ("math.sin", math.sin, [0.0, 1.0, math.inf]),
    ("math.asin", math.asin, [0.5, 2.0]),
    ("math.cosh", math.cosh, [1.0, 1000.0]),
    ("math.tanh", math.tanh, [1.0, math.inf]),
    ("math.fabs", math.fabs, [-2.0, -0.0]),
    ("math.isnan", math.isnan, [math.nan, 1.0]),
    ("math.isinf", math.isinf, [math.inf, 1.0]),
    ("math.isfinite", math.isfinite, [math.inf, 1.0, math.nan]),
    ("math.floor", math.floor, [2.5, -2.5, math.nan, math.inf, 1e300]),
    ("math.ceil", math.ceil, [2.5, -2.5]),
    ("math.trunc", math.trunc, [2.5, -2.5]),
    ("round", round, [0.5, 1.5, 2.5, -0.5, 2.675, math.nan]),
])
def test_math_functions_match_cpython_including_domain_and_range_errors(intrinsic_name, py, args):
    x = param("x", t.FLOAT64, 0)
    result_type = t.INT if intrinsic_name in ("math.floor", "math.ceil", "math.trunc", "round") else (
        t.BOOL if intrinsic_name.startswith("math.is") else t.FLOAT64)
    f = load_ir(module(function("f", [x], result_type, [ret(intrinsic(intrinsic_name, [name(x)], result_type))])))
    for v in args:
        expected = outcome(py, v)
        if expected[0] == "value" and type(expected[1]) is int and not -(2**63) <= expected[1] < 2**63:
            # CPython's int grows (math.floor(1e300)); compiled int is 64-bit and raises instead (documented).
            expected = ("raises", "OverflowError")
        assert outcome(f, v) == expected, (intrinsic_name, v)


@pytest.mark.parametrize("intrinsic_name,py,args", [
    ("math.pow", math.pow, [(2.0, 10.0), (0.0, -1.0), (-8.0, 0.5), (10.0, 400.0), (math.inf, 2.0), (1.0, math.nan)]),
    ("math.fmod", math.fmod, [(5.5, 2.0), (-5.5, 2.0), (1.0, 0.0), (math.inf, 1.0), (3.0, math.inf)]),
    ("math.atan2", math.atan2, [(1.0, -1.0), (0.0, -0.0)]),
    ("math.hypot", math.hypot, [(3.0, 4.0), (math.inf, math.nan)]),
    ("math.copysign", math.copysign, [(3.0, -0.0), (-1.0, 2.0)]),
    ("min", min, [(1.0, 2.0), (math.nan, 1.0), (1.0, math.nan), (-0.0, 0.0)]),
    ("max", max, [(1.0, 2.0), (math.nan, 1.0), (1.0, math.nan), (0.0, -0.0)]),
    ("round_ndigits", round, [(2.675, 2), (1.25, 1), (123.456, -1), (-0.5, 0)]),
])
def test_two_argument_math_matches_cpython(intrinsic_name, py, args):
    x = param("x", t.FLOAT64, 0)
    y = param("y", t.INT if intrinsic_name == "round_ndigits" else t.FLOAT64, 1)
    f = load_ir(module(function("f", [x, y], t.FLOAT64,
                                [ret(intrinsic(intrinsic_name, [name(x), name(y)], t.FLOAT64))])))
    for a, b in args:
        assert outcome(f, a, b) == outcome(py, a, b), (a, b)


def test_abs_of_int_min_overflows_and_complex_abs_is_hypot():
    x = param("x", t.INT, 0)
    f = load_ir(module(function("f", [x], t.INT, [ret(intrinsic("abs", [name(x)], t.INT))])))
    assert f(-5) == 5
    with pytest.raises(OverflowError):
        f(INT_MIN)
    z = param("z", t.COMPLEX128, 0)
    g = load_ir(module(function("f", [z], t.FLOAT64, [ret(intrinsic("complex.abs", [name(z)], t.FLOAT64))])))
    assert g(3 + 4j) == 5.0
    with pytest.raises(OverflowError, match="absolute value too large"):
        g(1.5e308 + 1.5e308j)


def test_print_writes_like_cpython(capsys):
    x, y = param("x", t.FLOAT64, 0), param("k", t.INT, 1)
    loc = x.loc
    z = local("z", t.COMPLEX128)
    body = [
        assign(z, cast(name(x), t.COMPLEX128)),
        n.Print([const("x =", t.STR), name(x), name(y), const(True, t.BOOL), name(z)], " ", "\n", loc),
        n.Print([name(y)], "", "!", loc),
    ]
    f = load_ir(module(function("f", [x, y], t.NONE, body, [z])))
    assert f(0.1, -3) is None
    assert f(1e16, 7) is None
    captured = capsys.readouterr().out
    assert captured == f"x = 0.1 -3 True {complex(0.1)}\n-3!x = 1e+16 7 True {complex(1e16)}\n7!"


def test_function_without_return_on_some_path_reports_value_error():
    x = param("x", t.INT, 0)
    body = [n.If(compare(["gt"], [name(x), const(0, t.INT)]), [ret(name(x))], [], x.loc)]
    f = load_ir(module(function("f", [x], t.INT, body)))
    assert f(1) == 1
    with pytest.raises(ValueError, match="without returning"):
        f(-1)


def _caller_of_faulting_callee():
    """outer(d) = inner(d) * 2 + 1, where inner(d) = 10 // d: the fault is below a call."""
    d = param("d", t.INT, 0)
    loc = d.loc
    inner = function("inner", [d], t.INT, [ret(n.BinOp("floordiv", const(10, t.INT), name(d), t.INT, loc))])
    e = param("e", t.INT, 0)
    outer_body = [ret(n.BinOp("add", n.BinOp("mul", call("inner", [name(e)], t.INT), const(2, t.INT), t.INT, loc),
                              const(1, t.INT), t.INT, loc))]
    return module(inner, function("outer", [e], t.INT, outer_body))


def test_fault_in_a_callee_unwinds_to_the_python_caller():
    f = load_ir(_caller_of_faulting_callee(), "outer")
    assert f(5) == 5
    with pytest.raises(ZeroDivisionError):
        f(0)
    assert f(2) == 11


def test_wasm_lowering_tests_the_error_state_at_call_sites_instead_of_unwinding():
    from pyexec.backends.llvm import lower_module

    text = str(lower_module(_caller_of_faulting_callee(), triple="wasm32-unknown-unknown", data_layout=""))
    assert "_setjmp" not in text and "longjmp" not in text
    outer = text[text.index('define internal i64 @"pyexec.impl.outer"'):]
    after_call = outer.split('call i64 @"pyexec.impl.inner"', 1)[1]
    assert '@"pyexec.error.code"' in after_call.split("\n")[1]  # the next instruction reads the error code
    host = str(lower_module(_caller_of_faulting_callee(), triple="x86_64-unknown-linux-gnu", data_layout=""))
    assert "_setjmp" in host
