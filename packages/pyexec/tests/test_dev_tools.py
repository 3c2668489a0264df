"""The repository's own tools: dev.py's command line and the noxfile's promise not to change the host."""

from __future__ import annotations

import importlib.util
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def load(path: Path, name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("argv, expected", [
    (["demo", "--with-exe"], ["-s", "demo", "--", "--with-exe"]),
    (["demo", "--", "--quick"], ["-s", "demo", "--", "--quick"]),
    (["demo"], ["-s", "demo"]),
    (["test"], ["-s", "ci"]),
    (["-s", "lint"], ["-s", "lint"]),
])
def test_dev_py_passes_a_shortcuts_options_to_its_session(argv, expected):
    assert load(REPO / "dev.py", "dev").nox_arguments(argv) == expected


class FakeSession:
    """Records what the noxfile would run; never runs anything."""

    def __init__(self, dry_run_output: str = "") -> None:
        self.runs: list[tuple[str, ...]] = []
        self.warnings: list[str] = []
        self.dry_run_output = dry_run_output

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def run(self, *args: str, **kwargs: object) -> str:
        self.runs.append(args)
        return self.dry_run_output if "-s" in args else ""


@pytest.fixture
def noxfile(monkeypatch):
    module = load(REPO / "noxfile.py", "pyexec_noxfile")
    monkeypatch.setattr(module.shutil, "which", lambda cmd: None if cmd == "chromium" else "/usr/bin/" + cmd)
    monkeypatch.setattr(module.os, "geteuid", lambda: 0)
    return module


def test_system_packages_installs_nothing_outside_ci_without_opt_in(noxfile, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("PYEXEC_INSTALL_SYSTEM_PACKAGES", raising=False)
    session = FakeSession()
    noxfile.system_packages(session, {"chromium": "chromium"})
    assert session.runs == [] and "only in CI" in session.warnings[0]


def test_system_packages_refuses_when_apt_would_upgrade(noxfile, monkeypatch):
    monkeypatch.setenv("CI", "true")
    session = FakeSession("Inst libc6 [2.36-9] (2.36-9+deb12u9 Debian:12.9/stable [amd64])\n"
                          "Inst chromium (131.0 Debian:12.9/stable [amd64])\n")
    noxfile.system_packages(session, {"chromium": "chromium"})
    assert not any(run[:2] == ("apt-get", "install") and "-s" not in run for run in session.runs)
    assert "libc6" in session.warnings[0]


def test_system_packages_installs_in_ci_without_upgrades(noxfile, monkeypatch):
    monkeypatch.setenv("CI", "true")
    session = FakeSession("Inst chromium (131.0 Debian:12.9/stable [amd64])\n")
    noxfile.system_packages(session, {"chromium": "chromium"})
    install = session.runs[-1]
    assert install[:2] == ("apt-get", "install") and "-s" not in install
    assert "--no-upgrade" in install and "--no-install-recommends" in install and "chromium" in install

