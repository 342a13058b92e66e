"""The fixture's learner download: it describes a square."""


def describe(side):
    return f"a square of side {side} has area {side * side}"
