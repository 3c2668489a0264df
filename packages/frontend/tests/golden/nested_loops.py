# ruff: noqa  (golden input: data for the frontend, not project code)
def pairs(n: int) -> int:
    count = 0
    for i in range(n):
        for j in range(i):
            if (i + j) % 3 == 0:
                continue
            if j > 10:
                break
            count += 1
    return count
