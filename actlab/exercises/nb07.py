"""Exercises for 07_comparing_on_mnist."""

from __future__ import annotations

import inspect
from typing import Any

from actlab.exercises import ExerciseSet, Incorrect, Question

REQUIRED = ("relu", "tanh", "sigmoid")
MIN_BEST_ACCURACY = 0.8
DIGITS_SHAPES = {(28, 28), (784,), (8, 8), (64,)}


# --- q1: a comparison on another dataset (a common tutorial's exercise, adapted) ------
def _spirals_data() -> Any:
    from actlab import data

    x, y = data.make_spirals(1000, seed=0)
    return (x[:800], y[:800]), (x[800:], y[800:])


def _spirals_build(activation: Any) -> Any:
    import keras

    from actlab.models import mlp

    model = mlp(2, [64, 64], activation, output_units=2, output_activation=None)  # logits
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def _comparison_reference() -> Any:
    from actlab.comparison import compare_activations

    return compare_activations(
        _spirals_build,
        list(REQUIRED),
        _spirals_data(),
        epochs=15,
        batch_size=64,
        seed=0,
        progress=False,
    )


def _check_comparison(answer: Any) -> str:
    from actlab.comparison import Comparison, ComparisonTable

    if isinstance(answer, ComparisonTable):
        raise Incorrect(
            "That is the table. Pass the Comparison itself (what "
            "compare_activations returned), not comparison.table()."
        )
    if not isinstance(answer, Comparison):
        raise Incorrect(
            "Pass the Comparison returned by actlab.compare_activations(...). "
            f"Received: {type(answer).__name__}."
        )
    from actlab import catalog

    labels = set()
    for run in answer:
        name = run.activation if isinstance(run.activation, str) else run.label
        try:
            labels.add(catalog.canonical_name(name))
        except ValueError:
            labels.add(run.label)
    missing = [n for n in REQUIRED if n not in labels]
    if missing:
        raise Incorrect(
            f"Your comparison has no run for {', '.join(missing)}. Compare at "
            f"least {', '.join(REQUIRED)} (it has: {', '.join(answer.labels)})."
        )
    if answer.input_shape in DIGITS_SHAPES:
        raise Incorrect(
            f"That comparison ran on digit images (input shape "
            f"{answer.input_shape}), the dataset of this notebook. The exercise "
            "asks for another dataset, e.g. actlab.data.make_spirals(1000)."
        )
    best = max(run.test_accuracy for run in answer)
    if best < MIN_BEST_ACCURACY:
        raise Incorrect(
            f"The best test accuracy is only {best:.2f}: no model has learned the "
            f"task yet (aim for >= {MIN_BEST_ACCURACY}). Train longer (more "
            "epochs), use a larger learning rate, or a wider model."
        )
    ranking = sorted(answer, key=lambda r: r.test_accuracy, reverse=True)
    summary = ", ".join(f"{r.label} {r.test_accuracy:.2f}" for r in ranking)
    return f"Test accuracy on input shape {answer.input_shape}: {summary}."


def _fake(labels: list[str], shape: tuple[int, ...], accuracy: float) -> Any:
    from actlab.comparison import Comparison, Run

    runs = [
        Run(
            label=lab,
            activation=lab,
            history={"accuracy": [accuracy]},
            test_accuracy=accuracy,
            test_loss=1.0,
            train_time_s=1.0,
        )
        for lab in labels
    ]
    return Comparison(
        runs, epochs=1, batch_size=32, seed=0, n_train=800, n_test=200, input_shape=shape
    )


# --- q2: reading a learning curve ----------------------------------------------
_CURVES: list[tuple[list[float], float, int | None]] = [
    ([0.50, 0.85, 0.92, 0.95], 0.90, 3),
    ([0.91, 0.93, 0.95], 0.90, 1),
    ([0.40, 0.60, 0.70], 0.90, None),
    ([0.70, 0.90, 0.95], 0.90, 2),  # exactly the target counts as reached
    ([0.70, 0.95, 0.85, 0.96], 0.90, 2),  # the first time, not the last
    ([], 0.5, None),
]


def _epochs_to_reach_reference() -> Any:
    def epochs_to_reach(values: list[float], target: float) -> int | None:
        return next((i + 1 for i, v in enumerate(values) if v >= target), None)

    return epochs_to_reach


def _check_epochs_to_reach(answer: Any) -> str:
    if not callable(answer):
        raise Incorrect(
            "Give the function itself (answer_q2 = epochs_to_reach), "
            f"not its result. Received: {answer!r}."
        )
    try:
        inspect.signature(answer).bind([0.5], 0.9)
    except TypeError:
        raise Incorrect("epochs_to_reach must take two arguments: (values, target).") from None
    for values, target, expected in _CURVES:
        try:
            got = answer(list(values), target)
        except Exception as exc:  # noqa: BLE001 - report the learner's error as feedback
            raise Incorrect(
                f"epochs_to_reach({values}, {target}) raised {type(exc).__name__}: {exc}"
            ) from None
        if got == expected and (got is None) == (expected is None):
            continue
        call = f"epochs_to_reach({values}, {target})"
        if expected is None:
            raise Incorrect(
                f"{call} returned {got!r}; the curve never reaches {target}, so return None."
            )
        if got == expected - 1:
            raise Incorrect(
                f"{call} returned {got!r}, expected {expected}. Epochs count from "
                "1 (value i of the list is epoch i + 1)."
            )
        if expected == 2 and values[1] == target and got != expected:
            raise Incorrect(
                f"{call} returned {got!r}, expected {expected}: a value equal to "
                "the target has reached it (use >=, not >)."
            )
        if isinstance(got, int) and got > expected:
            raise Incorrect(
                f"{call} returned {got!r}, expected {expected}: return the FIRST "
                "epoch at or above the target."
            )
        raise Incorrect(f"{call} returned {got!r}, expected {expected}.")
    return "Use it on comparison.histories to see how many epochs each activation needs."


def _zero_based() -> Any:
    def f(values: list[float], target: float) -> int | None:
        return next((i for i, v in enumerate(values) if v >= target), None)

    return f


def _strict_greater() -> Any:
    def f(values: list[float], target: float) -> int | None:
        return next((i + 1 for i, v in enumerate(values) if v > target), None)

    return f


def _minus_one_when_never() -> Any:
    def f(values: list[float], target: float) -> int | None:
        return next((i + 1 for i, v in enumerate(values) if v >= target), -1)

    return f


def _last_time() -> Any:
    def f(values: list[float], target: float) -> int | None:
        hits = [i + 1 for i, v in enumerate(values) if v >= target]
        return hits[-1] if hits else None

    return f


_Q1_SOLUTION = """\
x, y = actlab.data.make_spirals(1000, seed=SEED)  # the notebook's one seed
spirals = ((x[:800], y[:800]), (x[800:], y[800:]))


def build_spiral_model(activation):
    m = mlp(2, [64, 64], activation, output_units=2, output_activation=None)  # logits
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss=LOSS, metrics=["accuracy"])
    return m


answer_q1 = actlab.compare_activations(
    build_spiral_model, ["relu", "tanh", "sigmoid"], spirals, epochs=15, batch_size=64, seed=SEED
)
print(answer_q1.table())
"""

EXERCISES = ExerciseSet(
    "07",
    "Comparing activations on MNIST",
    [
        Question(
            qid="q1",
            prompt=(
                "A common tutorial asks for this comparison on 'a dataset of your choice (e.g. "
                "CIFAR-10)'; CIFAR-10 cannot be downloaded here, so compare "
                "relu, tanh and sigmoid with actlab.compare_activations on another dataset, "
                "the two spirals of actlab.data.make_spirals(1000), and pass the Comparison. "
                f"Train until the best model reaches >= {MIN_BEST_ACCURACY} test accuracy."
            ),
            checker=_check_comparison,
            hint_text=(
                "Split x, y = actlab.data.make_spirals(1000, seed=SEED) into "
                "((x[:800], y[:800]), (x[800:], y[800:])). Build with "
                "mlp(2, [64, 64], activation, output_units=2, output_activation=None) "
                "and compile it with Adam(0.01) and loss=LOSS inside build_model; 15 epochs "
                "are enough."
            ),
            solution_text=(
                "Any 2-D dataset works. On the spirals the three activations can end far apart "
                "after the same 15 epochs; the confirmation lists each one's test accuracy, "
                "best first."
            ),
            solution_code=_Q1_SOLUTION,
            reference=_comparison_reference,
            wrong_answers=[
                (lambda: _fake(["relu", "tanh"], (2,), 0.95), "no run for sigmoid"),
                (lambda: _fake(["relu", "tanh", "sigmoid"], (28, 28), 0.95), "digit images"),
                (lambda: _fake(["relu", "tanh", "sigmoid"], (2,), 0.6), "no model has learned"),
                (
                    lambda: _fake(["relu", "tanh", "sigmoid"], (2,), 0.95).table(),
                    "That is the table",
                ),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "A common tutorial says ReLU 'typically trains faster'. One way to measure it: "
                "write epochs_to_reach(values, target) that returns the first epoch (counting "
                "from 1) at which a learning curve `values` is >= target, or None if it never is. "
                "Pass the function."
            ),
            checker=_check_epochs_to_reach,
            hint_text=(
                "enumerate(values) gives (i, v) with i from 0; the epoch is i + 1. "
                "next(generator, None) returns the first item or None."
            ),
            solution_text=(
                "Scan the curve once and stop at the first value >= target. Then "
                "{k: epochs_to_reach(h['val_accuracy'], 0.9) for k, h in "
                "comparison.histories.items()} measures 'trains faster' in epochs."
            ),
            solution_code=(
                "def epochs_to_reach(values, target):\n"
                "    return next((i + 1 for i, v in enumerate(values) if v >= target), None)\n"
                "\n"
                "\n"
                'print({k: epochs_to_reach(h["val_accuracy"], 0.9) '
                "for k, h in comparison.histories.items()})\n"
                "answer_q2 = epochs_to_reach\n"
            ),
            reference=_epochs_to_reach_reference,
            wrong_answers=[
                (_zero_based, "count from 1"),
                (_strict_greater, "use >="),
                (_minus_one_when_never, "return None"),
                (_last_time, "FIRST"),
                (lambda: 3, "the function itself"),
            ],
        ),
    ],
)
