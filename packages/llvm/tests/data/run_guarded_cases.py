"""Child process of test_guarded_operations: run every case of guarded_in_loops.py compiled with one
backend at every optimisation level and overflow mode, in a worker thread with a small stack, and print
one line per disagreement with CPython. Run apart from pytest so that a signal (SIGFPE from a hoisted
division) or a hang is a failed test, not a dead test run.

Usage: python run_guarded_cases.py aot|wasm
"""

import inspect
import sys
import threading
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
import guarded_in_loops as cases


def outcome(fn, args):
    try:
        value = fn(*args)
    except FloatingPointError:  # NumPy's division by zero under np.errstate(divide="raise")
        return ("raises", "ZeroDivisionError")
    except (ArithmeticError, ValueError, AssertionError) as exc:
        return ("raises", type(exc).__name__)
    except RuntimeError as exc:  # a wasm trap, for one
        return ("raises", f"{type(exc).__name__}: {exc}")
    return ("value", int(value) if not isinstance(value, float) else float(value))


def cpython_outcome(fn, args):
    """CPython running the function on arguments of its annotated types (NumPy scalars for the fixed
    widths), with a NumPy division by zero raising as pyexec's does (NumPy itself warns and gives 0)."""
    params = inspect.signature(fn).parameters.values()
    typed = tuple(a if p.annotation in (int, float, bool) else p.annotation(a) for p, a in zip(params, args))
    with warnings.catch_warnings(), np.errstate(divide="raise", over="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        return outcome(fn, typed)


def compiled_functions(backend, opt, overflow):
    names = sorted({name for name, _ in cases.CASES})
    if backend == "aot":
        from pyexec.backends.llvm import aot

        return {name: aot(getattr(cases, name), opt=opt, overflow=overflow, cache=False) for name in names}
    from pyexec.backends.wasm import compile_ir_module, load
    from pyexec.frontend import analyze_file

    module = analyze_file(cases.__file__)
    loaded = load(compile_ir_module(module, functions=names, optimize=opt, overflow=overflow).wasm)
    return {name: getattr(loaded, name) for name in names}


def main(backend):
    failures = []
    expected = {(name, args): cpython_outcome(getattr(cases, name), args) for name, args in cases.CASES}

    def run():
        for opt in range(4):
            for overflow in ("check", "wrap"):
                functions = compiled_functions(backend, opt, overflow)
                for name, args in cases.CASES:
                    want = cases.CONTRACT.get((name, args), {}).get(overflow, expected[(name, args)])
                    got = outcome(functions[name], args)
                    if got != want:
                        failures.append(f"{backend} opt={opt} overflow={overflow} {name}{args}: {got} != {want}")

    threading.stack_size(256 * 1024)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    print("\n".join(failures) if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
