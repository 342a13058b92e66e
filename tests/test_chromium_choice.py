"""Which Chromium the browser tests launch (tests/chromium.py): the one named by CHROMIUM_PATH,
else Chromium's headless shell, else a full browser on PATH."""

import os
import stat

import chromium
import pytest


def executable(folder, name):
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def machine(tmp_path, monkeypatch):
    """An empty PATH and no headless shell; the test adds what the machine has."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setattr(chromium, "HEADLESS_SHELL", str(tmp_path / "no-such-shell"))
    return bin_dir


def test_the_headless_shell_is_preferred_to_a_full_browser(machine, tmp_path, monkeypatch):
    full = executable(machine, "chromium")
    assert chromium.find_chromium() == full
    shell = executable(tmp_path, "chromium-headless-shell")
    monkeypatch.setattr(chromium, "HEADLESS_SHELL", shell)
    assert chromium.find_chromium() == shell


def test_the_headless_shell_on_path_is_found_when_its_binary_is_elsewhere(machine):
    shell = executable(machine, "chromium-headless-shell")
    executable(machine, "google-chrome")
    assert chromium.find_chromium() == shell


def test_chromium_path_wins_over_everything(machine, tmp_path, monkeypatch):
    executable(machine, "chromium-headless-shell")
    chosen = executable(tmp_path, "my-chrome")
    monkeypatch.setenv("CHROMIUM_PATH", chosen)
    assert chromium.find_chromium() == chosen


def test_a_path_that_cannot_run_is_passed_over(machine, tmp_path, monkeypatch):
    not_runnable = tmp_path / "chromium-headless-shell"
    not_runnable.write_text("")
    monkeypatch.setattr(chromium, "HEADLESS_SHELL", str(not_runnable))
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "missing"))
    full = executable(machine, "chromium")
    assert chromium.find_chromium() == full
    assert os.access(full, os.X_OK)
