"""Numba's options pass through; code Numba cannot compile raises pyexec's error at the user's line."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numba import prange

from pyexec.backends.jit import JitCompileError, JitFunction, NotAFunctionError, jit
from pyexec.types import int8, uint8


def _first_line_of(func, text: str) -> int:
    import inspect

    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("option", ["parallel", "fastmath", "nogil", "boundscheck"])
def test_each_numba_option_reaches_the_dispatcher(option):
    f = jit(**{option: True})(lambda a: a * 2.0 + 1.0)
    assert f.dispatcher.targetoptions[option] is True
    np.testing.assert_array_equal(f(np.arange(3.0)), [1.0, 3.0, 5.0])


def test_cache_writes_the_compiled_code_next_to_the_module(tmp_path, monkeypatch):
    (tmp_path / "cached_module.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import cached_module

    double = jit(cache=True)(cached_module.double)
    assert double(21) == 42
    assert list((tmp_path / "__pycache__").glob("cached_module.double-*.nbi"))


def test_boundscheck_turns_an_out_of_range_index_into_index_error():
    checked = jit(boundscheck=True)(lambda a, i: a[i])
    with pytest.raises(IndexError):
        checked(np.zeros(3), 5)


def test_parallel_prange_loop_computes_the_sum():
    @jit(parallel=True)
    def total(a):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i]
        return s

    assert total(np.arange(1000.0)) == sum(range(1000))


def test_decorating_twice_compiles_the_original_function():
    once = jit(lambda x: x * 2)
    twice = jit(once)
    assert isinstance(twice, JitFunction)
    assert twice.py_func is once.py_func
    assert twice(4) == 8


def test_jitted_functions_call_each_other():
    @jit
    def helper(x):
        return x * 3

    @jit
    def caller(x):
        return helper(x) + 1

    assert caller(2) == 7


def test_pyexec_scalar_types_work_inside_jitted_code():
    @jit
    def wrap(x):
        return uint8(x), int8(x)

    assert wrap(300) == (44, 44)


def test_typing_error_names_the_users_file_and_line_first_then_numbas_detail():
    @jit
    def adds_text(x):
        y = x + "a"
        return y

    with pytest.raises(JitCompileError) as info:
        adds_text(1)
    err = info.value
    assert err.filename == __file__
    assert err.lineno == _first_line_of(adds_text.py_func, 'x + "a"')
    message = str(err)
    assert message.startswith(f"{__file__}:{err.lineno}: cannot JIT-compile")
    assert 'y = x + "a"' in message.splitlines()[1]
    assert message.index("Numba's detail:") > message.index("cannot JIT-compile")
    assert "No implementation of function" in err.numba_message
    assert "\x1b[" not in message


def test_undefined_global_points_at_the_line_that_uses_it():
    @jit
    def uses_unknown(x):
        a = x + 1
        return a + not_defined_anywhere  # noqa: F821

    with pytest.raises(JitCompileError, match="not_defined_anywhere") as info:
        uses_unknown(1)
    assert info.value.lineno == _first_line_of(uses_unknown.py_func, "not_defined_anywhere")


def test_python_objects_are_refused_rather_than_run_in_object_mode():
    @jit
    def makes_an_object(x):
        return object()

    with pytest.raises(JitCompileError):
        makes_an_object(1)


@pytest.mark.parametrize("thing", [42, "text", print, type])
def test_jit_refuses_what_is_not_a_python_function(thing):
    with pytest.raises(NotAFunctionError, match="jit compiles Python functions"):
        jit(thing)


def test_runtime_errors_stay_python_exceptions():
    divide = jit(lambda a, b: a // b)
    with pytest.raises(ZeroDivisionError):
        divide(1, 0)


def test_missing_scipy_is_named_with_how_to_install_it():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["scipy"] = None  # as if SciPy were not installed
        import numpy as np
        from pyexec.backends.jit import MissingSciPyError, jit

        @jit
        def product(a, b):
            return a @ b

        try:
            product(np.ones((2, 2)), np.ones((2, 2)))
        except MissingSciPyError as exc:
            print("MISSING-SCIPY", exc.lineno)
            print(exc)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "MISSING-SCIPY" in result.stdout
    assert "pyexec-jit[matmul]" in result.stdout
    assert "pip install scipy" in result.stdout
