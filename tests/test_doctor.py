import subprocess
import sys

from actlab import diagnostics as doctor_module
from actlab.diagnostics import Check, doctor, run_checks


def test_doctor_passes_in_the_test_environment(capsys):
    """In the project's venv every required check passes, one line per check."""
    assert doctor() is True
    out = capsys.readouterr().out
    for name in ("Python", "keras", "tensorflow", "widgets front-end", "MNIST"):
        assert name in out
    assert "All set" in out


def test_failures_come_with_a_fix(monkeypatch, capsys):
    """A missing package fails the verdict and prints how to fix it."""
    real = doctor_module._dist_version

    def fake(*names):
        return None if "ipywidgets" in names else real(*names)

    monkeypatch.setattr(doctor_module, "_dist_version", fake)
    assert doctor() is False
    out = capsys.readouterr().out
    assert "[FAIL] ipywidgets" in out and "make setup" in out


def test_old_versions_are_flagged(monkeypatch):
    """A too-old Keras is reported with the minimum and an upgrade command."""
    real = doctor_module._dist_version
    monkeypatch.setattr(doctor_module, "_dist_version",
                        lambda *n: "2.15.0" if "keras" in n else real(*n))
    check = next(c for c in run_checks() if c.name == "keras")
    assert check.ok is False and ">= 3.14" in check.detail and "pip install -U" in check.fix


def test_wrong_backend_is_flagged(monkeypatch):
    """KERAS_BACKEND=jax is reported: the course runs on TensorFlow."""
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    check = next(c for c in run_checks() if c.name == "Keras backend")
    assert isinstance(check, Check) and check.ok is False and "tensorflow" in check.fix


def test_command_line_doctor_exit_code():
    """`python -m actlab doctor` exits 0 when ready."""
    proc = subprocess.run([sys.executable, "-m", "actlab", "doctor"], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "All set" in proc.stdout


def test_fetch_mnist_offline_fails_clearly(tmp_path):
    """Offline, `python -m actlab fetch-mnist` says it could not fetch and exits 1."""
    import os

    env = {**os.environ, "KERAS_HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "actlab", "fetch-mnist"], capture_output=True,
                          text=True, timeout=300, env=env)
    assert proc.returncode == 1 and "Could not fetch MNIST" in proc.stderr
    assert "Traceback" not in proc.stderr
