# ruff: noqa: UP031, UP021 - %-formatting and universal_newlines on purpose: old Pythons run this
"""Checks `make setup` runs around `pip install` (and tests/test_packaging.py imports).

``python etc/setup_check.py python`` (before the venv is created, with the Python
that will build it): exit 1 with a message naming the Python versions that work
when this interpreter has no final TensorFlow wheel in actlab's range, and
which of them are installed here. Without it, pip would fall back silently to a
TensorFlow release candidate (on 3.14: tensorflow-cpu 2.22.0rc0).

``python etc/setup_check.py installed`` (with the venv's Python, after the
install): exit 1 unless exactly one TensorFlow distribution is installed and it
is a final release.

Kept runnable by old interpreters (no f-strings), so that the message, not a
SyntaxError, is what a learner with an old python3 sees.
"""

import re
import subprocess
import sys

# Python versions with final TensorFlow wheels in actlab's range (tensorflow>=2.16.1,<3):
# TensorFlow 2.16 to 2.21 publish wheels for 3.9 to 3.13; actlab needs 3.11+.
# Tested: 3.11 (both ends of the range). Update when TensorFlow adds a version.
SUPPORTED = ("3.11", "3.12", "3.13")
TESTED = ("3.11",)
TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-intel",
                            "tensorflow-macos")


def python_problem(version, found=()):
    """The message for an interpreter of ``version`` ("3.14"), or "" when it is supported.

    Args:
        version: "major.minor" of the interpreter.
        found: Other interpreters installed here, as (command, "major.minor") pairs.
    """
    if version in SUPPORTED:
        return ""
    lines = [
        "setup: this Python is %s; the course needs Python %s (the versions with final "
        "TensorFlow wheels; %s is tested)." % (version, ", ".join(SUPPORTED),
                                               " and ".join(TESTED)),
    ]
    usable = [cmd for cmd, v in found if v in SUPPORTED]
    if usable:
        lines.append("Installed here: %s. Run: make setup PYTHON=%s" % (
            ", ".join(usable), usable[0]))
    else:
        lines.append("Install Python %s (python.org, your package manager or pyenv), "
                     "then run: make setup PYTHON=python%s" % (TESTED[0], TESTED[0]))
    return "\n".join(lines)


def _version_of(command):
    try:
        out = subprocess.run(
            [command, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=30,
            universal_newlines=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def installed_problem(versions):
    """The message for the TensorFlow distributions installed, or "" when fine.

    Args:
        versions: {distribution name: version} of the TensorFlow distributions found.
    """
    if not versions:
        return ("setup: no TensorFlow was installed. Install one: "
                "pip install 'tensorflow>=2.16.1,<3' (or 'actlab[cpu]').")
    if len(versions) > 1:
        return ("setup: %d TensorFlow distributions are installed (%s); they write the same "
                "files. Keep one: pip uninstall %s" % (
                    len(versions), ", ".join("%s %s" % kv for kv in sorted(versions.items())),
                    " ".join(sorted(versions)[1:])))
    (name, version), = versions.items()
    if re.search(r"(a|b|rc|dev)[0-9]*$", version):
        return ("setup: pip installed %s %s, a pre-release: this Python has no final "
                "TensorFlow wheel. Use Python %s (make clean; make setup PYTHON=python%s)."
                % (name, version, ", ".join(SUPPORTED), TESTED[0]))
    return ""


def _installed_versions():
    import importlib.metadata as md

    found = {}
    for name in TENSORFLOW_DISTRIBUTIONS:
        try:
            found[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return found


def main(argv):
    """Run the check named by ``argv[0]`` ("python" or "installed"); return the exit code."""
    if argv[:1] == ["python"]:
        here = "%d.%d" % sys.version_info[:2]
        found = [(cmd, _version_of(cmd)) for cmd in ["python" + v for v in SUPPORTED]]
        problem = python_problem(here, [(c, v) for c, v in found if v])
    elif argv[:1] == ["installed"]:
        problem = installed_problem(_installed_versions())
    else:
        problem = "usage: python etc/setup_check.py python|installed"
    if problem:
        sys.stderr.write(problem + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
