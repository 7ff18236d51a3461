"""Exercises for 09_gradient_flow.

q1 transfers the vanishing-gradient measurement to activations the notebook
did not measure: the check computes the gradient norms on the notebook's
recipe, ``deep_mlp((28, 28), depth=10, activation=..., output_activation=None,
seed=SEED)`` at initialisation (the check uses the notebook's ``SEED``; the answer,
hard_sigmoid, was the fastest at every seed tried: 42, 0, 1, 2, 3 and 7, on the offline
digits and on real MNIST digits), ``actlab.gradient_norms`` on the first 256 images
of ``load_mnist(limit=1000)`` with sparse categorical cross-entropy on logits.
q2 applies He et al.'s variance formula to layers of unequal widths; the check
measures the factor with ``actlab.propagation.forward_moments``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from actlab._seed import current_seed
from actlab.exercises import ExerciseSet, Incorrect, Question
from actlab.exercises._lab_gradient_flow import SLIDER_QUESTIONS

CANDIDATES = ("softsign", "hard_sigmoid", "silu", "elu")
Q1_DEPTH = 10
Q2_WIDTHS = [512 if i % 2 == 0 else 128 for i in range(20)]  # 512, 128, 512, ... units
Q2_TOLERANCE = 0.05


def _batch() -> tuple[np.ndarray, np.ndarray]:
    from actlab.data import load_mnist

    (x_train, y_train), _ = load_mnist(limit=1000, verbose=False)
    return x_train[:256], y_train[:256]


def vanishing_ratio(activation: str, depth: int, seed: int | None = None) -> float:
    """``||grad last hidden kernel|| / ||grad first hidden kernel||`` at initialisation.

    Large values mean the gradient shrinks on its way back to the first layer.
    ``seed=None`` builds the network with the notebook's ``SEED``.
    """
    import keras

    from actlab.deepnets import deep_mlp, hidden_layers
    from actlab.probes import gradient_norms

    x, y = _batch()
    seed = current_seed() if seed is None else int(seed)
    model = deep_mlp((28, 28), depth=depth, activation=activation, output_activation=None,
                     seed=seed)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    norms = gradient_norms(model, x, y, loss=loss)
    hidden = hidden_layers(model)
    return norms[hidden[-1]] / norms[hidden[0]]


def backward_shrink(activation: str, depth: int, seed: int | None = None) -> tuple[float, float]:
    """How much the backward and the forward signal shrink, at initialisation.

    Returns ``||d loss / d output||`` of the last hidden layer / the first's (the backward
    signal, notebook 09's ``signals``: large means it shrinks on its way back to layer 1)
    and the first hidden layer's output std / the last's (the forward activations), on
    the same recipe as ``vanishing_ratio``.
    """
    import keras
    import tensorflow as tf

    from actlab.deepnets import deep_mlp, hidden_layers

    x, y = _batch()
    seed = current_seed() if seed is None else int(seed)
    model = deep_mlp((28, 28), depth=depth, activation=activation, output_activation=None,
                     seed=seed)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    out, h = {}, tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        for layer in model.layers:
            h = out[layer.name] = layer(h)
        loss = loss_fn(y, h)
    names = hidden_layers(model)
    grads = tape.gradient(loss, [out[n] for n in names])
    stds = [float(tf.math.reduce_std(out[n])) for n in names]
    return float(tf.norm(grads[-1]) / tf.norm(grads[0])), stds[0] / stds[-1]


def _derivative_at_0(name: str) -> float:
    from actlab import catalog

    return float(catalog.derivative(name, np.array([0.0], dtype="float32"))[0])


def _max_derivative(name: str) -> float:
    from actlab import catalog

    return float(np.max(catalog.derivative(name, np.linspace(-6, 6, 1201))))


# --- q1: which new activation vanishes fastest ------------------------------------------
def _check_fastest(answer: Any) -> str:
    from actlab import catalog

    if not isinstance(answer, str):
        raise Incorrect(
            f"Give the activation's name as a string, e.g. 'elu'. Received: {answer!r}."
        )
    try:
        name = catalog.canonical_name(answer)
    except ValueError as exc:
        raise Incorrect(str(exc)) from None
    if name not in CANDIDATES:
        raise Incorrect(
            f"Choose one of {', '.join(CANDIDATES)} (the notebook already measured sigmoid, "
            f"tanh and relu). Received: {answer!r}."
        )
    seed = current_seed()
    ratios = {act: vanishing_ratio(act, Q1_DEPTH, seed) for act in CANDIDATES}
    measured = ", ".join(f"{a} {r:.3g}x" for a, r in ratios.items())
    fastest = max(ratios, key=ratios.get)
    if name != fastest:
        shrink, forward = backward_shrink(name, Q1_DEPTH, seed)
        raise Incorrect(
            f"Measured at depth {Q1_DEPTH}, seed=SEED = {seed} (last hidden layer's kernel "
            "gradient norm / first's): "
            f"{measured}. The kernel ratio is what the question asks about, and {fastest}'s "
            f"is the largest. {name}'s derivative is {_derivative_at_0(name):.2f} at 0 "
            f"(peak {_max_derivative(name):.2f}); its backward signal (d loss / d output) "
            f"does shrink {shrink:.3g}x from layer {Q1_DEPTH} back to layer 1, but a kernel's "
            "gradient is its input times that signal, and the forward activations shrink "
            f"{forward:.3g}x from layer 1 to {Q1_DEPTH}: in the kernel ratio the two cancel, "
            f"as with ReLU. {fastest}'s derivative peaks at {_max_derivative(fastest):.2f} and "
            "is 0 outside a narrow band: even the kernel ratio cannot hide that."
        )
    return (
        f"Measured at depth {Q1_DEPTH}, seed=SEED = {seed}: {measured}. "
        "hard_sigmoid = relu6(x + 3) / 6 "
        f"has slope {_max_derivative('hard_sigmoid'):.3f} (1/6) where it is not flat, below "
        "sigmoid's 0.25: it vanishes even faster than sigmoid."
    )


# --- q2: He et al.'s formula on unequal widths --------------------------------------------
def measured_glorot_factor() -> float:
    """The per-layer variance factor of ReLU + glorot_uniform on the alternating widths."""
    from actlab.propagation import forward_moments, per_layer_factor

    m = forward_moments(
        "relu", depth=len(Q2_WIDTHS), width=Q2_WIDTHS, kernel_initializer="glorot_uniform"
    )
    return per_layer_factor(m["pre_var"])


def _check_factor(answer: Any) -> str:
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Incorrect(f"Give the factor as a number, e.g. 0.7. Received: {answer!r}.")
    value = float(answer)
    if not math.isfinite(value) or value <= 0:
        raise Incorrect(f"A variance factor is a positive number. Received: {answer!r}.")
    theory = math.sqrt(0.8 * 0.2)
    measured = measured_glorot_factor()
    if abs(value - measured) <= Q2_TOLERANCE:
        return (
            f"Measured x{measured:.3f} per layer. Layers with fan-in 512 multiply the variance by "
            "512 * 2/640 / 2 = 0.8, those with fan-in 128 by 128 * 2/640 / 2 = 0.2; the "
            f"geometric mean is sqrt(0.8 * 0.2) = {theory:.2f}."
        )
    if abs(value - 0.5) < 0.02:
        raise Incorrect(
            "0.5 is the factor when fan-in equals fan-out. Here Glorot's variance "
            "2 / (fan_in + fan_out) = 2 / 640 is the same for every layer after the first, "
            "but fan-in "
            "alternates between 512 and 128: compute fan_in * Var(w) / 2 for each kind."
        )
    if abs(value - 1.0) < 0.02:
        raise Incorrect("1.0 is He initialisation's factor; these layers use glorot_uniform.")
    if abs(value - 0.8) < 0.03 or abs(value - 0.2) < 0.03:
        raise Incorrect(
            f"{value:g} is the factor of one kind of layer only. They alternate: take the "
            "geometric mean of the two (the square root of their product)."
        )
    if abs(value - math.sqrt(theory)) < 0.03:
        raise Incorrect(
            "That is the factor of the standard deviation. The question asks for the variance."
        )
    raise Incorrect(
        f"Measured: x{measured:.3f} per layer (accepting +-{Q2_TOLERANCE}); you gave {value:g}. "
        "Apply fan_in * Var(w) / 2 to a 512 -> 128 layer and to a 128 -> 512 layer."
    )


EXERCISES = ExerciseSet(
    "09",
    "Gradient flow",
    [
        Question(
            qid="q1",
            prompt=(
                "Transfer what you measured: softsign, hard_sigmoid, silu and elu were not "
                "measured in this notebook. Predict from their derivatives (catalog.derivative) "
                "which one's gradients vanish fastest in a 10-hidden-layer network at "
                "initialisation, then measure dense_10 / dense_1 for each and pass its name."
            ),
            checker=_check_fastest,
            hint_text=(
                "Plot or print actlab.catalog.derivative(name, x).max() for each: a maximum "
                "below 1 shrinks the backward signal at every layer. Then measure with "
                "deep_mlp((28, 28), depth=10, activation=act, output_activation=None, "
                "seed=SEED)."
            ),
            solution_text=(
                "hard_sigmoid: its slope is 1/6 inside [-3, 3] and 0 outside, lower than "
                "sigmoid's 0.25, so the backward signal shrinks even faster than with sigmoid. "
                "softsign, silu and elu shrink the backward signal too (silu's slope is only "
                "0.5 at 0), but in their kernel ratio the shrinking forward activations cancel "
                "most of it, as with ReLU (the trap of the first section); hard_sigmoid's "
                "ratio is the largest by far."
            ),
            solution_code=(
                "ratios = {}\n"
                'for act in ["softsign", "hard_sigmoid", "silu", "elu"]:\n'
                "    m = deep_mlp((28, 28), depth=10, activation=act, output_activation=None, "
                "seed=SEED)\n"
                "    g = actlab.gradient_norms(m, x_batch, y_batch, loss=LOSS)\n"
                '    ratios[act] = g["dense_10"] / g["dense_1"]\n'
                "print(ratios)\n"
                "answer_q1 = max(ratios, key=ratios.get)\n"
            ),
            reference=lambda: "hard_sigmoid",
            wrong_answers=[
                (lambda: "elu", "elu's derivative is 1.00 at 0"),
                (lambda: "silu", "silu's derivative is 0.50 at 0"),
                (lambda: "sigmoid", "Choose one of"),
                (lambda: "hard_sigmod", "Unknown activation"),
                (lambda: 3, "as a string"),
            ],
        ),
        Question(
            qid="q2",
            prompt=(
                "He et al.'s formula on unequal widths: a ReLU network's layers alternate "
                "between 512 and 128 units (512 -> 128 -> 512 -> ...), initialised with "
                "glorot_uniform (Var(w) = 2 / (fan_in + fan_out)). By what factor does the "
                "pre-activation variance change per layer, on average (geometric mean)? "
                "Compute it with fan_in * Var(w) / 2, check it with forward_moments, and pass "
                "the number."
            ),
            checker=_check_factor,
            hint_text=(
                "Var(w) = 2 / (512 + 128) for every layer after the first. A layer with "
                "fan-in 512 multiplies the variance by 512 * Var(w) / 2; one with fan-in 128 "
                "by 128 * Var(w) / 2. "
                "To check: forward_moments('relu', depth=20, width=[512 if i % 2 == 0 else 128 "
                "for i in range(20)], kernel_initializer='glorot_uniform')."
            ),
            solution_text=(
                "0.8 for the 512 -> 128 layers and 0.2 for the 128 -> 512 layers; over two "
                "layers the variance is multiplied by 0.16, so the per-layer average is "
                "sqrt(0.16) = 0.4. With ReLU, Glorot halves the variance (0.5) even when "
                "fan-in equals fan-out; unequal widths make it worse."
            ),
            solution_code=(
                "widths = [512 if i % 2 == 0 else 128 for i in range(20)]\n"
                'm = forward_moments("relu", depth=20, width=widths, '
                'kernel_initializer="glorot_uniform")\n'
                "print(per_layer_factor(m[\"pre_var\"]), (0.8 * 0.2) ** 0.5)\n"
                "answer_q2 = (0.8 * 0.2) ** 0.5\n"
            ),
            reference=lambda: math.sqrt(0.8 * 0.2),
            wrong_answers=[
                (lambda: 0.5, "fan-in equals fan-out"),
                (lambda: 1.0, "He initialisation's factor"),
                (lambda: 0.8, "one kind of layer only"),
                (lambda: 0.2, "one kind of layer only"),
                (lambda: 0.63, "standard deviation"),
                (lambda: "0.4", "as a number"),
                (lambda: -1.0, "positive number"),
            ],
        ),
        *SLIDER_QUESTIONS,
    ],
)
