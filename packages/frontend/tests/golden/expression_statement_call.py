# ruff: noqa  (golden input: data for the frontend, not project code)
def log_value(x: int) -> None:
    print(x)

def run(n: int) -> int:
    for i in range(n):
        log_value(i)
    return n
