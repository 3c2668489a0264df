# ruff: noqa  (golden input: data for the frontend, not project code)
def show(x: int) -> None:
    print("x is", x)
    if x < 0:
        return
    print(x * 2)
