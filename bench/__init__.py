"""actlab's benchmarks: ``make bench`` runs ``bench/run.py``.

Each ``bench/bench_<topic>.py`` module is a plugin exposing ``run() -> list[dict]``
(see ``bench/runner.py`` for the row format). The runner executes every plugin in a
subprocess of its own, so one plugin that fails or hangs is reported as an
error row and the others still run.
"""
