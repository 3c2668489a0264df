import typing

from pyexec import float32, int8


def pair(a: int, b: float) -> tuple[int, float]:
    return (a, b * 2)


def swap(t: typing.Tuple[int, float32]) -> tuple[float32, int]:  # noqa: UP006 (typing.Tuple is supported too)
    x, y = t
    return y, x


def use(t: "tuple[int8, float]") -> float:
    a, b = pair(t[0], t[-1])
    q = divmod(a, 3)
    return b + q[1] + len(t)


def same(x: int, y: float) -> bool:
    t = (x, y)
    return t == (1, 2.5) and not (t != t)


def loops(n: int) -> int:
    s = 0
    for i, x in enumerate(range(n), 1):
        s += i * x
    for x, y, z in zip(range(n), range(10, 0, -2), range(3)):
        s += x - y + z
    else:
        s += 1
    return s


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a <= b else (b, a)


def rotate(t: tuple[int, float], n: int) -> tuple[float, int]:
    u, k = t, n + 1
    return u[1], u[0] + k
