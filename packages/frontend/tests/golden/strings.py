def greet(name: str) -> str:
    return "Hello, " + name + "!"


def facts(s: str, t: str, k: int) -> int:
    u = s * (k % 5) + t
    u += "é"
    n = len(u)
    if u and "ab" in u and u[0] == "a" and s < t <= u:
        n += ord(u[-1])
    for ch in u[1:-1:2]:
        if ch not in t:
            n += 1
    print(u, n)
    return n


def pick(s: str, first: bool) -> str:
    return s if first else chr(65) + s
