"""Exercises for 08_dying_relu.

q1 checks a learner's own dead-unit counter against ``actlab.dead_units`` on
small models whose units are dead, alive, or only sometimes active, and
recognises the usual mistakes by computing what each would give. q2 trains the
notebook's recipe with the learner's learning rate and measures layer 3, at
the notebook's ``SEED`` (the recipe builds its network with ``seed=SEED``).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._lab_dying_relu import SLIDER_QUESTIONS, notebook_seed

# --- q1: count dead units yourself ---------------------------------------------------


def _probe_models() -> list[tuple[Any, np.ndarray]]:
    """Models with known dead, alive and sometimes-active units, and their inputs."""
    from actlab.deepnets import deep_mlp

    x = np.random.default_rng(0).uniform(0.0, 1.0, size=(64, 4)).astype("float32")
    x[-1, 0] = 1.5  # the last sample is the only one with x0 > 1.25
    m = deep_mlp(4, depth=2, width=12, activation="relu", seed=0, output_units=3, name="probe")
    k1 = np.array(
        [
            [1.0, 0.5, 1.0, -1.0, -1.0, -0.5, -1.0, 0.3, 0.0, 4.0, 0.0, 0.0],
            [0.5, 1.0, -1.0, 1.0, -0.5, -1.0, -1.0, 0.3, 0.0, 0.0, 0.0, 0.0],
            [0.2, 0.1, 0.0, 0.0, -0.2, -0.1, -1.0, 0.3, 0.0, 0.0, 0.0, 0.0],
            [0.1, 0.2, 0.0, 0.0, -0.1, -0.2, -1.0, 0.3, 0.0, 0.0, 0.0, 0.0],
        ],
        dtype="float32",
    )
    # units 0, 1, 7 always fire; 2, 3 fire for some inputs only; 4, 5, 6 never (dead);
    # alive but small or rare: 8 outputs 1e-4 everywhere, 10 and 11 output 1e-7 everywhere,
    # 9 outputs 1.0 on the last sample only (4 * (1.5 - 1.25)) and 0 on the others. Dead in
    # dense_1 are 3 of 12; a tolerance in [1e-7, 1e-4) gives 5, one in [1e-4, 1) gives 6, a
    # counter that skips the last sample gives 4: every mistake has its own count.
    b1 = np.array(
        [0.1, 0.1, 0.0, 0.0, -0.1, 0.0, -0.5, 0.0, 1e-4, -5.0, 1e-7, 1e-7],
        dtype="float32",
    )
    m.get_layer("dense_1").set_weights([k1, b1])
    k2, _ = m.get_layer("dense_2").get_weights()
    b2 = np.where(np.arange(12) % 3 == 0, -50.0, 0.0).astype("float32")  # 0, 3, 6, 9: dead
    m.get_layer("dense_2").set_weights([k2, b2])
    deep = deep_mlp(4, depth=3, width=6, activation="relu", bias=-0.3, seed=3, name="deep")
    return [(m, x), (deep, x)]


# "near zero" thresholds a learner might pick
TOLERANCES = (1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.05, 0.1)


SUBSETS = (8, 16, 32, 48, 63)  # "a batch is enough": counters that look at x[:n] only


def _variant(kind: str, tol: float = 0.05) -> Callable[[Any, Any], dict[str, float]]:
    """Dead-unit counters: the right one and the usual mistakes (for messages and tests).

    ``tol`` is the threshold of ``"tolerance"`` and the number of samples of ``"subset"``.
    """

    def count(model: Any, x: Any) -> dict[str, float]:
        from actlab.deepnets import hidden_layers
        from actlab.probes import get_activations

        if kind == "subset":  # looks at the first samples only
            x = x[: int(tol)]
        acts = get_activations(model, x, layers=hidden_layers(model))
        out = {}
        for name, a in acts.items():
            if kind in ("right", "subset"):
                v = np.mean(np.all(a <= 0, axis=0))
            elif kind == "strict":
                v = np.mean(np.all(a < 0, axis=0))
            elif kind == "any":
                v = np.mean(np.any(a <= 0, axis=0))
            elif kind == "tolerance":  # "near zero" instead of exactly 0
                v = np.mean(np.all(a <= tol, axis=0))
            elif kind == "sparsity":
                v = np.mean(a <= 0)
            else:  # "axis1": looks along units instead of samples
                v = np.mean(np.all(a <= 0, axis=1))
            out[name] = float(v)
        return out

    return count


_MISTAKES = {
    "strict": "Your counter finds no dead units where there are some. Inactive ReLU units "
    "output exactly 0, so test `<= 0` (or `== 0`), not `< 0`.",
    "any": "Your counter calls a unit dead when it is 0 for SOME sample. Dead means 0 for "
    "EVERY sample: np.all(..., axis=0), not np.any.",
    "tolerance": "Inactive ReLU outputs are exactly 0; a tolerance counts live units as dead "
    "(a test unit outputs 1e-7 everywhere: alive).",
    "subset": "Your counter calls a unit dead that fires on one sample only (the last one): "
    "use every sample of x, not the first few. A unit is dead only if it is 0 for all of them.",
    "sparsity": "That is the fraction of zero outputs (sparsity), not of dead units. First "
    "decide per unit (column) whether it is 0 for every sample (np.all(a <= 0, axis=0)), "
    "then take the mean over units.",
    "axis1": "np.all(..., axis=1) looks across the units of one sample. A unit is a column: "
    "use axis=0 (across samples), then the mean over units.",
}


def _close(a: dict[str, float], b: dict[str, float], keys: list[str]) -> bool:
    return all(k in a and abs(float(a[k]) - b[k]) < 1e-6 for k in keys)


def _check_counter(answer: Any) -> str:
    from actlab.deepnets import hidden_layers
    from actlab.probes import dead_units

    if not callable(answer):
        raise Incorrect(
            "Pass your function itself (answer_q1 = my_dead_units), not its result. "
            f"Received: {type(answer).__name__}."
        )
    try:
        inspect.signature(answer).bind(None, None)
    except TypeError:
        raise Incorrect("Your function must take two arguments: (model, x).") from None
    cases = _probe_models()
    results = []
    for model, x in cases:
        hidden = hidden_layers(model)
        try:
            got = answer(model, x)
        except Exception as exc:  # noqa: BLE001 - the learner's error is the feedback
            raise Incorrect(
                f"Your function raised {type(exc).__name__}: {exc} (on a model with layers "
                f"{hidden})."
            ) from None
        if not isinstance(got, dict):
            raise Incorrect(
                f"Return a dict {{layer name: fraction}} like actlab.dead_units. Received: "
                f"{type(got).__name__}."
            )
        missing = [k for k in hidden if k not in got]
        if missing:
            raise Incorrect(
                f"Your dict has no entry for {', '.join(missing)}. Key it by layer name "
                f"(actlab.get_activations(model, x, layers=hidden_layers(model)) does). "
                f"Received keys: {sorted(got)}."
            )
        results.append(got)
    truths = [dead_units(model, x) for model, x in cases]
    if all(
        _close(got, truth, hidden_layers(model))
        and all(abs(float(v) - truth[k]) < 1e-6 for k, v in got.items() if k in truth)
        for got, truth, (model, _) in zip(results, truths, cases, strict=True)
    ):
        return "Your counter agrees with actlab.dead_units on every layer of the test models."
    mistakes = [
        (_variant(kind, tol), message)
        for kind, message in _MISTAKES.items()
        for tol in {"tolerance": TOLERANCES, "subset": SUBSETS}.get(kind, (0.05,))
    ]
    for counter, message in mistakes:
        if all(
            _close(got, counter(model, x), hidden_layers(model))
            for got, (model, x) in zip(results, cases, strict=True)
        ):
            raise Incorrect(message)
    for got, truth, (model, _) in zip(results, truths, cases, strict=True):
        for k in [*hidden_layers(model), *got]:
            if k in truth and abs(float(got[k]) - truth[k]) > 1e-6:
                raise Incorrect(
                    f"For layer {k!r} of model {model.name!r} you get {float(got[k]):.3f}, "
                    f"actlab.dead_units gives {truth[k]:.3f}."
                )
    raise Incorrect("Your counter disagrees with actlab.dead_units.")  # pragma: no cover


# --- q2: find a learning rate that kills layer 3 -------------------------------------
LAYER = "dense_3"
TARGET = 0.5
MAX_LR = 10.0
RECIPE = (
    "deep_mlp((28, 28), depth=6, width=32, activation='relu', output_activation=None, "
    "seed=SEED), Adam(lr), SparseCategoricalCrossentropy(from_logits=True), 3 epochs, "
    "batch_size=64, shuffle=False, on load_mnist(limit=2000); probe x_train[:512]"
)


def dead_after_training(
    lr: float, *, epochs: int = 3, seed: int | None = None
) -> tuple[float, float]:
    """Train the notebook's recipe with learning rate ``lr``; return (dead in layer 3, loss).

    The recipe: ``deep_mlp((28, 28), depth=6, width=32, activation="relu",
    output_activation=None, seed=SEED)`` (logits), ``Adam(lr)``, sparse categorical
    cross-entropy ``from_logits=True``, 3 epochs, batch 64, no shuffling, on
    ``load_mnist(limit=2000)``; dead units measured on ``x_train[:512]``.
    ``seed=None`` uses the notebook's ``SEED`` (:func:`notebook_seed`).
    """
    import keras

    from actlab.data import load_mnist
    from actlab.deepnets import deep_mlp
    from actlab.probes import dead_units

    (x_train, y_train), _ = load_mnist(limit=2000, verbose=False)
    seed = notebook_seed() if seed is None else int(seed)
    model = deep_mlp((28, 28), depth=6, width=32, activation="relu", output_activation=None,
                     seed=seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss=loss)
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=64, shuffle=False, verbose=0)
    return dead_units(model, x_train[:512])[LAYER], float(history.history["loss"][-1])


def _check_lr(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.floating, np.integer)):
        raise Incorrect(f"Give the learning rate as a number, e.g. 0.5. Received: {answer!r}.")
    lr = float(answer)
    if not math.isfinite(lr) or lr <= 0:
        raise Incorrect(f"A learning rate must be a positive number. Received: {lr!r}.")
    if lr > MAX_LR:
        raise Incorrect(
            f"lr = {lr:g} is beyond any sensible setting (keep it <= {MAX_LR:g}); the "
            "question is how large a still-plausible learning rate must be to kill units."
        )
    dead, loss = dead_after_training(lr)
    if not math.isfinite(loss):
        raise Incorrect(
            f"With lr = {lr:g} training diverged (the loss is {loss}): the weights blew up, "
            "which breaks the whole network rather than killing units. Try a smaller value."
        )
    if dead <= TARGET:
        raise Incorrect(
            f"With lr = {lr:g}, {dead:.0%} of {LAYER}'s units are dead after training: not "
            f"more than half. Try a larger learning rate."
        )
    return (
        f"With lr = {lr:g} (the recipe at seed {notebook_seed()}), {dead:.0%} of {LAYER}'s "
        f"units are dead (final loss {loss:.2f}). "
        "Big Adam steps push biases and weights so far that the units' inputs stay "
        "negative for every image; a dead ReLU's own weights then get no gradient."
    )


def _lr_reference() -> float:
    for lr in (0.1, 0.3, 1.0):
        dead, loss = dead_after_training(lr)
        if dead > TARGET + 0.1 and math.isfinite(loss):
            return lr
    raise RuntimeError("no learning rate in (0.1, 0.3, 1.0) killed layer 3")  # pragma: no cover


EXERCISES = ExerciseSet(
    "08",
    "Dying ReLU",
    [
        Question(
            qid="q1",
            prompt=(
                "Write my_dead_units(model, x): for each hidden Dense layer, the fraction of "
                "its units whose output is <= 0 for every sample of x, using "
                "actlab.get_activations. It must match actlab.dead_units. Pass the function."
            ),
            checker=_check_counter,
            hint_text=(
                "acts = actlab.get_activations(model, x, layers=hidden_layers(model)) gives "
                "{layer: array (samples, units)}. A unit is a column."
            ),
            solution_text=(
                "Per layer: np.all(a <= 0, axis=0) marks the units that are 0 for every "
                "sample; their mean is the dead fraction."
            ),
            solution_code=(
                "def my_dead_units(model, x):\n"
                "    acts = actlab.get_activations(model, x, layers=hidden_layers(model))\n"
                "    return {name: float(np.mean(np.all(a <= 0, axis=0))) "
                "for name, a in acts.items()}\n"
                "\n"
                "\n"
                "print(my_dead_units(model, x_probe))\n"
                "answer_q1 = my_dead_units\n"
            ),
            reference=lambda: _variant("right"),
            wrong_answers=[
                (lambda: _variant("strict"), "not `< 0`"),
                (lambda: _variant("any"), "EVERY sample"),
                (lambda: _variant("sparsity"), "sparsity"),
                (lambda: _variant("axis1"), "use axis=0"),
                (lambda: _variant("tolerance"), "a tolerance counts live units as dead"),
                (lambda: _variant("tolerance", 1e-6), "a tolerance counts live units as dead"),
                (lambda: _variant("subset", 32), "fires on one sample only"),
                (lambda: {"dense_1": 0.5}, "function itself"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                f"Find a learning rate that kills more than half of the units of {LAYER} "
                f"with the recipe {RECIPE}. Pass the learning rate; the check trains the "
                "recipe with it and measures."
            ),
            checker=_check_lr,
            hint_text=(
                "Train the recipe for a few learning rates, 10x apart, and look at "
                "actlab.dead_units(model, x_probe)['dense_3'] after each."
            ),
            solution_text=(
                "The larger Adam's steps, the more units are pushed off for every image. "
                "Which rate first kills more than half of layer 3 within 3 epochs depends on the "
                "seed and the data (0.1 did at the 8 runs we tried, once only just, with 53 %; "
                "0.3 once killed exactly half, so a larger rate is not always more lethal), so the "
                "solution tries 0.1, 0.3 and 1.0 in turn. The "
                "check trains the recipe at your SEED and prints the fraction. The default 0.001 "
                "does not kill half."
            ),
            solution_code=(
                "for lr in (0.1, 0.3, 1.0):  # 10x steps; stop at the first that kills half\n"
                '    model = deep_mlp((28, 28), depth=6, width=32, activation="relu", '
                "output_activation=None, seed=SEED)\n"
                "    model.compile(optimizer=keras.optimizers.Adam(lr), loss=LOSS)\n"
                "    model.fit(x_train, y_train, epochs=3, batch_size=64, shuffle=False, "
                "verbose=0)\n"
                '    dead = actlab.dead_units(model, x_probe)["dense_3"]\n'
                '    print(f"lr = {lr}: dense_3 dead fraction {dead:.2f}")\n'
                "    if dead > 0.5:\n"
                "        break\n"
                "answer_q2 = lr\n"
            ),
            reference=_lr_reference,
            wrong_answers=[
                (lambda: 1e-3, "Try a larger learning rate"),
                (lambda: -0.1, "positive number"),
                (lambda: "fast", "as a number"),
                (lambda: 1e4, "beyond any sensible setting"),
            ],
        ),
        *SLIDER_QUESTIONS,
    ],
)
