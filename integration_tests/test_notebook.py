"""Notebooks are a tested promise: a real notebook, run by a real Jupyter kernel (nbclient + ipykernel),
compiles cell-defined functions with aot, wasm and compile_llvm, shows ``pyexec.explain`` as Markdown,
and ``pyexec check``/``pyexec explain`` read the saved ``.ipynb``."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

nbformat = pytest.importorskip("nbformat", reason="nbformat is installed by the integration session")
nbclient = pytest.importorskip("nbclient", reason="nbclient is installed by the integration session")

CELLS = [
    "%config InlineBackend.figure_format = 'png'\nimport pyexec\nfrom pyexec import int32, uint8",
    """
    @pyexec.aot
    def clamp(v: int32) -> uint8:
        if v < 0:
            return uint8(0)
        if v > 255:
            return uint8(255)
        return uint8(v)
    print("clamp", clamp(300), clamp(-4), clamp(77))
    """,
    """
    def down(n: int) -> int:
        if n == 0:
            return 1 // n
        return 1 + down(n - 1)
    try:
        pyexec.aot(down)(5)
    except ZeroDivisionError as exc:
        print("raised", type(exc).__name__)
    """,
    """
    def square(x: int) -> int:
        return x * x
    files = pyexec.wasm(square, "out/square.wasm")
    print("wasm", pyexec.load_wasm(files["wasm"]).square(12))
    lib = pyexec.compile_llvm(square, "square", output_dir="out")
    print("llvm", sorted(lib))
    """,
    "pyexec.explain(square, ['ir', 'llvm'])",
    """
    @pyexec.aot
    def listy(x: int) -> int:
        return [x][0]
    listy(3)
    """,
]


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# pyexec in a notebook")]
    nb.cells += [nbformat.v4.new_code_cell(textwrap.dedent(source).strip()) for source in CELLS]
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()
    path = folder / "demo.ipynb"
    nbformat.write(nb, path)
    return nb, path


def outputs(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def test_aot_on_a_cell_function_returns_what_cpython_returns(notebook):
    nb, _ = notebook
    assert "clamp 255 0 77" in outputs(nb.cells[2])
    assert "raised ZeroDivisionError" in outputs(nb.cells[3])


def test_wasm_and_compile_llvm_build_cell_functions(notebook):
    nb, path = notebook
    assert "wasm 144" in outputs(nb.cells[4])
    assert "llvm ['header', 'library', 'object']" in outputs(nb.cells[4])
    assert (path.parent / "out" / "square.wasm").is_file()


def test_explain_renders_as_markdown_in_jupyter(notebook):
    nb, _ = notebook
    data = next(o for o in nb.cells[5].outputs if o.output_type == "execute_result")["data"]
    markdown = data["text/markdown"]
    assert "#### ir: typed IR" in markdown and "```llvm" in markdown and "mul" in markdown


def test_an_unsupported_cell_function_raises_a_located_compile_error(notebook):
    nb, _ = notebook
    error = next(o for o in nb.cells[6].outputs if o.output_type == "error")
    assert error["ename"] == "UnsupportedSyntaxError"
    assert "is not supported in compiled code" in error["evalue"] and "code cell" not in error["evalue"]


def test_check_reads_the_saved_notebook_and_points_at_the_cell(notebook):
    _, path = notebook
    out = subprocess.run([sys.executable, "-m", "pyexec.cli", "check", str(path)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 1
    assert "demo.ipynb (code cell 6):3:12: error: a list is not supported in compiled code" in out.stderr
    assert "1 of 4 functions would not compile" in out.stderr  # clamp, down, square check; listy does not


def test_explain_command_reads_a_notebook_function(notebook):
    _, path = notebook
    out = subprocess.run([sys.executable, "-m", "pyexec.cli", "explain", f"{path}::clamp", "--stage", "ir"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "def clamp(v: int32) -> uint8" in out.stdout
