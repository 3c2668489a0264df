"""wasm() and wasm_multi(): the files they write, sizes per optimisation level, and clear build errors."""

from __future__ import annotations

import pytest

from pyexec.backends.wasm import WasmBuildError, compile_ir_module, load, wasm, wasm_multi
from pyexec.backends.wasm.signature import SECTION_NAME, decode_signatures
from pyexec.backends.wasm.wasm_binary import read_sections
from pyexec.frontend import analyze_source


def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    a: int = 0
    b: int = 1
    for _ in range(2, n + 1):
        temp: int = a + b
        a = b
        b = temp
    return b


def add(a: int, b: int) -> int:
    return a + b


def ratio(a: float, b: float) -> float:
    return a / b


def with_complex(z: complex) -> float:
    return z.real


def test_wasm_writes_wasm_js_dts_and_html(tmp_path):
    files = wasm(fibonacci, tmp_path / "fib.wasm")
    assert set(files) == {"wasm", "js", "dts", "html"}
    assert [files[k].name for k in ("wasm", "js", "dts", "html")] == ["fib.wasm", "fib.js", "fib.d.ts", "fib.html"]
    assert "export async function loadFib" in files["js"].read_text()
    assert "fibonacci(n: number | bigint): number | bigint;" in files["dts"].read_text()
    assert 'id="fibonacci-n"' in files["html"].read_text()
    assert load(files["wasm"]).fibonacci(90) == 2880067194370816120


def test_generate_html_false_writes_no_page(tmp_path):
    files = wasm(add, str(tmp_path / "add.wasm"), generate_html=False)
    assert "html" not in files and not (tmp_path / "add.html").exists()


def test_export_name_renames_the_export(tmp_path):
    files = wasm(add, tmp_path / "plus.wasm", export_name="plus")
    loaded = load(files["wasm"])
    assert loaded.plus(2, 3) == 5
    assert "plus(a: number | bigint, b: number | bigint)" in files["dts"].read_text()


def test_wasm_multi_exports_every_function(tmp_path):
    files = wasm_multi([add, ratio, fibonacci], tmp_path / "multi.wasm")
    loaded = load(files["wasm"])
    assert (loaded.add(1, 2), loaded.ratio(1.0, 4.0), loaded.fibonacci(10)) == (3, 0.25, 55)
    section = next(s for s in read_sections(files["wasm"].read_bytes()) if s.name == SECTION_NAME)
    assert [str(s) for s in decode_signatures(section.payload)] == [
        "add(a:int,b:int)->int!", "ratio(a:float64,b:float64)->float64!", "fibonacci(n:int)->int!"]


def test_sizes_shrink_with_the_optimisation_level(tmp_path):
    sizes = [wasm(fibonacci, tmp_path / f"fib{o}.wasm", optimize=o)["wasm"].stat().st_size for o in range(4)]
    assert sizes[0] > sizes[1] >= sizes[2] >= sizes[3] or sizes[0] > sizes[2]
    for o in range(4):
        assert load(tmp_path / f"fib{o}.wasm").fibonacci(50) == 12586269025


def test_output_without_suffix_gets_wasm(tmp_path):
    files = wasm(add, tmp_path / "sub" / "adder")
    assert files["wasm"] == tmp_path / "sub" / "adder.wasm"


def test_bad_optimize_level_is_refused(tmp_path):
    with pytest.raises(WasmBuildError, match="optimize must be 0, 1, 2 or 3"):
        wasm(add, tmp_path / "x.wasm", optimize=7)


def test_complex_parameters_are_refused_with_a_hint(tmp_path):
    with pytest.raises(WasmBuildError, match="two floats"):
        wasm(with_complex, tmp_path / "c.wasm")


def test_export_name_must_be_an_identifier(tmp_path):
    with pytest.raises(WasmBuildError, match="not a valid identifier"):
        wasm(add, tmp_path / "x.wasm", export_name="not valid")
    with pytest.raises(WasmBuildError, match="is taken"):
        wasm(add, tmp_path / "x.wasm", export_name="memory")


def test_a_function_named_like_libm_is_refused():
    module = analyze_source("def pow(a: float, b: float) -> float:\n    return a * b\n", "libm_name.py")
    with pytest.raises(WasmBuildError, match="cannot be named 'pow'"):
        compile_ir_module(module)


def test_non_functions_are_refused(tmp_path):
    with pytest.raises(WasmBuildError, match="not a Python function"):
        wasm_multi([len], tmp_path / "x.wasm")
    with pytest.raises(WasmBuildError, match="at least one function"):
        wasm_multi([], tmp_path / "x.wasm")
