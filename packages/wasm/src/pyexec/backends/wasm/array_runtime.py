"""The runtime of array storage inside a wasm32 module: ``pyexec.memory``'s block layout over the module's
own linear memory, with an allocator compiled into the module (LLVM IR), so compiled code never calls
out to allocate.

It defines the functions the shared lowering calls (``pyexec_rt_array_alloc``, ``incref``, ``decref``,
``free_all``, ``detach_all``, ``live_blocks``; see :mod:`pyexec.backends.llvm.array_runtime` for the native
twin) plus a few exports for hosts (:data:`HOST_EXPORTS`).

**The heap** runs from ``max(HEAP_START, __heap_base)`` (65536 in docs/memory.md; the linker's data ends
above it when the shadow stack is larger than 64 KiB) to the end of linear memory, and grows with
``memory.grow`` when a request does not fit; when memory cannot grow the allocation returns 0 and
compiled code raises MemoryError (nothing else changes). It is a sequence of chunks, each 16-byte
aligned::

    c + 0    i32  size of the chunk | 1 (in use) | 2 (a small chunk parked on its class's free list)
    c + 4    i32  size of the chunk before it (0 for the first): freeing merges with both neighbours
    c + 8    i32  next on a free list       (free chunks only)
    c + 12   i32  previous on a free list   (free large chunks only)
    c + 16   the block, laid out as the native runtime's: i32 next and pprev of the per-call list (at
             data - 32 and data - 24), int64 size (data - 16), int32 refcount (data - 8), uint8 tag 0x06
             (data - 4), uint8 flags (FLAG_LARGE, data - 3), uint16 size or 0xFFFF (data - 2)
    c + 48   the data

**Small blocks** (at most 2048 data bytes) take a chunk of ``48 + class`` bytes, the classes being
16, 32, …, 2048 as in docs/memory.md; a freed one is parked on its class's list (last freed, first
reused). **Large blocks** take the first free chunk that fits (split when the rest is worth a chunk);
freeing coalesces with free neighbours, and the free space at the end of the heap grows in place.

**The per-call list.** Blocks allocated by compiled code are linked into ``pyexec_rt_call_blocks``
(one call at a time per instance). A call that ends with an error frees them at its entry; a call that
traps leaves them there, and the host frees them (``pyexec_free_call_blocks``), or the next call's entry
does before it runs. A successful call unlinks what is left: the returned array's block, which then
belongs to the host, which copies it out and releases it with ``pyexec_decref``.

Example:
    >>> "define hidden ptr @pyexec_rt_array_alloc" in wasm_array_runtime_ir()
    True
"""

from __future__ import annotations

HEAP_START = 65536
"""Where the heap starts at the lowest (docs/memory.md); above the linker's data when that ends higher."""
CALL_BLOCKS_GLOBAL = "pyexec_rt_call_blocks"
"""The head of the list of blocks allocated during the current call (a module global on wasm)."""
HOST_EXPORTS = {
    "pyexec_alloc": "pyexec_alloc",
    "pyexec_decref": "pyexec_decref",
    "pyexec_free_call_blocks": "pyexec_free_call_blocks",
    "pyexec_live_blocks": "pyexec_live_blocks",
    "pyexec_heap_used": "pyexec_heap_used",
    "pyexec_heap_start": "pyexec_heap_start",
}
"""Functions a host calls: ``pyexec_alloc(nbytes: i32) -> i32`` (a block of tag 0x06, refcount 1, on no
call's list; 0 when memory cannot grow), ``pyexec_decref(data: i32)`` (releases a reference; the last one
frees the block), ``pyexec_free_call_blocks()`` (after a trap), ``pyexec_live_blocks() -> i32`` and
``pyexec_heap_used() -> i32`` (bytes of chunks in use, headers included), ``pyexec_heap_start() -> i32``
(where the heap begins). ``pyexec.wasm_memory.ModuleMemoryManager`` manages the heap through them."""

_ALLOCATOR = r"""
@__heap_base = external global i8
@pyexec.rt.live = internal global i32 0
@pyexec.rt.used = internal global i32 0
@pyexec.rt.start = internal global i32 0
@pyexec.rt.end = internal global i32 0
@pyexec.rt.top = internal global i32 0
@pyexec.rt.free = internal global i32 0
@pyexec.rt.small = internal global [8 x i32] zeroinitializer
@pyexec_rt_call_blocks = hidden global ptr null

declare i32 @llvm.wasm.memory.size.i32(i32)
declare i32 @llvm.wasm.memory.grow.i32(i32, i32)

define internal i32 @rt.ld(i32 %a) alwaysinline {
  %p = inttoptr i32 %a to ptr
  %v = load i32, ptr %p, align 4
  ret i32 %v
}

define internal void @rt.st(i32 %a, i32 %v) alwaysinline {
  %p = inttoptr i32 %a to ptr
  store i32 %v, ptr %p, align 4
  ret void
}

define internal void @rt.init() {
entry:
  %end = load i32, ptr @pyexec.rt.end
  %ready = icmp ne i32 %end, 0
  br i1 %ready, label %done, label %setup
setup:
  %hb = ptrtoint ptr @__heap_base to i32
  %hb15 = add i32 %hb, 15
  %hba = and i32 %hb15, -16
  %low = icmp ult i32 %hba, HEAP_START
  %start = select i1 %low, i32 HEAP_START, i32 %hba
  store i32 %start, ptr @pyexec.rt.start
  store i32 %start, ptr @pyexec.rt.end
  br label %done
done:
  ret void
}

define internal void @rt.unlink_free(i32 %c) {
entry:
  %c8 = add i32 %c, 8
  %c12 = add i32 %c, 12
  %n = call i32 @rt.ld(i32 %c8)
  %p = call i32 @rt.ld(i32 %c12)
  %hasp = icmp ne i32 %p, 0
  br i1 %hasp, label %fixp, label %head
fixp:
  %p8 = add i32 %p, 8
  call void @rt.st(i32 %p8, i32 %n)
  br label %nextfix
head:
  store i32 %n, ptr @pyexec.rt.free
  br label %nextfix
nextfix:
  %hasn = icmp ne i32 %n, 0
  br i1 %hasn, label %fixn, label %done
fixn:
  %n12 = add i32 %n, 12
  call void @rt.st(i32 %n12, i32 %p)
  br label %done
done:
  ret void
}

define internal void @rt.push_free(i32 %c) {
entry:
  %h = load i32, ptr @pyexec.rt.free
  %c8 = add i32 %c, 8
  %c12 = add i32 %c, 12
  call void @rt.st(i32 %c8, i32 %h)
  call void @rt.st(i32 %c12, i32 0)
  %hash = icmp ne i32 %h, 0
  br i1 %hash, label %fix, label %done
fix:
  %h12 = add i32 %h, 12
  call void @rt.st(i32 %h12, i32 %c)
  br label %done
done:
  store i32 %c, ptr @pyexec.rt.free
  ret void
}

; Make the free space at the end of the heap at least %need bytes (memory.grow as needed).
define internal i1 @rt.grow(i32 %need) {
entry:
  %end = load i32, ptr @pyexec.rt.end
  %top = load i32, ptr @pyexec.rt.top
  %hastop = icmp ne i32 %top, 0
  br i1 %hastop, label %looktop, label %sized
looktop:
  %toph = call i32 @rt.ld(i32 %top)
  %topflags = and i32 %toph, 3
  %topfree = icmp eq i32 %topflags, 0
  %topsize = and i32 %toph, -16
  %topfreesize = select i1 %topfree, i32 %topsize, i32 0
  br label %sized
sized:
  %have = phi i32 [0, %entry], [%topfreesize, %looktop]
  %isfree = phi i1 [false, %entry], [%topfree, %looktop]
  %prevsize = phi i32 [0, %entry], [%topsize, %looktop]
  %missing = sub i32 %need, %have
  %end64 = zext i32 %end to i64
  %missing64 = zext i32 %missing to i64
  %target = add i64 %end64, %missing64
  %pages0 = call i32 @llvm.wasm.memory.size.i32(i32 0)
  %pages064 = zext i32 %pages0 to i64
  %mem0 = mul i64 %pages064, 65536
  %short = icmp ugt i64 %target, %mem0
  br i1 %short, label %more, label %extend
more:
  %gap = sub i64 %target, %mem0
  %gap1 = add i64 %gap, 65535
  %addpages64 = udiv i64 %gap1, 65536
  %toomany = icmp ugt i64 %addpages64, 65536
  br i1 %toomany, label %fail, label %tryg
tryg:
  %addpages = trunc i64 %addpages64 to i32
  %r = call i32 @llvm.wasm.memory.grow.i32(i32 0, i32 %addpages)
  %failed = icmp eq i32 %r, -1
  br i1 %failed, label %fail, label %extend
extend:
  %pages1 = call i32 @llvm.wasm.memory.size.i32(i32 0)
  %pages164 = zext i32 %pages1 to i64
  %mem1 = mul i64 %pages164, 65536
  ; wasm32 addresses stop short of 4 GiB: keep the heap's end representable
  %cap = icmp ugt i64 %mem1, 4294967280
  %mem1c = select i1 %cap, i64 4294967280, i64 %mem1
  %fits = icmp ule i64 %target, %mem1c
  br i1 %fits, label %grown, label %fail
grown:
  %newend = trunc i64 %mem1c to i32
  %ext = sub i32 %newend, %end
  store i32 %newend, ptr @pyexec.rt.end
  br i1 %isfree, label %intop, label %newchunk
intop:
  call void @rt.unlink_free(i32 %top)
  %bigger = add i32 %have, %ext
  call void @rt.st(i32 %top, i32 %bigger)
  call void @rt.push_free(i32 %top)
  ret i1 true
newchunk:
  call void @rt.st(i32 %end, i32 %ext)
  %end4 = add i32 %end, 4
  call void @rt.st(i32 %end4, i32 %prevsize)
  call void @rt.push_free(i32 %end)
  store i32 %end, ptr @pyexec.rt.top
  ret i1 true
fail:
  ret i1 false
}

; A chunk of at least %total bytes (a multiple of 16), marked in use; 0 when memory cannot grow.
define internal i32 @rt.take(i32 %total) {
entry:
  br label %scan0
scan0:
  %first = load i32, ptr @pyexec.rt.free
  br label %scan
scan:
  %c = phi i32 [%first, %scan0], [%next, %small]
  %none = icmp eq i32 %c, 0
  br i1 %none, label %grow, label %look
look:
  %h = call i32 @rt.ld(i32 %c)
  %sz = and i32 %h, -16
  %fits = icmp uge i32 %sz, %total
  br i1 %fits, label %found, label %small
small:
  %c8 = add i32 %c, 8
  %next = call i32 @rt.ld(i32 %c8)
  br label %scan
grow:
  ; before growing: parked small chunks go back to the large region (and merge), as slabs do in pyexec.memory
  %unparked = call i1 @rt.unpark_all()
  br i1 %unparked, label %scan0, label %grow2
grow2:
  %ok = call i1 @rt.grow(i32 %total)
  br i1 %ok, label %scan0, label %fail
fail:
  ret i32 0
found:
  call void @rt.unlink_free(i32 %c)
  %rest = sub i32 %sz, %total
  %split = icmp uge i32 %rest, 64
  br i1 %split, label %dosplit, label %whole
dosplit:
  %r = add i32 %c, %total
  call void @rt.st(i32 %r, i32 %rest)
  %r4 = add i32 %r, 4
  call void @rt.st(i32 %r4, i32 %total)
  call void @rt.push_free(i32 %r)
  %nx = add i32 %r, %rest
  %end = load i32, ptr @pyexec.rt.end
  %last = icmp eq i32 %nx, %end
  br i1 %last, label %newtop, label %fixnext
newtop:
  store i32 %r, ptr @pyexec.rt.top
  br label %marksplit
fixnext:
  %nx4 = add i32 %nx, 4
  call void @rt.st(i32 %nx4, i32 %rest)
  br label %marksplit
marksplit:
  %used1 = or i32 %total, 1
  call void @rt.st(i32 %c, i32 %used1)
  ret i32 %c
whole:
  %used2 = or i32 %sz, 1
  call void @rt.st(i32 %c, i32 %used2)
  ret i32 %c
}

; Give a large chunk back: merge with free neighbours, then onto the free list.
define internal void @rt.give(i32 %c) {
entry:
  %h = call i32 @rt.ld(i32 %c)
  %sz = and i32 %h, -16
  %end = load i32, ptr @pyexec.rt.end
  %start = load i32, ptr @pyexec.rt.start
  %nx = add i32 %c, %sz
  %hasnx = icmp ne i32 %nx, %end
  br i1 %hasnx, label %looknx, label %prev
looknx:
  %nh = call i32 @rt.ld(i32 %nx)
  %nflags = and i32 %nh, 3
  %nfree = icmp eq i32 %nflags, 0
  br i1 %nfree, label %mergenx, label %prev
mergenx:
  call void @rt.unlink_free(i32 %nx)
  %nsz = and i32 %nh, -16
  %sz1 = add i32 %sz, %nsz
  %top0 = load i32, ptr @pyexec.rt.top
  %nxtop = icmp eq i32 %nx, %top0
  br i1 %nxtop, label %settop1, label %prev
settop1:
  store i32 %c, ptr @pyexec.rt.top
  br label %prev
prev:
  %size2 = phi i32 [%sz, %entry], [%sz, %looknx], [%sz1, %mergenx], [%sz1, %settop1]
  %hasprev = icmp ne i32 %c, %start
  br i1 %hasprev, label %lookprev, label %place
lookprev:
  %c4 = add i32 %c, 4
  %ps = call i32 @rt.ld(i32 %c4)
  %p = sub i32 %c, %ps
  %ph = call i32 @rt.ld(i32 %p)
  %pflags = and i32 %ph, 3
  %pfree = icmp eq i32 %pflags, 0
  br i1 %pfree, label %mergep, label %place
mergep:
  call void @rt.unlink_free(i32 %p)
  %size3 = add i32 %size2, %ps
  %top1 = load i32, ptr @pyexec.rt.top
  %ctop = icmp eq i32 %c, %top1
  br i1 %ctop, label %settop2, label %place
settop2:
  store i32 %p, ptr @pyexec.rt.top
  br label %place
place:
  %at = phi i32 [%c, %prev], [%c, %lookprev], [%p, %mergep], [%p, %settop2]
  %size = phi i32 [%size2, %prev], [%size2, %lookprev], [%size3, %mergep], [%size3, %settop2]
  call void @rt.st(i32 %at, i32 %size)
  %after = add i32 %at, %size
  %hasafter = icmp ne i32 %after, %end
  br i1 %hasafter, label %fixafter, label %push
fixafter:
  %after4 = add i32 %after, 4
  call void @rt.st(i32 %after4, i32 %size)
  br label %push
push:
  call void @rt.push_free(i32 %at)
  ret void
}

; Give every parked small chunk back to the large region; whether there was any.
define internal i1 @rt.unpark_all() {
entry:
  br label %class
class:
  %k = phi i32 [0, %entry], [%k1, %nextclass]
  %any = phi i1 [false, %entry], [%any1, %nextclass]
  %slot = getelementptr [8 x i32], ptr @pyexec.rt.small, i32 0, i32 %k
  %first = load i32, ptr %slot
  store i32 0, ptr %slot
  br label %walk
walk:
  %c = phi i32 [%first, %class], [%n, %body]
  %any1 = phi i1 [%any, %class], [true, %body]
  %end = icmp eq i32 %c, 0
  br i1 %end, label %nextclass, label %body
body:
  %c8 = add i32 %c, 8
  %n = call i32 @rt.ld(i32 %c8)
  call void @rt.give(i32 %c)
  br label %walk
nextclass:
  %k1 = add i32 %k, 1
  %more = icmp ult i32 %k1, 8
  br i1 %more, label %class, label %done
done:
  ret i1 %any1
}

; The size class of a small block (16 << k >= nbytes).
define internal i32 @rt.class(i32 %nbytes) {
entry:
  br label %loop
loop:
  %k = phi i32 [0, %entry], [%k1, %next]
  %cls = shl i32 16, %k
  %enough = icmp uge i32 %cls, %nbytes
  br i1 %enough, label %done, label %next
next:
  %k1 = add i32 %k, 1
  br label %loop
done:
  ret i32 %k
}

; A chunk for a block of %nbytes data bytes, marked in use and counted; 0 when it cannot be had.
define internal i32 @rt.alloc_chunk(i64 %nbytes) {
entry:
  call void @rt.init()
  %large = icmp ugt i64 %nbytes, SMALL_LIMIT
  br i1 %large, label %big, label %smallb
big:
  %toobig = icmp ugt i64 %nbytes, 2147483520
  br i1 %toobig, label %fail, label %bigtake
bigtake:
  %n32 = trunc i64 %nbytes to i32
  %t1 = add i32 %n32, 63
  %total = and i32 %t1, -16
  %cb = call i32 @rt.take(i32 %total)
  br label %got
smallb:
  %ns = trunc i64 %nbytes to i32
  %k = call i32 @rt.class(i32 %ns)
  %slot = getelementptr [8 x i32], ptr @pyexec.rt.small, i32 0, i32 %k
  %parked = load i32, ptr %slot
  %reuse = icmp ne i32 %parked, 0
  br i1 %reuse, label %unpark, label %carve
unpark:
  %p8 = add i32 %parked, 8
  %pn = call i32 @rt.ld(i32 %p8)
  store i32 %pn, ptr %slot
  %ph = call i32 @rt.ld(i32 %parked)
  %phs = and i32 %ph, -16
  %phu = or i32 %phs, 1
  call void @rt.st(i32 %parked, i32 %phu)
  br label %got
carve:
  %cls = shl i32 16, %k
  %stotal = add i32 %cls, 48
  %cs = call i32 @rt.take(i32 %stotal)
  br label %got
got:
  %c = phi i32 [%cb, %bigtake], [%parked, %unpark], [%cs, %carve]
  %none = icmp eq i32 %c, 0
  br i1 %none, label %fail, label %count
count:
  %hc = call i32 @rt.ld(i32 %c)
  %csz = and i32 %hc, -16
  %u = load i32, ptr @pyexec.rt.used
  %u1 = add i32 %u, %csz
  store i32 %u1, ptr @pyexec.rt.used
  %l = load i32, ptr @pyexec.rt.live
  %l1 = add i32 %l, 1
  store i32 %l1, ptr @pyexec.rt.live
  ret i32 %c
fail:
  ret i32 0
}

; Free the block whose data is at %data (whatever its refcount): park a small chunk, give a large one back.
define internal void @rt.release(ptr %data) {
entry:
  %d = ptrtoint ptr %data to i32
  %c = sub i32 %d, 48
  %hc = call i32 @rt.ld(i32 %c)
  %csz = and i32 %hc, -16
  %u = load i32, ptr @pyexec.rt.used
  %u1 = sub i32 %u, %csz
  store i32 %u1, ptr @pyexec.rt.used
  %l = load i32, ptr @pyexec.rt.live
  %l1 = sub i32 %l, 1
  store i32 %l1, ptr @pyexec.rt.live
  %flags.at = getelementptr i8, ptr %data, i32 -3
  %flags = load i8, ptr %flags.at
  %isl = and i8 %flags, 1
  %large = icmp ne i8 %isl, 0
  br i1 %large, label %give, label %park
give:
  call void @rt.give(i32 %c)
  ret void
park:
  %s.at = getelementptr i8, ptr %data, i32 -2
  %s16 = load i16, ptr %s.at
  %s = zext i16 %s16 to i32
  %k = call i32 @rt.class(i32 %s)
  %slot = getelementptr [8 x i32], ptr @pyexec.rt.small, i32 0, i32 %k
  %h = load i32, ptr %slot
  %c8 = add i32 %c, 8
  call void @rt.st(i32 %c8, i32 %h)
  %parked = or i32 %hc, 2
  call void @rt.st(i32 %c, i32 %parked)
  store i32 %c, ptr %slot
  %tag.at = getelementptr i8, ptr %data, i32 -4
  store i8 -2, ptr %tag.at
  ret void
}

define hidden ptr @pyexec_rt_array_alloc(ptr %head, i64 %nbytes) {
entry:
  %c = call i32 @rt.alloc_chunk(i64 %nbytes)
  %failed = icmp eq i32 %c, 0
  br i1 %failed, label %none, label %ok
none:
  ret ptr null
ok:
  %b = add i32 %c, 16
  %base = inttoptr i32 %b to ptr
  %pprev.at = getelementptr i8, ptr %base, i32 8
  %nohead = icmp eq ptr %head, null
  br i1 %nohead, label %alone, label %link
alone:
  store ptr null, ptr %base
  store ptr null, ptr %pprev.at
  br label %linked
link:
  %next = load ptr, ptr %head
  store ptr %next, ptr %base
  store ptr %head, ptr %pprev.at
  %has.next = icmp ne ptr %next, null
  br i1 %has.next, label %relink, label %linkhead
relink:
  %next.pprev = getelementptr i8, ptr %next, i32 8
  store ptr %base, ptr %next.pprev
  br label %linkhead
linkhead:
  store ptr %base, ptr %head
  br label %linked
linked:
  %size.at = getelementptr i8, ptr %base, i32 16
  store i64 %nbytes, ptr %size.at
  %rc.at = getelementptr i8, ptr %base, i32 24
  store i32 1, ptr %rc.at
  %tag.at = getelementptr i8, ptr %base, i32 28
  store i8 TAG, ptr %tag.at
  %large = icmp ugt i64 %nbytes, SMALL_LIMIT
  %flags = select i1 %large, i8 1, i8 0
  %flags.at = getelementptr i8, ptr %base, i32 29
  store i8 %flags, ptr %flags.at
  %small = trunc i64 %nbytes to i16
  %size16 = select i1 %large, i16 -1, i16 %small
  %size16.at = getelementptr i8, ptr %base, i32 30
  store i16 %size16, ptr %size16.at
  %data = getelementptr i8, ptr %base, i32 32
  ret ptr %data
}

define hidden void @pyexec_rt_incref(ptr %data) {
entry:
  %rc.at = getelementptr i8, ptr %data, i32 -8
  %rc = load i32, ptr %rc.at
  %immortal = icmp slt i32 %rc, 0
  br i1 %immortal, label %done, label %count
count:
  %rc1 = add i32 %rc, 1
  store i32 %rc1, ptr %rc.at
  br label %done
done:
  ret void
}

define hidden void @pyexec_rt_decref(ptr %data) {
entry:
  %rc.at = getelementptr i8, ptr %data, i32 -8
  %rc = load i32, ptr %rc.at
  %immortal = icmp slt i32 %rc, 0
  br i1 %immortal, label %done, label %count
count:
  %rc1 = sub i32 %rc, 1
  store i32 %rc1, ptr %rc.at
  %dead = icmp eq i32 %rc1, 0
  br i1 %dead, label %free, label %done
free:
  %base = getelementptr i8, ptr %data, i32 -32
  call void @pyexec.rt.unlink(ptr %base)
  call void @rt.release(ptr %data)
  br label %done
done:
  ret void
}

define hidden void @pyexec_rt_free_all(ptr %head) {
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
  %data = getelementptr i8, ptr %at, i32 32
  call void @rt.release(ptr %data)
  br label %loop
done:
  ret void
}

; pyexec.rt.unlink and pyexec_rt_detach_all: pyexec.backends.llvm.array_runtime.block_list_ir (appended)

define hidden i64 @pyexec_rt_live_blocks() {
  %n = load i32, ptr @pyexec.rt.live
  %n64 = zext i32 %n to i64
  ret i64 %n64
}

define i32 @pyexec_alloc(i32 %nbytes) {
  %n64 = zext i32 %nbytes to i64
  %data = call ptr @pyexec_rt_array_alloc(ptr null, i64 %n64)
  %d = ptrtoint ptr %data to i32
  ret i32 %d
}

define void @pyexec_decref(i32 %d) {
  %data = inttoptr i32 %d to ptr
  call void @pyexec_rt_decref(ptr %data)
  ret void
}

define void @pyexec_free_call_blocks() {
  call void @pyexec_rt_free_all(ptr @pyexec_rt_call_blocks)
  ret void
}

define i32 @pyexec_live_blocks() {
  %n = load i32, ptr @pyexec.rt.live
  ret i32 %n
}

define i32 @pyexec_heap_used() {
  %n = load i32, ptr @pyexec.rt.used
  ret i32 %n
}

define i32 @pyexec_heap_start() {
  call void @rt.init()
  %s = load i32, ptr @pyexec.rt.start
  ret i32 %s
}
"""


def wasm_array_runtime_ir() -> str:
    """The wasm32 runtime's LLVM IR (linked into every module whose functions take, make or return arrays)."""
    from pyexec.backends.llvm.array_runtime import SMALL_LIMIT, TAG_ARRAY_STORAGE, block_list_ir

    return (_ALLOCATOR.replace("HEAP_START", str(HEAP_START)).replace("SMALL_LIMIT", str(SMALL_LIMIT))
            .replace("TAG", str(TAG_ARRAY_STORAGE))) + block_list_ir("i32", "hidden")


__all__ = ["CALL_BLOCKS_GLOBAL", "HEAP_START", "HOST_EXPORTS", "wasm_array_runtime_ir"]
