"""Ask LLVM to unroll the innermost small loops of a wasm module 4-16 times (``llvm.loop.unroll.count``).

Why: wasmtime compiles a check of its epoch counter into every loop back-edge (the loader's Ctrl-C and
time limits need it), and Cranelift keeps the check's values in registers across the loop. On a tight
array loop that costs 1.3-1.5x (a 3-point stencil: 1.86x of native with the checks, 1.29x without).
Unrolled by 4, the loop takes a back-edge a quarter as often and the check all but disappears; the
smallest loops (a floating-point sum: a few instructions, where the check weighs most) are unrolled up to
16 times (array_sum in place, 22 instructions: 1.96x of native at 4, 1.63x at 8, 1.41x at 16). LLVM's
wasm32 target would unroll only loops under 30 instructions (and none that call a function), which
excludes every bounds-checked array loop; native x86-64 code does not need this.

The lowered module's text is annotated before optimisation: each innermost natural loop (a back-edge
``u -> h`` of a depth-first walk from the entry; its body, the blocks that reach ``u`` without passing
``h``) of at most :data:`MAX_INSTRUCTIONS` instructions gets loop metadata on its
back-edge branch. LLVM decides the rest (a remainder loop for trip counts not divisible by the count; loops it
cannot unroll stay as they are); the meaning of the code does not change.

Example:
    >>> text = '''define i64 @f(i64 %n) {
    ... entry:
    ...   br label %head
    ... head:
    ...   %i = phi i64 [0, %entry], [%j, %head]
    ...   %j = add i64 %i, 1
    ...   %c = icmp slt i64 %j, %n
    ...   br i1 %c, label %head, label %done
    ... done:
    ...   ret i64 %j
    ... }'''
    >>> out = with_unrolled_inner_loops(text)
    >>> "br i1 %c, label %head, label %done, !llvm.loop !1000" in out
    True
    >>> out.splitlines()[-2:]
    ['!1000 = distinct !{!1000, !1001}', '!1001 = !{!"llvm.loop.unroll.count", i32 16}']
"""

from __future__ import annotations

import re

UNROLL_COUNT = 4
"""The fewest iterations one pass through an unrolled loop does."""

MAX_UNROLL_COUNT = 16
"""The most: for the smallest loops (a reduction of a few instructions), where a back-edge's check costs most."""

UNROLLED_BODY = 512
"""A loop of ``n`` instructions is unrolled ``UNROLLED_BODY // n`` times (a power of two, within the two above)."""

MAX_INSTRUCTIONS = 120
"""Loops with more instructions than this (in the lowered IR) are left alone: code grows by the count."""

_LABEL = re.compile(r'^("(?:[^"\\]|\\.)*"|[-\w.$]+):')
_TARGET = re.compile(r'label %("(?:[^"\\]|\\.)*"|[-\w.$]+)')
_METADATA_ID = re.compile(r"^!(\d+) = ")


def unroll_count(instructions: int) -> int:
    """How many times to unroll an innermost loop of ``instructions`` instructions (lowered IR).

    Example:
        >>> unroll_count(22), unroll_count(40), unroll_count(120)
        (16, 8, 4)
    """
    count = UNROLL_COUNT
    while count < MAX_UNROLL_COUNT and 2 * count * max(instructions, 1) <= UNROLLED_BODY:
        count *= 2
    return count


_STRING_RUNTIME = re.compile(r'@"?(pyexec_str_|pyexec_fmt_|str\.|fmt\.|digits\.)')
"""The string runtime's routines (``pyexec.backends.llvm.string_methods``/``string_format``) are left alone:
their loops walk bytes and call functions, and unrolled they would double a module's size and build time."""


def with_unrolled_inner_loops(llvm_ir: str, count: int | None = None) -> str:
    """``llvm_ir`` with ``!llvm.loop`` unroll metadata on the back-edge of each small innermost loop, unrolled
    ``count`` times, or by :func:`unroll_count` of its size when ``count`` is None."""
    lines = llvm_ir.splitlines()
    used = [int(m.group(1)) for line in lines if (m := _METADATA_ID.match(line))]
    next_id = max([999, *used]) + 1
    marks: list[tuple[int, int]] = []  # the back-edge branches that get metadata, with their loop's size
    start = None
    for k, line in enumerate(lines):
        if line.startswith("define "):
            start = None if _STRING_RUNTIME.search(line) else k
        elif line.startswith("}") and start is not None:
            marks.extend(_inner_back_edges(lines, start + 1, k))
            start = None
    if not marks:
        return llvm_ir
    nodes = []
    for k, instructions in marks:
        loop, option = next_id, next_id + 1
        next_id += 2
        lines[k] += f", !llvm.loop !{loop}"
        times = unroll_count(instructions) if count is None else count
        nodes += [f"!{loop} = distinct !{{!{loop}, !{option}}}",
                  f'!{option} = !{{!"llvm.loop.unroll.count", i32 {times}}}']
    return "\n".join(lines + nodes) + "\n"


def _inner_back_edges(lines: list[str], first: int, end: int) -> list[tuple[int, int]]:
    """The back-edge branches of the small innermost loops in one function body: (line number, the loop's
    instructions)."""
    blocks: list[str] = []
    size: dict[str, int] = {}
    successors: dict[str, list[str]] = {}
    branch_line: dict[str, int] = {}
    current = "%entry"  # the unnamed first block, if the body does not name it
    for k in range(first, end):
        line = lines[k]
        label = _LABEL.match(line)
        if label:
            current = label.group(1).strip('"')  # llvmlite names a block bare and quotes its uses
            blocks.append(current)
            continue
        if not line.startswith("  "):
            continue
        if current not in size:
            if not blocks:
                blocks.append(current)
            size[current] = 0
        size[current] += 1
        stripped = line.strip()
        if stripped.startswith(("br ", "switch ", "indirectbr ")) or " = invoke " in stripped:
            successors[current] = [t.strip('"') for t in _TARGET.findall(stripped)]
            branch_line[current] = k
        if "!llvm.loop" in stripped:
            return []  # the lowering chose for these loops itself: leave the function alone
    predecessors: dict[str, list[str]] = {b: [] for b in blocks}
    for b, targets in successors.items():
        for t in targets:
            predecessors.setdefault(t, []).append(b)
    loops = []  # (header, latch, body)
    for latch, header in _back_edges(blocks, successors):
        body = {header, latch}
        work = [latch] if latch != header else []  # the search stops at the header
        while work:
            for p in predecessors.get(work.pop(), []):
                if p not in body:
                    body.add(p)
                    work.append(p)
        loops.append((header, latch, body))
    headers = {h for h, _, _ in loops}
    marked = []
    for header, latch, body in loops:
        inner = not (headers & body) - {header}
        latches = sum(1 for h, _, _ in loops if h == header)
        instructions = sum(size.get(b, 0) for b in body)
        if inner and latches == 1 and instructions <= MAX_INSTRUCTIONS:
            marked.append((branch_line[latch], instructions))
    return marked


def _back_edges(blocks: list[str], successors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """The edges ``(u, h)`` of a depth-first search from the entry that reach a block still on its path:
    in the reducible control flow the lowering emits, exactly the loops' back-edges."""
    if not blocks:
        return []
    edges = []
    on_path: set[str] = set()
    seen: set[str] = set()
    stack = [(blocks[0], iter(successors.get(blocks[0], [])))]
    seen.add(blocks[0])
    on_path.add(blocks[0])
    while stack:
        block, targets = stack[-1]
        for t in targets:
            if t in on_path:
                edges.append((block, t))
            elif t not in seen:
                seen.add(t)
                on_path.add(t)
                stack.append((t, iter(successors.get(t, []))))
                break
        else:
            stack.pop()
            on_path.discard(block)
    return edges


__all__ = ["MAX_INSTRUCTIONS", "MAX_UNROLL_COUNT", "UNROLLED_BODY", "UNROLL_COUNT", "unroll_count",
           "with_unrolled_inner_loops"]
