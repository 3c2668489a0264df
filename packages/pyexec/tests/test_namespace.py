"""The meta-package: a light `import pyexec`, a whole namespace, one version everywhere."""

import subprocess
import sys
from pathlib import Path

import pytest

import pyexec

REPO = Path(__file__).resolve().parents[3]
HEAVY = ("numba", "llvmlite", "nuitka", "wasmtime")


def run_python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_import_pyexec_loads_no_compiler_or_runtime():
    out = run_python(
        "import sys, pyexec\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}))"
    )
    assert out.strip() == "[]"


def test_importtime_report_names_no_heavy_module():
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", "import pyexec"],
                            capture_output=True, text=True, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}
    assert imported.isdisjoint(HEAVY)


def test_namespace_reaches_the_other_distributions():
    import pyexec.types

    assert pyexec.__file__ is not None
    assert len(pyexec.__path__) >= 2  # the meta's own folder and pyexec-types' portion at least
    assert pyexec.types.__file__.endswith("types/__init__.py")


def test_scalar_types_are_reexported_lazily_and_identical():
    from pyexec.types import uint8

    assert pyexec.uint8 is uint8
    assert int(pyexec.uint8(300)) == 44


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_thing'"):
        pyexec.not_a_thing  # noqa: B018


def test_every_exported_name_is_listed_in_dir():
    assert set(pyexec.__all__) <= set(dir(pyexec))


def test_all_versions_and_pins_agree():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from versions import disagreements
    finally:
        sys.path.pop(0)
    assert disagreements() == []


def test_bump_sets_every_version_and_pin(tmp_path):
    import shutil

    copy = tmp_path / "repo"
    shutil.copytree(REPO / "packages", copy / "packages", ignore=shutil.ignore_patterns("tests", "*.pyc"))
    shutil.copytree(REPO / "scripts", copy / "scripts")
    script = copy / "scripts" / "versions.py"
    out = subprocess.run([sys.executable, str(script), "set", "9.8.7"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "versions agree" in out.stdout
    assert 'version = "9.8.7"' in (copy / "packages" / "llvm" / "pyproject.toml").read_text()
    assert '"pyexec-frontend==9.8.7"' in (copy / "packages" / "llvm" / "pyproject.toml").read_text()
    assert '__version__ = "9.8.7"' in (copy / "packages" / "pyexec" / "src" / "pyexec" / "__init__.py").read_text()
