"""``pyexec.compile`` picks its backend from PYEXEC_MODE."""

from __future__ import annotations

import importlib.util

import pytest

import pyexec
from pyexec.mode import ModeError, current_mode

HAS_JIT = importlib.util.find_spec("numba") is not None and importlib.util.find_spec("pyexec.backends.jit") is not None


def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def triangle(n: int) -> int:
    total = 0
    for i in range(n + 1):
        total += i
    return total


def test_unset_mode_is_development(monkeypatch):
    monkeypatch.delenv("PYEXEC_MODE", raising=False)
    assert current_mode() == "development"


@pytest.mark.parametrize(("value", "mode"), [("production", "production"), (" Production ", "production"),
                                             ("DEVELOPMENT", "development"), ("", "development")])
def test_mode_ignores_case_and_spaces(monkeypatch, value, mode):
    monkeypatch.setenv("PYEXEC_MODE", value)
    assert current_mode() == mode


@pytest.mark.parametrize("value", ["prod", "jit", "release", "1"])
def test_unknown_mode_is_a_clear_error_listing_the_valid_ones(monkeypatch, value):
    monkeypatch.setenv("PYEXEC_MODE", value)
    with pytest.raises(ModeError) as info:
        pyexec.compile(fibonacci)
    message = str(info.value)
    assert f"PYEXEC_MODE={value!r}" in message
    assert "'development'" in message and "'production'" in message
    assert isinstance(info.value, ValueError)


@pytest.mark.skipif(not HAS_JIT, reason="pyexec-jit (Numba) is not installed")
def test_development_mode_compiles_with_the_jit(monkeypatch):
    from pyexec.backends.jit import JitFunction

    monkeypatch.setenv("PYEXEC_MODE", "development")
    compiled = pyexec.compile(triangle)
    assert isinstance(compiled, JitFunction)
    assert compiled(10) == 55
    assert compiled.__name__ == "triangle"


@pytest.mark.skipif(not HAS_JIT, reason="pyexec-jit (Numba) is not installed")
def test_default_mode_is_the_jit_as_a_decorator(monkeypatch):
    from pyexec.backends.jit import JitFunction

    monkeypatch.delenv("PYEXEC_MODE", raising=False)

    @pyexec.compile
    def fib(n: int) -> int:
        if n <= 1:
            return n
        return fib(n - 1) + fib(n - 2)

    assert isinstance(fib, JitFunction)
    assert fib(10) == 55


HAS_NATIVE = importlib.util.find_spec("llvmlite") is not None and importlib.util.find_spec(
    "pyexec.backends.llvm") is not None


def uses_a_list(n: int) -> int:
    xs = [1, 2, 3]
    return n + 1 if xs else n


@pytest.mark.skipif(not HAS_NATIVE, reason="pyexec-llvm (llvmlite) is not installed")
def test_production_mode_compiles_with_the_native_backend(monkeypatch):
    monkeypatch.setenv("PYEXEC_MODE", "production")
    compiled = pyexec.compile(fibonacci)
    assert type(compiled).__module__.startswith("pyexec.backends.llvm")
    assert [compiled(n) for n in range(15)] == [fibonacci(n) for n in range(15)]


@pytest.mark.skipif(not HAS_NATIVE, reason="pyexec-llvm (llvmlite) is not installed")
def test_production_mode_raises_the_native_diagnostic_instead_of_falling_back(monkeypatch):
    from pyexec.frontend import CompileError

    monkeypatch.setenv("PYEXEC_MODE", "production")
    with pytest.raises(CompileError) as info:
        pyexec.compile(uses_a_list)(1)
    assert "a list is not supported" in str(info.value)
    assert f"{__file__}:" in str(info.value)
