"""Build pyexec's linked libm (``src/pyexec/backends/wasm/libm.bc``) from glibc's own sources, reproducibly.

The wasm backend links this LLVM bitcode into every module that calls a libm function, so a module
computes ``math.sin`` & co. with glibc's algorithms in wasmtime, Node and browsers alike (the engines'
``Math`` differs from glibc in the last bit on a few percent of inputs). The inputs are pinned and recorded
in ``libm.json`` next to the bitcode: glibc 2.36's ``sysdeps/ieee754/dbl-64`` sources (the tarball of
Debian 12's ``glibc-source`` package, checked by its SHA-256), ``shim/`` (stand-ins for glibc's internal
headers), ``pyexec_libm.c`` (the public names), clang from the ``ziglang`` PyPI package, and llvmlite
(which links the per-file bitcode into one module). The same inputs give the same bytes
(``test_libm.py::test_linked_libm_rebuilds_to_the_same_bytes``).

Usage (from the repository root)::

    python packages/wasm/libm/build_libm.py [--glibc-source glibc-2.36.tar.xz] [--check]

The tarball is found at ``--glibc-source``, ``$PYEXEC_GLIBC_SOURCE`` or
``/usr/src/glibc/glibc-2.36.tar.xz`` (``apt-get install glibc-source`` on Debian 12; in CI the wasm test
session installs it). ``--check`` rebuilds into a temporary file and compares instead of
writing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent / "src" / "pyexec" / "backends" / "wasm"
OUTPUT = PACKAGE_DIR / "libm.bc"
MANIFEST = PACKAGE_DIR / "libm.json"
LICENSE = PACKAGE_DIR / "libm.COPYING.LIB"
"""glibc's license (LGPL-2.1), which ships with the bitcode."""

GLIBC_VERSION = "2.36"
GLIBC_TARBALL_SHA256 = "95f0ed7a02f15857fe725c510e0e2cb9050fb7793bcde4cc72ddf8def40d5cf8"
DEFAULT_GLIBC_SOURCE = Path("/usr/src/glibc/glibc-2.36.tar.xz")
ZIG_VERSION = "0.17.1"
DBL64 = "sysdeps/ieee754/dbl-64"

SOURCES = (
    "e_exp.c", "e_exp_data.c", "e_log.c", "e_log_data.c", "e_log2.c", "e_log2_data.c", "e_log10.c", "s_log1p.c",
    "s_expm1.c", "s_sin.c", "branred.c", "sincostab.c", "s_tan.c", "e_asin.c", "s_atan.c", "e_atan2.c",
    "e_sinh.c", "e_cosh.c", "s_tanh.c", "e_hypot.c", "e_pow.c", "e_pow_log_data.c", "e_fmod.c", "s_scalbn.c",
    "math_err.c", "s_asinh.c", "e_acosh.c", "e_atanh.c", "s_cbrt.c", "s_frexp.c", "s_erf.c",
)
"""glibc's files, compiled one by one as glibc compiles them (its x86-64 build without FMA)."""

CFLAGS = (
    "-target", "wasm32-freestanding", "-O2", "-g0", "-ffp-contract=off", "-fno-builtin", "-fno-math-errno",
    "-fno-unwind-tables", "-fno-asynchronous-unwind-tables", "-emit-llvm", "-c",
)
"""``-ffp-contract=off``: no fused multiply-adds (wasm has none, and glibc's portable build has none)."""

PUBLIC = tuple(f"{name}{suffix}" for name in (
    "exp", "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "tanh", "atan2", "hypot", "pow", "fmod", "exp2", "ldexp", "asinh", "acosh", "atanh", "cbrt", "erf", "erfc")
    for suffix in ("", "f"))
"""The functions the bitcode defines with external linkage (everything else in it is internal)."""


class BuildError(Exception):
    """A pinned input is missing or differs; the message says which and how to get it."""


def find_glibc_source(explicit: str | None) -> Path:
    """The glibc 2.36 tarball: the argument, ``$PYEXEC_GLIBC_SOURCE``, or Debian's ``glibc-source`` package."""
    for candidate in (explicit, os.environ.get("PYEXEC_GLIBC_SOURCE"), str(DEFAULT_GLIBC_SOURCE)):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise BuildError(
        "glibc 2.36's source tarball was not found: pass --glibc-source PATH, set PYEXEC_GLIBC_SOURCE, or "
        "install Debian 12's package (apt-get install glibc-source, which puts it in /usr/src/glibc/)")


def zig_version() -> str:
    """The version of the ``ziglang`` package's compiler (``BuildError`` when it is not installed)."""
    try:
        out = subprocess.run([sys.executable, "-m", "ziglang", "version"], check=True, capture_output=True, text=True)
    except (subprocess.CalledProcessError, FileNotFoundError) as exc:
        raise BuildError(f"the ziglang package is not installed (pip install ziglang=={ZIG_VERSION})") from exc
    return out.stdout.strip()


def llvmlite_version() -> str:
    import llvmlite

    return llvmlite.__version__


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(glibc_tarball: Path) -> tuple[bytes, dict[str, object], bytes]:
    """Compile and link the libm; return the bitcode, its manifest and glibc's license text."""
    import llvmlite.binding as llvm

    digest = sha256(glibc_tarball)
    if digest != GLIBC_TARBALL_SHA256:
        raise BuildError(f"{glibc_tarball} is not the pinned glibc {GLIBC_VERSION} tarball "
                         f"(SHA-256 {digest}, expected {GLIBC_TARBALL_SHA256})")
    version = zig_version()
    if version != ZIG_VERSION:
        raise BuildError(f"zig {version} is installed; the libm is built with zig {ZIG_VERSION} "
                         f"(pip install ziglang=={ZIG_VERSION})")
    with tempfile.TemporaryDirectory() as tmp:
        # Everything is compiled from one directory by relative names, so no path of this machine
        # reaches the bitcode (clang records the source file name as given).
        work = Path(tmp) / "libm"
        work.mkdir()
        prefix = f"glibc-{GLIBC_VERSION}/{DBL64}/"
        with tarfile.open(glibc_tarball) as tar:
            license_text = tar.extractfile(f"glibc-{GLIBC_VERSION}/COPYING.LIB").read()  # type: ignore[union-attr]
            for member in tar.getmembers():
                if member.name.startswith(prefix) and member.isfile() and "/" not in member.name[len(prefix):]:
                    (work / member.name[len(prefix):]).write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
        shutil.copytree(HERE / "shim", work / "shim")
        shutil.copy(HERE / "pyexec_libm.c", work / "pyexec_libm.c")
        modules = []
        for source in (*SOURCES, "pyexec_libm.c"):
            out = source.replace(".c", ".bc")
            subprocess.run([sys.executable, "-m", "ziglang", "cc", *CFLAGS, "-Ishim", "-I.", source, "-o", out],
                           cwd=work, check=True)
            modules.append(llvm.parse_bitcode((work / out).read_bytes()))
    linked = modules[0]
    for other in modules[1:]:
        linked.link_in(other)
    linked.name = "pyexec_libm"
    for value in (*linked.functions, *linked.global_variables):
        if not value.is_declaration and value.name not in PUBLIC:
            value.linkage = "internal"
    missing = [name for name in PUBLIC if linked.get_function(name).is_declaration]
    undefined = [f.name for f in linked.functions if f.is_declaration and not f.name.startswith("llvm.")]
    if missing or undefined:
        raise BuildError(f"the linked libm lacks {missing} and calls undefined {undefined}")
    linked.verify()
    bitcode = bytes(linked.as_bitcode())
    manifest = {
        "what": "glibc's double-precision libm (sysdeps/ieee754/dbl-64) as wasm32 LLVM bitcode, built by "
                "packages/wasm/libm/build_libm.py",
        "glibc": GLIBC_VERSION, "glibc_tarball_sha256": GLIBC_TARBALL_SHA256, "glibc_files": list(SOURCES),
        "zig": ZIG_VERSION, "llvmlite": llvmlite_version(), "cflags": list(CFLAGS),
        "inputs_sha256": {str(p.relative_to(HERE)): sha256(p) for p in sorted(HERE.rglob("*"))
                          if p.is_file() and p.suffix in (".c", ".h")},
        "functions": list(PUBLIC), "bitcode_sha256": hashlib.sha256(bitcode).hexdigest(),
        "license": "LGPL-2.1-or-later (glibc): libm.COPYING.LIB; see docs/backends/wasm.md",
    }
    return bitcode, manifest, license_text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--glibc-source", help="path of glibc-2.36.tar.xz")
    parser.add_argument("--check", action="store_true", help="rebuild and compare with the shipped bitcode")
    args = parser.parse_args(argv)
    try:
        bitcode, manifest, license_text = build(find_glibc_source(args.glibc_source))
    except BuildError as exc:
        print(f"build_libm: {exc}", file=sys.stderr)
        return 2
    if args.check:
        same = OUTPUT.is_file() and OUTPUT.read_bytes() == bitcode
        print(f"{OUTPUT.name}: {'identical' if same else 'DIFFERS'} ({len(bitcode)} bytes, sha256 "
              f"{manifest['bitcode_sha256']})")
        return 0 if same else 1
    OUTPUT.write_bytes(bitcode)
    MANIFEST.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    LICENSE.write_bytes(license_text)
    print(f"wrote {OUTPUT} ({len(bitcode)} bytes), {MANIFEST.name} and {LICENSE.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
