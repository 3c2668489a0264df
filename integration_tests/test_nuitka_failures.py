"""A build that Nuitka itself fails is reported with the end of Nuitka's log (real Nuitka, about 30 s)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses a POSIX shell script as the C compiler")
def test_nuitka_failure_raises_with_its_log_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyexec.backends.nuitka import MissingPrerequisiteError, NuitkaBuildError, aot_compile
    from pyexec.backends.nuitka.prerequisites import check_prerequisites

    try:
        check_prerequisites(dict(os.environ))
    except MissingPrerequisiteError as exc:
        pytest.skip(f"Nuitka's prerequisites are missing: {exc}")
    broken = tmp_path / "broken-cc"
    broken.write_text("#!/bin/sh\necho 'this compiler is broken' >&2\nexit 1\n")
    broken.chmod(0o755)
    (tmp_path / "failing_app.py").write_text("def hello() -> None:\n    print('hi')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("CC", str(broken))  # present, so the prerequisite check passes; Nuitka then fails
    monkeypatch.setenv("PYEXEC_CACHE_DIR", str(tmp_path / "cache"))
    import failing_app

    with pytest.raises(NuitkaBuildError) as info:
        aot_compile(failing_app.hello, tmp_path / "hello")
    err = info.value
    assert err.returncode != 0
    assert err.log_tail and len(err.log_tail.splitlines()) <= 40
    log = Path(err.log_path).read_text()
    assert log.startswith("$ ") and "-m nuitka" in log.splitlines()[0]
    assert err.log_tail.splitlines()[-1] in log
    assert str(err).startswith(f"Nuitka failed (exit status {err.returncode}); the end of its log:")
    assert "\x1b[" not in err.log_tail
    assert not (tmp_path / "hello").exists()
