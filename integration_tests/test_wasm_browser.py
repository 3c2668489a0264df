"""The generated HTML demo pages in headless Chromium: type into the inputs, press the buttons, read the results.

The pages are served from a localhost ``http.server`` thread (``.wasm`` as ``application/wasm``, so the glue's
``instantiateStreaming`` path runs) and driven with Selenium through Debian's ``chromedriver`` (no driver
download). Skipped only when Chromium or its driver is not installed (``nox -s integration`` installs them).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pytest

from pyexec import complex128, float64, int64

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None or CHROMEDRIVER is None,
                       reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"),
]



class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map: ClassVar[dict[str, str]] = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm", ".js": "text/javascript", ".mjs": "text/javascript",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(seed_wasm_build) -> Iterator[str]:
    root = seed_wasm_build[0]  # the pages the seed's WASM examples generate (conftest.py)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="pyexec-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                 f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _open(browser, url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "status").text != "loading…")
    assert browser.find_element(By.ID, "status").text == "ready"


def _run(browser, function: str, **inputs: object) -> tuple[str, str]:
    from selenium.webdriver.common.by import By

    for name, value in inputs.items():
        field = browser.find_element(By.ID, f"{function}-{name}")
        field.clear()
        field.send_keys(str(value))
    browser.find_element(By.ID, f"{function}-run").click()
    output = browser.find_element(By.ID, f"{function}-result")
    return output.text, output.get_attribute("class")


def test_square_page_computes_the_typed_value(site, browser) -> None:
    _open(browser, f"{site}/square.html")
    assert _run(browser, "square", x=5) == ("25", "ok")
    assert _run(browser, "square", x=-3037000499) == ("9223372030926249001", "ok")  # beyond 2^53, exact


def test_fibonacci_page_shows_results_and_overflow_errors(site, browser) -> None:
    _open(browser, f"{site}/fib.html")
    assert _run(browser, "fibonacci", n=10) == ("55", "ok")
    assert _run(browser, "fibonacci", n=90) == ("2880067194370816120", "ok")
    text, cls = _run(browser, "fibonacci", n=100)
    assert cls == "error" and text.startswith("OverflowError:")


def test_math_page_has_a_button_per_function(site, browser) -> None:
    _open(browser, f"{site}/math.html")
    assert _run(browser, "add", a=10, b=5) == ("15", "ok")
    assert _run(browser, "subtract", a=10, b=5) == ("5", "ok")
    assert _run(browser, "multiply", a=10, b=5) == ("50", "ok")
    assert _run(browser, "divide", a=10, b=5) == ("2", "ok")
    assert _run(browser, "divide", a=1, b=0) == ("ZeroDivisionError: integer division or modulo by zero", "error")
    text, cls = _run(browser, "add", a="abc", b=1)
    assert cls == "error" and "not an integer" in text


def test_game_page_runs_the_game_logic(site, browser) -> None:
    _open(browser, f"{site}/game.html")
    assert _run(browser, "clamp", value=900, min_val=0, max_val=800) == ("800", "ok")
    assert _run(browser, "lerp", a=0, b=100, t=50) == ("50", "ok")
    assert _run(browser, "collision", x1=0, y1=0, w1=32, h1=32, x2=10, y2=10, w2=32, h2=32) == ("True", "ok")
    assert _run(browser, "collision", x1=0, y1=0, w1=32, h1=32, x2=100, y2=0, w2=32, h2=32) == ("False", "ok")


def scaled(a: float64[:], k: float) -> float64[:]:
    return a * k


def grid(n: int, m: int) -> int64[:, ::1]:
    g = np.zeros((n, m), np.int64)
    for i in range(n):
        for j in range(m):
            g[i, j] = i * 10 + j
    return g


def rotated(a: complex128[:], re: float, im: float) -> complex128[:]:
    return a * complex(re, im)


@pytest.fixture(scope="module")
def array_page(seed_wasm_build) -> str:
    """A page for array functions, next to the seed's pages (served by ``site``)."""
    import pyexec

    pyexec.wasm_multi([scaled, grid, rotated], seed_wasm_build[0] / "arrays.wasm")
    return "arrays.html"


def test_array_page_takes_comma_separated_numbers_and_shows_arrays_with_their_shape(site, browser, array_page):
    _open(browser, f"{site}/{array_page}")
    assert _run(browser, "scaled", a="1, 2.5, -3", k=2) == ("[2, 5, -6] shape (3,)", "ok")
    assert _run(browser, "grid", n=2, m=3) == ("[0, 1, 2, 10, 11, 12] shape (2, 3)", "ok")
    text, cls = _run(browser, "scaled", a="1, x", k=1)
    assert cls == "error" and "is not a number" in text
    text, cls = _run(browser, "grid", n=-1, m=2)
    assert cls == "error" and text == "ValueError: negative dimensions are not allowed"


def test_array_page_reads_complex_literals_and_shows_complex_results(site, browser, array_page):
    _open(browser, f"{site}/{array_page}")
    expected = "[(-2+1j), (4+3j), (-5+0j)] shape (3,)"  # complex(text) * 1j, as CPython prints them
    assert _run(browser, "rotated", a="1+2j, (3-4j), 5j", re=0, im=1) == (expected, "ok")
    text, cls = _run(browser, "rotated", a="1+x", re=1, im=0)
    assert cls == "error" and "is not a complex number such as 1+2j" in text
