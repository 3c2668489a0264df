"""Feed mutated native-cache entries to the loader; every outcome must be a miss or the exact entry stored.

Run by ``test_cache_fuzz.py`` (a few hundred cases, in a child process so that a crash is a failed
test), or directly for a big run:

    python packages/llvm/tests/cache_fuzz.py 100000 --seed 1

It compiles two functions with ``aot`` into a fresh cache, then for each case writes a mutated entry
under ``add1``'s key (bit flips, truncation, extension, random bytes, a header or payload swapped
with ``add20``'s entry, a re-keyed header) and asserts that ``cache.load`` returns either None (a miss)
or exactly the payload that was stored. Every ``--full-every``-th case goes the whole way: a fresh
``aot(add1)`` with the mutated entry in place must return 21 (from a recompile or the true entry).
Prints one JSON line: the counts of cases, misses, exact hits and full calls.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path


def add1(x: int) -> int:
    return x + 1


def add20(x: int) -> int:
    return x + 20


def mutations(rng: random.Random, entry: bytes, other: bytes) -> tuple[str, bytes]:
    """One mutated entry and the name of the mutation."""
    head, _, payload = entry.partition(b"\n")
    other_head, _, other_payload = other.partition(b"\n")
    kind = rng.choice(["bitflip", "bitflip-payload", "bitflip-header", "truncate", "extend", "random",
                       "random-same-size", "swap-entry", "swap-payload", "swap-header", "rekey", "splice",
                       "zero-range"])
    data = bytearray(entry)
    if kind == "bitflip":
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == "bitflip-payload":
        i = len(head) + 1 + rng.randrange(len(payload))
        data[i] ^= 1 << rng.randrange(8)
    elif kind == "bitflip-header":
        i = rng.randrange(len(head))
        data[i] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        del data[rng.randrange(len(data)):]
    elif kind == "extend":
        data += rng.randbytes(rng.randint(1, 4096))
    elif kind == "random":
        data = bytearray(rng.randbytes(rng.randint(0, 2 * len(entry))))
    elif kind == "random-same-size":
        data = bytearray(rng.randbytes(len(entry)))
    elif kind == "swap-entry":
        data = bytearray(other)
    elif kind == "swap-payload":
        data = bytearray(head + b"\n" + other_payload)
    elif kind == "swap-header":
        data = bytearray(other_head + b"\n" + payload)
    elif kind == "rekey":  # the other entry's authentic header and payload, relabelled with this key
        other_key = other_head.split(b" ")[1]
        data = bytearray(other.replace(other_key, head.split(b" ")[1], 1))
    elif kind == "splice":
        cut = rng.randrange(min(len(entry), len(other)))
        data = bytearray(entry[:cut] + other[cut:])
    else:
        start = rng.randrange(len(data))
        end = min(len(data), start + rng.randint(1, 64))
        data[start:end] = bytes(end - start)
    return kind, bytes(data)


def run(count: int, seed: int, full_every: int) -> dict[str, object]:
    """Run ``count`` cases; raise AssertionError on the first wrong outcome."""
    from pyexec.backends.llvm import aot, cache

    directory = cache.cache_dir()
    assert aot(add1)(20) == 21
    (key,) = (p.stem for p in directory.glob("*.o"))
    assert aot(add20)(20) == 40
    entries = {p.stem: p.read_bytes() for p in directory.glob("*.o")}
    assert len(entries) == 2, entries.keys()
    entry = entries[key]
    other = next(v for k, v in entries.items() if k != key)
    stored = entry.partition(b"\n")[2]
    path = directory / f"{key}.o"
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for i in range(count):
        kind, mutated = mutations(rng, entry, other)
        kinds[kind] += 1
        path.write_bytes(mutated)
        loaded = cache.load(key)
        if loaded is None:
            outcomes["miss"] += 1
        elif loaded == stored:
            outcomes["exact"] += 1
            assert mutated == entry, f"case {i} ({kind}): a changed entry was accepted"
        else:
            raise AssertionError(f"case {i} ({kind}, seed {seed}): the loader returned bytes that were never stored")
        if full_every and i % full_every == 0:
            path.write_bytes(mutated)
            print(f"full case {i} ({kind})", file=sys.stderr, flush=True)  # names the case if the process dies
            f = aot(add1)
            assert f(20) == 21, f"case {i} ({kind}): wrong value"
            assert f.from_cache == (mutated == entry), f"case {i} ({kind}): a changed entry was loaded"
            outcomes["full"] += 1
    return {"cases": count, "seed": seed, "crashes": 0, **outcomes, "kinds": dict(sorted(kinds.items()))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=int(os.environ.get("PYEXEC_CACHE_FUZZ_COUNT", "300")))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full-every", type=int, default=25, help="every Nth case also compiles and calls add1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pyexec-cache-fuzz-") as tmp:
        os.environ["PYEXEC_CACHE_DIR"] = str(Path(tmp) / "cache")
        os.environ.pop("PYEXEC_NO_CACHE", None)
        print(json.dumps(run(args.count, args.seed, args.full_every)))


if __name__ == "__main__":
    main()
