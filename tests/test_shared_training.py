"""One training of each network for a build's processes (coursesite.shared_training).

The saved training is compared with what convviz.tiny_cnn.train returned, array by array and bit
for bit; the waiting, the priority, the failures and the stop are tried with a stand-in training
(tests/support/held_training.py) that a test holds, releases or fails at will.
"""

import ast
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from support import held_training

from convviz import tiny_cnn
from coursesite import figure_build, outputs, shared_training

HELD = "held_training:trained_network"
SUPPORT = Path(__file__).parent / "support"
FROZEN = {"frozen": ("W1", "b1")}
SCRIPTS = Path(__file__).parents[1] / "scripts"


@pytest.fixture(autouse=True)
def clean_state(tmp_path, monkeypatch):
    """Every test starts and ends with no shared training and a process of its own training."""
    shared_training.stop()
    tiny_cnn._trained.cache_clear()
    monkeypatch.setenv("HELD_TRAINING_DIR", str(tmp_path))
    yield
    shared_training.stop()
    tiny_cnn._trained.cache_clear()


def wait_for(path, what):
    deadline = time.monotonic() + 60
    while not path.exists():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def start_held(tmp_path):
    """Start the training processes with the held stand-in; return their folder once they run."""
    folder = Path(shared_training.start(train=HELD, root=SUPPORT))
    for changes in shared_training.trainings()[: shared_training.PROCESSES]:  # the first of each process
        wait_for(tmp_path / f"started {held_training.name_of(changes)}", "a training process did not start")
    return folder


def assert_same_training(found, expected):
    (params, initial, history, data), (want_params, want_initial, want_history, want_data) = found, expected
    for got, want in ((params, want_params), (initial, want_initial)):
        assert list(got) == list(want)
        for name in want:
            assert got[name].dtype == want[name].dtype and np.array_equal(got[name], want[name]), name
    assert history == want_history
    assert all(type(history[key]) is type(want_history[key]) for key in want_history)
    assert len(data) == len(want_data)
    for got, want in zip(data, want_data):
        assert got.dtype == want.dtype and np.array_equal(got, want)


def in_thread(function):
    """Run function in a thread; return (thread, list that receives its result)."""
    results = []
    thread = threading.Thread(target=lambda: results.append(function()), daemon=True)
    thread.start()
    return thread, results


def train_here(monkeypatch):
    """Have this process's own trainings return the stand-in's results at once."""
    monkeypatch.setattr(tiny_cnn, "train", lambda data, **changes: held_training.result(**changes))


def test_the_saved_training_is_what_train_returned_bit_for_bit(tmp_path):
    trained = tiny_cnn.train(epochs=1)
    shared_training.save(tmp_path / "training.npz", trained)
    assert_same_training(shared_training.load(tmp_path / "training.npz"), trained)
    assert [path.name for path in tmp_path.iterdir()] == ["training.npz"]  # no partial file left


def test_a_process_waits_for_the_training_then_loads_it(tmp_path):
    folder = start_held(tmp_path)
    asking, found = in_thread(tiny_cnn.trained_network)  # this process, as the build's own asks
    asking.join(0.3)
    assert asking.is_alive() and not found, "trained_network() did not wait for the training"
    (tmp_path / "release").touch()
    asking.join(30)
    assert_same_training(found[0], held_training.result())
    # A worker process attaches to the folder the build handed it, and gets copies of the same.
    tiny_cnn._trained.cache_clear()
    shared_training.attach(str(folder))
    assert_same_training(tiny_cnn.trained_network(), held_training.result())
    assert tiny_cnn.trained_network()[0]["W1"] is not tiny_cnn.trained_network()[0]["W1"]
    assert_same_training(tiny_cnn.trained_network(**FROZEN), held_training.result(**FROZEN))


def test_the_default_network_and_the_first_variant_train_at_the_same_time(tmp_path):
    start_held(tmp_path)  # the variant's training started while the default one is still held
    (tmp_path / f"release {held_training.name_of(FROZEN)}").touch()
    asking, found = in_thread(lambda: tiny_cnn.trained_network(**FROZEN))
    asking.join(30)
    assert_same_training(found[0], held_training.result(**FROZEN))
    waiting, _ = in_thread(tiny_cnn.trained_network)
    waiting.join(0.3)
    assert waiting.is_alive(), "the default network was not held any more"
    (tmp_path / "release").touch()
    waiting.join(30)


def test_a_training_the_build_does_not_share_is_made_here_without_waiting(tmp_path, monkeypatch):
    start_held(tmp_path)
    train_here(monkeypatch)
    asking, found = in_thread(lambda: tiny_cnn.trained_network(epochs=1))
    asking.join(10)
    assert not asking.is_alive(), "trained_network(epochs=1) waited for the shared trainings"
    assert_same_training(found[0], held_training.result(epochs=1))


def test_the_training_processes_run_at_the_lowest_priority(tmp_path):
    start_held(tmp_path)
    processes, _ = shared_training._running
    assert len(processes) == shared_training.PROCESSES
    assert [os.getpriority(os.PRIO_PROCESS, process.pid) for process in processes] == [19] * len(processes)


def test_a_failed_training_leaves_each_process_to_train_itself(tmp_path, monkeypatch):
    folder = start_held(tmp_path)
    (tmp_path / "fail").touch()
    (tmp_path / "release").touch()
    for changes in shared_training.trainings():
        assert shared_training.load_when_ready(folder, changes) is None
    train_here(monkeypatch)
    assert_same_training(tiny_cnn.trained_network(), held_training.result())  # trained here, no error
    assert_same_training(tiny_cnn.trained_network(**FROZEN), held_training.result(**FROZEN))


def test_stop_ends_unfinished_trainings_and_removes_their_folder(tmp_path):
    folder = start_held(tmp_path)
    processes, _ = shared_training._running
    stopper, _ = in_thread(shared_training.stop)
    stopper.join(10)
    assert not stopper.is_alive(), "stop waited for the training"
    assert all(process.poll() is not None for process in processes) and not folder.exists()
    assert tiny_cnn._training_source is None
    # A worker that asks after the build ended trains for itself.
    assert shared_training.load_when_ready(folder, {}) is None


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"data": None}, "data"),
        ({"on_step": print}, "on_step"),
        ({"epoch": 1}, "epoch"),
        (FROZEN | {"seed": []}, "seed"),
    ],
)
def test_trained_network_names_an_argument_it_cannot_take(changes, named):
    with pytest.raises(ValueError, match=named):
        tiny_cnn.trained_network(**changes)


def asked_trainings(path):
    """The keyword arguments of each trained_network(...) call in a script, in the order of its text;
    their values are evaluated with the names convviz.tiny_cnn defines and the script's own top-level
    names set from those without a call (``other_seed = SEED + 1``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = dict(vars(tiny_cnn))
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or not all(
            isinstance(t, ast.Name) for t in statement.targets
        ):
            continue
        if not any(isinstance(node, ast.Call) for node in ast.walk(statement.value)):  # no training here
            try:
                value = eval(compile(ast.Expression(statement.value), str(path), "eval"), names)
            except Exception:  # noqa: BLE001 (a value that needs more than those names: not a setting)
                continue
            names.update((target.id, value) for target in statement.targets)
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and "trained_network" in (getattr(node.func, "id", None), getattr(node.func, "attr", None))
    ]
    calls.sort(key=lambda node: (node.lineno, node.col_offset))
    return [
        {
            keyword.arg: eval(compile(ast.Expression(keyword.value), str(path), "eval"), names)
            for keyword in call.keywords
        }
        for call in calls
    ]


def test_the_build_shares_the_trainings_the_figure_scripts_ask_for_in_their_order():
    """Each training the scripts ask for is shared, first asked first, and none is made for nothing;
    a module of the package or of the build that asks for one asks for a shared one."""
    asked = []
    for path in sorted(SCRIPTS.glob("*/plot_*.py")):  # the order the gallery runs them in
        asked += [changes for changes in asked_trainings(path) if changes not in asked]
    assert asked == list(shared_training.trainings())
    for package in ("convviz", "coursesite"):
        for path in sorted((SCRIPTS.parent / package).glob("*.py")):
            assert all(changes in asked for changes in asked_trainings(path)), path


def test_the_build_shares_the_training_among_the_scripts_that_import_the_network(tmp_path):
    (tmp_path / "convviz").mkdir()
    for name in ("__init__", "tiny_cnn", "helper", "other"):
        (tmp_path / "convviz" / f"{name}.py").write_text("")
    (tmp_path / "convviz" / "helper.py").write_text("from convviz.tiny_cnn import trained_network\n")
    scripts = {
        "part1/plot_01_direct.py": "from convviz.tiny_cnn import trained_network\n",
        "part1/plot_02_through_a_helper.py": "import convviz.helper\n",
        "part2/plot_01_without.py": "from convviz import other\n",
        "part2/plot_02_as_module.py": "from convviz import tiny_cnn\n",
    }
    for script, text in scripts.items():
        (tmp_path / "scripts" / script).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "scripts" / script).write_text(text)
    project = outputs.Project(tmp_path, tmp_path / "scripts", tmp_path / "generated", ())
    assert figure_build.training_scripts(project, list(scripts)) == [
        "part1/plot_01_direct.py",
        "part1/plot_02_through_a_helper.py",
        "part2/plot_02_as_module.py",
    ]
