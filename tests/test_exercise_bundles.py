"""The exercise downloads: one zip per exercise, a shared self_check.py, and what happens without it."""

import io
import threading
import time
import zipfile

import numpy as np
import pytest
from conftest import DOWNLOADS, FIGURES, run_script

from convviz.downloads import load_download

BUNDLES = {
    "exercise3": {"cnn_starter.py": DOWNLOADS, "self_check.py": DOWNLOADS},
    "exercise4": {
        "tiny_cnn_starter.py": DOWNLOADS,
        "self_check.py": DOWNLOADS,
        "tiny_cnn_weights.npz": FIGURES,
    },
    "exercise5": {
        "occlusion_starter.py": DOWNLOADS,
        "occlusion_maps.py": DOWNLOADS,
        "tiny_cnn_solution.py": DOWNLOADS,
        "self_check.py": DOWNLOADS,
        "tiny_cnn_weights.npz": FIGURES,
    },
}
STARTERS = {
    "exercise3": "cnn_starter.py",
    "exercise4": "tiny_cnn_starter.py",
    "exercise5": "occlusion_starter.py",
}


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_bundle_holds_the_current_files_in_one_folder(site, name):
    with zipfile.ZipFile(site / "downloads" / f"{name}.zip") as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    assert sorted(members) == sorted(f"{name}/{file}" for file in BUNDLES[name])
    for file, folder in BUNDLES[name].items():
        assert members[f"{name}/{file}"] == (folder / file).read_bytes(), file


@pytest.mark.parametrize("name", sorted(BUNDLES))
def test_unpacked_bundle_runs_from_another_folder(site, tmp_path, name):
    zipfile.ZipFile(io.BytesIO((site / "downloads" / f"{name}.zip").read_bytes())).extractall(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_script(tmp_path / name / STARTERS[name], "--check", cwd=elsewhere)
    assert result.returncode == 1
    assert result.stdout.startswith("- TODO 1 is still open: "), result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("starter", sorted(STARTERS.values()))
@pytest.mark.parametrize("option", [(), ("--check",)])
def test_starter_without_self_check_says_so_in_one_line(tmp_path, starter, option):
    (tmp_path / starter).write_bytes((DOWNLOADS / starter).read_bytes())
    result = run_script(tmp_path / starter, *option, cwd=tmp_path)
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"{starter}: self_check.py is missing: put it in the folder of this file"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [starter]


SOLUTIONS = {
    "exercise3": ("cnn_solution.py", ["my_filter_output.png", "filter_transition.gif"]),
    "exercise4": ("tiny_cnn_solution.py", []),
    "exercise5": ("occlusion_solution.py", ["occlusion_maps.png"]),
}


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_solution_saved_in_the_unpacked_bundle_runs_from_another_folder(site, tmp_path, name):
    """The solutions take the shared helpers from the bundle's files instead of carrying copies."""
    zipfile.ZipFile(io.BytesIO((site / "downloads" / f"{name}.zip").read_bytes())).extractall(tmp_path)
    solution, outputs = SOLUTIONS[name]
    (tmp_path / name / solution).write_bytes((DOWNLOADS / solution).read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args = ("--digits", "0") if name == "exercise5" else ()
    result = run_script(tmp_path / name / solution, *args, cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == sorted(outputs)


@pytest.mark.parametrize("name", sorted(SOLUTIONS))
def test_solution_without_self_check_says_where_to_save_it_in_one_line(tmp_path, name):
    solution, _ = SOLUTIONS[name]
    (tmp_path / solution).write_bytes((DOWNLOADS / solution).read_bytes())
    result = run_script(tmp_path / solution, cwd=tmp_path)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"{solution}: self_check.py is missing: put this file in the folder of {name}.zip (it holds "
        "self_check.py)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [solution]


@pytest.mark.parametrize("script", ["occlusion_starter.py", "occlusion_solution.py"])
@pytest.mark.parametrize("gone", ["occlusion_maps.py", "tiny_cnn_solution.py"])
def test_exercise_5_without_one_of_its_files_names_it_in_one_line(site, tmp_path, script, gone):
    zipfile.ZipFile(io.BytesIO((site / "downloads" / "exercise5.zip").read_bytes())).extractall(tmp_path)
    folder = tmp_path / "exercise5"
    (folder / script).write_bytes((DOWNLOADS / script).read_bytes())
    (folder / gone).unlink()
    result = run_script(folder / script, cwd=folder)
    assert result.returncode != 0 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"{script}: {gone} is missing: unzip exercise5.zip again and keep this file in its folder"
    ]


def probe_case():
    image = np.arange(12.0).reshape(3, 4)
    return {"args": (image,), "names": ("image",), "kwargs": {}, "text": "a 3×4 image"}


def test_a_function_that_never_returns_is_reported_and_the_check_goes_on(monkeypatch):
    check = load_download("self_check")
    monkeypatch.setattr(check, "TIME_LIMIT_S", 0.5)
    stop = threading.Event()

    def stuck(image):
        while not stop.is_set():
            pass

    def doubled(image):
        return image * 2

    try:
        answer = lambda case, mistakes: case["args"][0] * 2  # noqa: E731
        problems = check.check_function("stuck", stuck, [probe_case()], answer, [])
        assert problems == [
            "stuck did not return within 0.5 s on a 3×4 image, where the right code takes a few "
            "milliseconds: it may be caught in a loop that never ends"
        ]
        # The stuck call still spins in its thread; the next function is checked all the same.
        assert check.check_function("doubled", doubled, [probe_case()], answer, []) == []
    finally:
        stop.set()


def test_a_slow_function_within_the_limit_is_judged_on_its_numbers(monkeypatch):
    check = load_download("self_check")
    monkeypatch.setattr(check, "TIME_LIMIT_S", 5)

    def slow_but_wrong(image):
        time.sleep(0.2)
        return image * 3

    answer = lambda case, mistakes: case["args"][0] * 2  # noqa: E731
    (problem,) = check.check_function("slow_but_wrong", slow_but_wrong, [probe_case()], answer, [])
    assert problem.startswith("slow_but_wrong returns the right shape (3, 4) for a 3×4 image, but 11 of 12")


def test_errors_raised_inside_the_time_limit_keep_the_learners_line(tmp_path):
    """The call runs in a thread; the message still points at the learner's own line."""
    source = "def broken(image):\n    return image[:, :2] + image\n"
    path = tmp_path / "learner.py"
    path.write_text(source)
    namespace = {}
    exec(compile(source, str(path), "exec"), namespace)
    check = load_download("self_check")
    answer = lambda case, mistakes: case["args"][0] * 2  # noqa: E731
    (problem,) = check.check_function("broken", namespace["broken"], [probe_case()], answer, [])
    assert problem.startswith("broken fails on a 3×4 image at line 2 (`return image[:, :2] + image`): ")
    assert problem.endswith("(ValueError)")
