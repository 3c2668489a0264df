"""Measure what making wasm calls interruptible costs (printed, never asserted).

Two costs: the epoch checks wasmtime compiles into loops and function entries (the same module run on an
engine without epoch interruption, in this process), and the per-call bookkeeping of the loader (its lock
and the SIGINT wrapper check) against the bare direct call.

    python packages/wasm/tests/measure_interrupt_cost.py
"""

from __future__ import annotations

import timeit

SOURCE = '''
def add(a: int, b: int) -> int:
    return a + b

def total(n: int) -> int:
    s: int = 0
    for i in range(n):
        s = (s + i * i) % 1000003
    return s

def fib(n: int) -> int:
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)
'''


def best(function, number: int, repeat: int = 9) -> float:
    """The best time of one call, in seconds."""
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def main() -> None:
    import wasmtime

    import pyexec.backends.wasm.loader as loader
    from pyexec.backends.wasm import compile_ir_module, load
    from pyexec.frontend import analyze_source

    wasm = compile_ir_module(analyze_source(SOURCE, "cost.py"), optimize=2).wasm
    with_epochs = load(wasm)
    shared, loader._engine = loader._engine, wasmtime.Engine()  # an engine without epoch interruption
    try:
        without_epochs = load(wasm)
    finally:
        loader._engine = shared
    print("kernel                 epochs off   epochs on   ratio")
    kernels = (("total(10**7) (loop)", "total", 10**7), ("fib(27) (recursion)", "fib", 27))
    for label, name, argument in kernels:
        off = best(lambda: without_epochs.functions[name](argument), 1)  # noqa: B023 - called at once
        on = best(lambda: with_epochs.functions[name](argument), 1)  # noqa: B023 - called at once
        print(f"{label:22} {off * 1e3:8.2f} ms {on * 1e3:8.2f} ms   {on / off:.3f}")
    add = with_epochs.functions["add"]

    def unguarded(*args: int) -> int:
        """The call without the lock and the SIGINT bookkeeping: conversions, direct call, error state."""
        raw = add._call(*[convert(a) for convert, a in zip(add._converters, args)])
        with_epochs._error_state()
        return add._result(raw)

    full, bare = [], []
    for _ in range(9):  # interleaved, so that load on a shared machine hits both alike
        full.append(best(lambda: add(1, 2), 5000, 3))
        bare.append(best(lambda: unguarded(1, 2), 5000, 3))
    print(f"per call: {min(full) * 1e6:.2f} µs through the loader, {min(bare) * 1e6:.2f} µs without the lock "
          f"and SIGINT bookkeeping (difference {(min(full) - min(bare)) * 1e6:.2f} µs)")


if __name__ == "__main__":
    main()
