"""
How long each part takes
========================

The durations the pages state, from a timed read-through: a learner who knew
Python and NumPy but not CNNs read every part, used the explorers, answered
the questions and did the exercises, beginner's mistakes first (issue 25 of
the course's tracker). The stated times are those minutes, added up here, so
that the landing page, each part and its core route agree with one another.
"""

# %%
# The read-through, in minutes
# ----------------------------
# Part 1 was timed activity by activity; parts 2 and 3 as a whole (part 2
# with exercise 4, part 3 with exercise 5), as a range where the learner gave
# one.
from convviz.figure_output import save_numbers

PART1 = {"reading": 25, "explorer and questions": 15, "exercises 1 and 2": 20, "exercise 3": 25}
PART2 = (60, 90)
PART3 = (60, 60)


def span(low, high):
    """'60–90' or '60' minutes."""
    return f"{low}–{high}" if low != high else f"{low}"


def hours(minutes):
    """Minutes as hours to the nearest half, written with ½."""
    halves = round(minutes / 30)
    whole, half = divmod(halves, 2)
    return f"{whole}½" if half else f"{whole}"


part1 = sum(PART1.values())
core = PART1["reading"] + PART1["explorer and questions"]
low, high = part1 + PART2[0] + PART3[0], part1 + PART2[1] + PART3[1]
for name, minutes in PART1.items():
    print(f"part 1, {name}: {minutes} min")
print(f"part 1: {part1} min (core, reading with the explorer and questions: {core} min)")
print(f"part 2: {span(*PART2)} min; part 3: {span(*PART3)} min")
print(f"the module: {low}–{high} min, about {hours(low)}–{hours(high)} hours")
save_numbers(
    {
        "part1_reading": str(PART1["reading"]),
        "part1_explorer": str(PART1["explorer and questions"]),
        "part1_exercises_1_2": str(PART1["exercises 1 and 2"]),
        "part1_exercise_3": str(PART1["exercise 3"]),
        "part1_minutes": str(part1),
        "core_minutes": str(core),
        "part2_minutes": span(*PART2),
        "part3_minutes": span(*PART3),
        "module_hours": f"{hours(low)}–{hours(high)}" if hours(low) != hours(high) else hours(low),
    },
    "duration_numbers.txt",
)
