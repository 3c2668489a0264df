"""Strings across the wasm boundary: the Python loader (wasmtime) takes and returns ``str``, the JS glue (Node)
takes and returns JS strings (TextEncoder/TextDecoder), the .d.ts says string, the HTML page takes text;
each compared with CPython, with the module heap's usage checked after many calls."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyexec.backends.wasm import wasm_multi
from pyexec.backends.wasm.loader import load

NODE = shutil.which("node")
TEXT = st.one_of(st.text(max_size=30), st.text(alphabet=st.characters(max_codepoint=127), max_size=30),
                 st.sampled_from(["", "é", "😀", "a\x00b", "ab😀cé"]))


def greet(name: str) -> str:
    return "Hello, " + name + "!"


def mix(s: str, t: str, k: int) -> str:
    u = s * (k % 4) + t
    if u and t in u and u[0] != "x":
        return u[k:-1:2] + u[-k:]
    return u[::-1]


def facts(s: str, k: int) -> tuple[int, int, bool, bool]:
    total = 0
    for ch in s:
        total += ord(ch)
    return len(s), total, s < "m", "é" in s


def char(s: str, i: int) -> str:
    return s[i] + chr(i % 0x300 + 32)


def caesar(s: str, k: int) -> str:
    out = ""
    for ch in s:
        c = ord(ch)
        if 97 <= c <= 122:
            out += chr((c - 97 + k) % 26 + 97)
        else:
            out += ch
    return out


def fizzbuzz(n: int) -> str:
    out = ""
    for i in range(1, n + 1):
        if i % 15 == 0:
            out += "FizzBuzz"
        elif i % 3 == 0:
            out += "Fizz"
        elif i % 5 == 0:
            out += "Buzz"
        else:
            out += chr(48 + i % 10)
        out += "\n"
    return out


def fault_deep(s: str, n: int) -> str:
    if n == 0:
        return s[100000]
    return fault_deep(s + "é", n - 1)


def runaway(s: str, n: int) -> int:
    return len(s) + runaway(s[0:1] + "a", n + 1)  # a new block in every frame


FUNCS = [greet, mix, facts, char, caesar, fizzbuzz, fault_deep, runaway]


def outcome(fn, *args):
    try:
        return ("value", fn(*args))
    except (ArithmeticError, ValueError, TypeError, LookupError) as exc:
        return ("raises", type(exc).__name__, str(exc))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("strings")
    files = wasm_multi(FUNCS, out / "strs.wasm")
    return out, files


def test_python_loader_strings_agree_with_cpython(built):
    out, _ = built
    module = load(out / "strs.wasm")

    @settings(max_examples=80, deadline=None)
    @given(TEXT, TEXT, st.integers(-40, 40))
    def check(s, t, k):
        assert outcome(module.greet, s) == outcome(greet, s)
        assert outcome(module.mix, s, t, k) == outcome(mix, s, t, k)
        assert outcome(module.facts, s, k) == outcome(facts, s, k)
        assert outcome(module.char, s, k) == outcome(char, s, k)
        assert outcome(module.caesar, s, k) == outcome(caesar, s, k)

    check()
    assert module.fizzbuzz(30) == fizzbuzz(30)


def test_python_loader_refuses_what_cpythons_encoder_refuses(built):
    out, _ = built
    module = load(out / "strs.wasm")
    with pytest.raises(UnicodeEncodeError):
        module.greet("a\udc80")
    with pytest.raises(TypeError, match="argument 'name' must be str, not int"):
        module.greet(5)
    assert outcome(module.char, "ab", 2) == ("raises", "IndexError", "string index out of range")


def test_module_heap_holds_nothing_after_many_calls(built):
    # PYEXEC_STRING_LEAK_CALLS=100000 for the long run; the suite runs fewer
    out, _ = built
    module = load(out / "strs.wasm")
    calls = int(os.environ.get("PYEXEC_STRING_LEAK_CALLS", "2000"))
    module.fizzbuzz(50)
    heap = module.memory_manager()
    before = heap.live_count(), heap.get_usage()[0]
    for k in range(calls):
        module.mix("héllo wörld", "ö", k % 9)
        module.caesar("hello 😀", k)
        try:
            module.char("é" * (k % 3), 2)  # IndexError two calls in three
        except IndexError:
            pass
    module.fizzbuzz(50)
    assert (heap.live_count(), heap.get_usage()[0]) == before


def test_a_fault_deep_in_recursion_and_a_trap_leave_the_heap_as_it_was(built):
    out, _ = built
    module = load(out / "strs.wasm")
    heap = module.memory_manager()
    before = heap.live_count(), heap.get_usage()[0]
    for _ in range(3):
        with pytest.raises(IndexError, match="string index out of range"):
            module.fault_deep("abc", 50)
        with pytest.raises(RecursionError):
            module.runaway("x", 0)  # a trap: the loader frees the call's blocks and the argument's
    assert (heap.live_count(), heap.get_usage()[0]) == before


def test_four_threads_share_one_module_and_each_get_their_text(built):
    out, _ = built
    module = load(out / "strs.wasm")
    failures = []

    def worker(k):
        for i in range(300):
            text = f"thread {k} é {i}"
            if module.caesar(text, k) != caesar(text, k):
                failures.append((k, i))

    threading.stack_size(256 * 1024)
    try:
        threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        threading.stack_size(0)
    assert failures == []


def test_dts_and_html_take_and_show_text(built):
    _, files = built
    dts = files["dts"].read_text()
    assert "greet(name: string): string;" in dts
    assert "facts(s: string, k: number | bigint): [number | bigint, number | bigint, boolean, boolean];" in dts
    page = files["html"].read_text()
    assert 'id="greet-name" value="" data-kind="str"' in page
    assert 'if (element.dataset.kind === "str") return element.value;' in page


@pytest.mark.skipif(NODE is None, reason="node is not installed (the JS glue is tested in Node)")
def test_node_passes_and_gets_strings(built):
    out, _ = built
    script = out / "run.mjs"
    script.write_text("""import { loadStrs } from "./strs.js";
const m = await loadStrs();
console.log(JSON.stringify([m.greet("wörld 😀"), m.mix("abc", "b", 1), m.caesar("hello, wörld", 3)]));
console.log(m.fizzbuzz(15).split("\\n").join("|"));
for (const f of [() => m.char("ab", 5), () => m.greet(5), () => m.greet("a\\uDC80")]) {
  try { f(); console.log("no error"); } catch (e) { console.log(e.name, e.message); }
}
const before = m.functions.greet && m.memory.buffer.byteLength;
for (let i = 0; i < 2000; i++) m.caesar("abc é", i);
console.log(m.memory.buffer.byteLength === before);
""")
    done = subprocess.run([NODE, str(script)], capture_output=True, text=True, timeout=60, cwd=out)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    import json

    assert json.loads(lines[0]) == [greet("wörld 😀"), mix("abc", "b", 1), caesar("hello, wörld", 3)]
    assert lines[1] == "|".join(fizzbuzz(15).split("\n"))
    assert lines[2] == "IndexError IndexError: string index out of range"
    assert lines[3] == "TypeError greet(): argument name must be a string, not number"
    assert lines[4].startswith("UnicodeEncodeError UnicodeEncodeError: greet(): argument name holds a lone")
    assert lines[5] == "true"


@pytest.mark.skipif(NODE is None, reason="node is not installed (the page's script is run in Node)")
def test_demo_page_takes_text_and_shows_text(built, page_harness):
    import json
    import re

    out, files = built
    page = files["html"].read_text()
    script = re.search(r'<script type="module">(.*)</script>', page, re.S).group(1)
    (out / "page.mjs").write_text(script)
    (out / "harness.mjs").write_text(page_harness)
    inputs = [["greet-name", " wörld 😀 ", {"kind": "str"}], ["char-s", "ab", {"kind": "str"}],
              ["char-i", "5", {"kind": "int"}]]
    done = subprocess.run([NODE, "harness.mjs", json.dumps(inputs), json.dumps(["greet", "char"])],
                          capture_output=True, text=True, timeout=60, cwd=out)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["ready", "Hello,  wörld 😀 ! ok", "IndexError: string index out of range error"]
