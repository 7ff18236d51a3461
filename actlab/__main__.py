"""Command line: ``python -m actlab doctor``, ``fetch-mnist`` and ``progress [--reset]``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Run the ``actlab`` command line.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit code: 0 on success, 1 when a required check fails or MNIST
        could not be fetched.
    """
    parser = argparse.ArgumentParser(prog="python -m actlab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("doctor", help="check that this machine is ready for the course")
    sub.add_parser("fetch-mnist",
                   help="download MNIST into Keras's cache (run once while online)")
    progress = sub.add_parser("progress", help="show the exercises solved so far")
    progress.add_argument("--reset", action="store_true",
                          help="forget every solved exercise (deletes the progress file)")
    args = parser.parse_args(argv)
    if args.command == "doctor":
        from actlab.diagnostics import doctor

        return 0 if doctor() else 1
    if args.command == "progress":
        from actlab import _progress

        if args.reset:
            print(f"Progress cleared ({_progress.reset()} removed).")
        else:
            print(_progress.progress())
        return 0
    from actlab.data import load_mnist, mnist_cache_path

    data = load_mnist(verbose=False, source="auto")  # whatever ACTLAB_MNIST_SOURCE says
    if data.source != "keras-mnist":
        print(f"Could not fetch MNIST: {data.description}", file=sys.stderr)
        return 1
    print(f"MNIST is cached at {mnist_cache_path()}; notebooks will use it offline.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
