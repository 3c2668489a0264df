"""The native runtime of array storage: blocks of ``pyexec.memory``'s layout on ``malloc``, as LLVM IR.

One text serves both native targets: the in-process runtime (:mod:`pyexec.backends.llvm.host_runtime`
adds it to the machine code it builds once per process) and every ``compile_llvm`` library (appended to
the module with hidden visibility). The lowering only declares the functions.

A block for ``n`` element bytes is ``malloc(32 + n)``::

    base + 0    ptr   next     \\ the per-call list of blocks (below); private to this runtime
    base + 8    ptr   pprev    /  (pprev: the address of the pointer that points at this block)
    base + 16   int64 size     the large-block size field (data - 16), docs/memory.md
    base + 24   int32 refcount (data - 8)
    base + 28   uint8 tag      0x06, array storage (data - 4)
    base + 29   uint8 flags    FLAG_LARGE when the size field at data - 2 is 0xFFFF (data - 3)
    base + 30   uint16 size    the size of a small block (at most 2048 bytes), else 0xFFFF (data - 2)
    base + 32   the elements (data; 16-byte aligned, as malloc's result is)

**The per-call list.** Every block allocated during a call of compiled code is linked into a list whose
head is in the call's state. ``decref`` to zero unlinks and frees a block. When the call ends with a
fault, the entry frees every block still on the list (``pyexec_rt_free_all``: no frame released its
references on the way out); when it succeeds, what is left (the returned array, whose reference goes
to the caller) is unlinked (``pyexec_rt_detach_all``), normally one block.

Example:
    >>> "define ptr @pyexec_rt_array_alloc" in array_runtime_ir()
    True
"""

from __future__ import annotations

TAG_ARRAY_STORAGE = 0x06
"""The type tag of an array's element storage (docs/memory.md)."""
SMALL_LIMIT = 2048
FUNCTIONS = {
    "pyexec_rt_array_alloc": ("ptr", ("ptr", "i64")),
    "pyexec_rt_incref": ("void", ("ptr",)),
    "pyexec_rt_decref": ("void", ("ptr",)),
    "pyexec_rt_free_all": ("void", ("ptr",)),
    "pyexec_rt_detach_all": ("void", ("ptr",)),
    "pyexec_rt_live_blocks": ("i64", ()),
}
"""The runtime's functions: LLVM return type and parameter types."""


def array_runtime_ir(visibility: str = "") -> str:
    """The runtime's LLVM IR; ``visibility`` (``"hidden"``) goes on every definition."""
    v = f"{visibility} " if visibility else ""
    return f"""
@pyexec.rt.live = internal global i64 0
declare ptr @malloc(i64)
declare void @free(ptr)

define {v}ptr @pyexec_rt_array_alloc(ptr %head, i64 %nbytes) {{
entry:
  %total = add i64 %nbytes, 32
  %base = call ptr @malloc(i64 %total)
  %failed = icmp eq ptr %base, null
  br i1 %failed, label %none, label %ok
none:
  ret ptr null
ok:
  %next = load ptr, ptr %head
  store ptr %next, ptr %base
  %pprev.at = getelementptr i8, ptr %base, i64 8
  store ptr %head, ptr %pprev.at
  %has.next = icmp ne ptr %next, null
  br i1 %has.next, label %relink, label %linked
relink:
  %next.pprev = getelementptr i8, ptr %next, i64 8
  store ptr %base, ptr %next.pprev
  br label %linked
linked:
  store ptr %base, ptr %head
  %size.at = getelementptr i8, ptr %base, i64 16
  store i64 %nbytes, ptr %size.at
  %rc.at = getelementptr i8, ptr %base, i64 24
  store i32 1, ptr %rc.at
  %tag.at = getelementptr i8, ptr %base, i64 28
  store i8 {TAG_ARRAY_STORAGE}, ptr %tag.at
  %large = icmp ugt i64 %nbytes, {SMALL_LIMIT}
  %flags = select i1 %large, i8 1, i8 0
  %flags.at = getelementptr i8, ptr %base, i64 29
  store i8 %flags, ptr %flags.at
  %small = trunc i64 %nbytes to i16
  %size16 = select i1 %large, i16 -1, i16 %small
  %size16.at = getelementptr i8, ptr %base, i64 30
  store i16 %size16, ptr %size16.at
  atomicrmw add ptr @pyexec.rt.live, i64 1 monotonic
  %data = getelementptr i8, ptr %base, i64 32
  ret ptr %data
}}

define {v}void @pyexec_rt_incref(ptr %data) {{
entry:
  %rc.at = getelementptr i8, ptr %data, i64 -8
  %rc = load i32, ptr %rc.at
  %immortal = icmp slt i32 %rc, 0
  br i1 %immortal, label %done, label %count
count:
  %rc1 = add i32 %rc, 1
  store i32 %rc1, ptr %rc.at
  br label %done
done:
  ret void
}}

define {v}void @pyexec_rt_decref(ptr %data) {{
entry:
  %rc.at = getelementptr i8, ptr %data, i64 -8
  %rc = load i32, ptr %rc.at
  %immortal = icmp slt i32 %rc, 0
  br i1 %immortal, label %done, label %count
count:
  %rc1 = sub i32 %rc, 1
  store i32 %rc1, ptr %rc.at
  %dead = icmp eq i32 %rc1, 0
  br i1 %dead, label %free, label %done
free:
  %base = getelementptr i8, ptr %data, i64 -32
  call void @pyexec.rt.unlink(ptr %base)
  call void @free(ptr %base)
  atomicrmw sub ptr @pyexec.rt.live, i64 1 monotonic
  br label %done
done:
  ret void
}}

define {v}void @pyexec_rt_free_all(ptr %head) {{
entry:
  %first = load ptr, ptr %head
  store ptr null, ptr %head
  br label %loop
loop:
  %at = phi ptr [%first, %entry], [%next, %body]
  %end = icmp eq ptr %at, null
  br i1 %end, label %done, label %body
body:
  %next = load ptr, ptr %at
  call void @free(ptr %at)
  atomicrmw sub ptr @pyexec.rt.live, i64 1 monotonic
  br label %loop
done:
  ret void
}}

define {v}i64 @pyexec_rt_live_blocks() {{
  %n = load atomic i64, ptr @pyexec.rt.live monotonic, align 8
  ret i64 %n
}}
""" + block_list_ir("i64", visibility)


def block_list_ir(offset: str = "i64", visibility: str = "") -> str:
    """The per-call block list's IR, shared by this runtime and the wasm32 one (``offset`` is the
    target's pointer-offset type, ``i64`` or ``i32``): ``pyexec.rt.unlink`` takes a block off the list,
    ``pyexec_rt_detach_all`` empties the list and keeps its blocks. A block begins with the list links:
    ``next`` at ``base + 0``, ``pprev`` (the address of the pointer that points at it) at ``base + 8``.

    Example:
        >>> text = block_list_ir("i32", "hidden")
        >>> "i32 8" in text and "define hidden void @pyexec_rt_detach_all" in text
        True
    """
    v = f"{visibility} " if visibility else ""
    return f"""
define internal void @pyexec.rt.unlink(ptr %base) {{
entry:
  %next = load ptr, ptr %base
  %pprev.at = getelementptr i8, ptr %base, {offset} 8
  %pprev = load ptr, ptr %pprev.at
  %has.pprev = icmp ne ptr %pprev, null
  br i1 %has.pprev, label %fix.prev, label %check.next
fix.prev:
  store ptr %next, ptr %pprev
  br label %check.next
check.next:
  %has.next = icmp ne ptr %next, null
  br i1 %has.next, label %fix.next, label %done
fix.next:
  %next.pprev = getelementptr i8, ptr %next, {offset} 8
  store ptr %pprev, ptr %next.pprev
  br label %done
done:
  ret void
}}

define {v}void @pyexec_rt_detach_all(ptr %head) {{
entry:
  %first = load ptr, ptr %head
  store ptr null, ptr %head
  br label %loop
loop:
  %at = phi ptr [%first, %entry], [%next, %body]
  %end = icmp eq ptr %at, null
  br i1 %end, label %done, label %body
body:
  %next = load ptr, ptr %at
  store ptr null, ptr %at
  %pprev.at = getelementptr i8, ptr %at, {offset} 8
  store ptr null, ptr %pprev.at
  br label %loop
done:
  ret void
}}
"""


__all__ = ["FUNCTIONS", "TAG_ARRAY_STORAGE", "array_runtime_ir", "block_list_ir"]
