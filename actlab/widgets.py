"""Interactive explorers for the course: sliders that redraw a plot in place.

``activation_explorer``, ``softmax_explorer``, ``playground``, ``dying_relu_lab``
and ``gradient_flow_lab`` each return an :class:`Explorer`, an
``ipywidgets.VBox`` holding the controls and the plot. Show it by making it the
last value of a cell; no ``%matplotlib`` magic is needed.

Display mechanism (and why). Each explorer owns a matplotlib ``Figure`` on the
Agg canvas (not registered with pyplot). A control change updates the
artists in place (``Line2D.set_data``, ``Rectangle.set_height``,
``AxesImage.set_data``), draws the canvas, encodes the RGBA buffer as a PNG
(Pillow, fast compression) and assigns the bytes to an ``ipywidgets.Image``.
Compared with ipympl (``%matplotlib widget``) this

* needs only the core ipywidgets front end that JupyterLab 4 ships with
  ipywidgets 8, so there is no second labextension that can be missing or out
  of date (the classic "the plot shows as text" failure);
* works identically in a headless kernel (nbval/nbclient), in plain Python
  (unit tests) and in the browser, and never changes pyplot's backend for the
  rest of the notebook (which stays inline);
* makes "redrawn" measurable in the kernel: the redraw is finished when
  ``Explorer.image.value`` holds the new PNG (what ``make bench`` times).

Speed. Artists that change on every move are registered as animated and
drawn over a cached background (blitting); the axes, ticks and labels are
redrawn only when limits change (y-limits are "sticky": they only move when
the data outgrows them). On a 2-core machine a slider move costs 20-50 ms
(activation_explorer, 4 activations) or 12-25 ms (softmax_explorer) in the
kernel, 60-120 ms when the background must be redrawn (``make bench``). gradient_flow_lab
computes and draws a new setting (NumPy backprop) in about 40 ms median. Widgets that build or train
networks cache every model and result per setting; sliders that start work
(depth, width, learning rate, bias) update on release
(``continuous_update=False``) and a status line / progress bar shows the work.
The live ``playground`` is the exception that animates: Play trains in two
background threads of the kernel (a paced NumPy trainer and a renderer drawing
at most 10 frames a second), see :mod:`actlab._widget_playground`.

For tests and benchmarks every explorer exposes

* ``controls``: ``{name: widget}``; set ``controls["beta"].value = 2.0`` or call
  ``controls["step"].click()`` exactly as a learner would;
* ``figure``: the matplotlib Figure (inspect ``figure.axes[i].lines`` etc.);
* ``image``: the ``ipywidgets.Image`` showing the PNG; ``status``: an HTML line
  for progress and errors; ``render_count`` and ``last_render_ms``.

Errors raised while reacting to a control are shown in ``status`` (ipywidgets
would otherwise hide them in the log console) and kept in ``last_error``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from actlab import _playground_core as _pg
from actlab import _widget_labs as _labs
from actlab import catalog
from actlab._playground_core import PlaygroundResult, train_playground
from actlab._validate import check_choice, check_int, check_range
from actlab._widget_base import Explorer
from actlab._widget_explorers import ActivationExplorer, SoftmaxExplorer
from actlab._widget_labs import DyingReluLab, GradientFlowLab
from actlab._widget_playground import SPEEDS, STEP_SIZES, Playground

__all__ = [
    "ActivationExplorer",
    "DyingReluLab",
    "Explorer",
    "GradientFlowLab",
    "Playground",
    "PlaygroundResult",
    "SoftmaxExplorer",
    "activation_explorer",
    "dying_relu_lab",
    "gradient_flow_lab",
    "playground",
    "softmax_explorer",
    "train_playground",
]

# --------------------------------------------------------------------------- activations


def activation_explorer(
    names: Sequence[str] | None = None,
    *,
    negative_slope: float = 0.2,
    alpha: float = 1.0,
    beta: float = 1.0,
    x_max: float = 5.0,
    points: int = 401,
) -> ActivationExplorer:
    """Plot activations and their derivatives, with sliders for their parameters.

    Sliders: ``negative_slope`` of ``leaky_relu(x) = x if x > 0 else
    negative_slope * x``, ``alpha`` of ``elu(x) = x if x > 0 else alpha *
    (exp(x) - 1)``, ``beta`` of swish ``silu(x) = x * sigmoid(beta * x)``, and
    the x range. A slider is disabled while its activation is not selected.
    Values come from Keras (``keras.activations`` / ``keras.ops``), derivatives
    from autodiff.

    Args:
        names: Activations to show first (catalogue names or aliases); default
            relu, leaky_relu, elu, silu. Any catalogue activation can be added
            in the selector.
        negative_slope: Initial slope of leaky_relu for ``x < 0``, in [0, 1].
        alpha: Initial alpha of elu, in [0, 3].
        beta: Initial beta of swish/silu, in [0, 5].
        x_max: The plot spans ``[-x_max, x_max]``, in [1, 10].
        points: Number of x points (at least 11).

    Returns:
        An :class:`ActivationExplorer` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: An unknown activation name (with suggestions), an empty
            list, or a parameter outside its slider's range.
    """
    chosen = ["relu", "leaky_relu", "elu", "silu"] if names is None else names
    if isinstance(chosen, str):
        chosen = [chosen]
    chosen = list(chosen)
    if not chosen:
        raise ValueError(
            "activation_explorer: names is empty; pass at least one activation name, "
            f"e.g. ['relu', 'elu']. Known: {', '.join(catalog.names())}."
        )
    for n in chosen:
        catalog.get(n)  # raises ValueError with a did-you-mean list
    check_range("negative_slope", negative_slope, 0.0, 1.0)
    check_range("alpha", alpha, 0.0, 3.0)
    check_range("beta", beta, 0.0, 5.0)
    check_range("x_max", x_max, 1.0, 10.0)
    points = check_int("points", points, low=11)
    return ActivationExplorer(
        chosen, negative_slope=negative_slope, alpha=alpha, beta=beta, x_max=x_max, points=points
    )


# --------------------------------------------------------------------------- softmax


def softmax_explorer(
    logits: Sequence[float] = (2.0, 1.0, 0.1), *, temperature: float = 1.0
) -> SoftmaxExplorer:
    """Show how the temperature reshapes a softmax: ``p_i = exp(z_i / T) / sum_j exp(z_j / T)``.

    Low T sharpens towards the arg-max (one-hot), high T flattens towards
    uniform; the order of the probabilities never changes.

    Args:
        logits: The logit vector ``z`` (at least two finite numbers).
        temperature: Initial temperature, in [0.01, 100] (log slider).

    Returns:
        A :class:`SoftmaxExplorer` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: Logits that are not a 1-D list of at least two finite
            numbers, or a temperature outside [0.01, 100].
    """
    try:
        z = np.asarray(logits, dtype="float64")
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"logits must be a list of numbers, e.g. (2.0, 1.0, 0.1). Received: {logits!r}."
        ) from err
    if z.ndim != 1 or len(z) < 2 or not np.all(np.isfinite(z)):
        raise ValueError(
            "logits must be a 1-D list of at least two finite numbers, e.g. (2.0, 1.0, 0.1). "
            f"Received: {logits!r} (shape {z.shape})."
        )
    check_range("temperature", temperature, 0.01, 100.0)
    return SoftmaxExplorer(z, float(temperature))


# --------------------------------------------------------------------------- networks


def playground(
    dataset: str = "circles",
    *,
    activations: str | Sequence[str] = "relu",
    depth: int = 2,
    width: int = 8,
    learning_rate: float = 0.03,
    noise: float = 0.05,
    test_fraction: float = 0.3,
    batch_size: int = 0,
    l2: float = 0.0,
    optimizer: str = "adam",
    seed: int = 0,
    speed: int = 100,
    step_size: int = 10,
) -> Playground:
    """A live, TensorFlow-Playground-style classifier with any activation per layer.

    **Play** trains in the background of the kernel (the notebook stays usable)
    and redraws several times a second: the decision boundary (P(class 1) over
    the plane; orange points are class 0, blue class 1, white-edged for
    training, black-edged for test), the training and test loss curves, the
    step counter, and a map of every hidden unit's output over the plane, with
    the units that output 0 at every training point and every point of the
    60 x 60 grid drawn (dead ReLUs) crossed out and labelled "dead". **Pause**
    stops at once, **Step** trains ``step_size`` steps,
    **Reset** goes back to the seeded initial weights. Learning rate, noise,
    test share, batch size, L2 and optimizer apply while it plays; depth,
    width, an activation, the data set or the seed restart from the initial
    weights (the status line says so). A diverging run (NaN loss) pauses
    itself with a message. One playground trains at a time per kernel:
    creating or playing one pauses the others, and interrupting the kernel
    stops it.

    Same settings, seed and number of steps give the same weights, bit for
    bit: ``train_playground(pg.settings(), pg.steps_done)`` re-trains them.

    Args:
        dataset: ``"circles"``, ``"xor"``, ``"gaussian"``, ``"spirals"`` or ``"moons"``.
        activations: One activation for every hidden layer, or a list of up
            to four (one per layer; missing ones default to ``"relu"``); any
            name of :mod:`actlab.catalog`.
        depth: Hidden layers, 1-4.
        width: Units per hidden layer, 1-16.
        learning_rate: In [0.0001, 10] (log slider).
        noise: Standard deviation of the points' jitter, in [0, 0.5].
        test_fraction: Share of the 400 points held out for the test loss, in [0.1, 0.9].
        batch_size: Points per step; 0 = all training points (full batch), or
            one of 1, 4, 8, 16, 32, 64, 128.
        l2: L2 penalty ``l2 * sum(kernel ** 2)``, in [0, 0.1].
        optimizer: ``"adam"`` or ``"sgd"``.
        seed: Seed of the data set, the split, the initial weights and the batches.
        speed: Training steps per second while playing: 10, 30, 100, 300, 1000,
            or 0 for as fast as possible.
        step_size: Steps per press of Step: 1, 10 or 100.

    Returns:
        A :class:`Playground` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: An unknown data set or activation, or a value outside its
            control's range.
    """
    depth = check_int("depth", depth, low=1, high=_pg.MAX_DEPTH)
    acts = [activations] * depth if isinstance(activations, str) else list(activations)
    if not 1 <= len(acts) <= _pg.MAX_DEPTH:
        raise ValueError(
            f"activations must be one name or a list of 1 to {_pg.MAX_DEPTH} names. "
            f"Received: activations={activations!r}."
        )
    acts += ["relu"] * (_pg.MAX_DEPTH - len(acts))
    if batch_size not in _pg.BATCH_SIZES or isinstance(batch_size, bool):
        raise ValueError(
            f"batch_size must be one of {', '.join(map(str, _pg.BATCH_SIZES))} "
            f"(0 = full batch). Received: batch_size={batch_size!r}."
        )
    for name, value, options in (("speed", speed, SPEEDS), ("step_size", step_size, STEP_SIZES)):
        if isinstance(value, bool) or value not in options:
            raise ValueError(
                f"{name} must be one of {', '.join(map(str, options))}. "
                f"Received: {name}={value!r}."
            )
    settings = _pg.check_settings(
        dataset=dataset,
        depth=depth,
        width=width,
        learning_rate=learning_rate,
        noise=noise,
        test_fraction=test_fraction,
        batch_size=batch_size,
        l2=l2,
        optimizer=optimizer,
        seed=seed,
        **{f"activation_{i + 1}": a for i, a in enumerate(acts)},
    )
    return Playground(settings, speed=int(speed), step_size=int(step_size))


def dying_relu_lab(
    *,
    activation: str = "relu",
    learning_rate: float = 0.01,
    bias_init: float = 0.0,
    depth: int = 6,
    width: int = 32,
    steps: int = 150,
    seed: int = 0,
) -> DyingReluLab:
    """What kills ReLU units: learning rate, bias initialisation, activation.

    A ``depth`` x ``width`` MLP (He-uniform kernels, hidden biases set to
    ``bias init``) is trained for ``steps`` full-batch Adam steps (notebook 08's
    optimiser) on the moons data set; the bars show, per hidden layer, the fraction of dead units
    (no gradient at any training point: the activation's derivative is 0 for
    every point, :meth:`DyingReluLab.no_gradient_fractions`) at
    initialisation and after training. For ReLU that is ``actlab.dead_units``
    (output <= 0 for every point). A large learning rate or a negative
    bias kills ReLU units; leaky_relu/elu/gelu/silu/tanh still have a gradient
    where their input is negative, so their units keep learning and can recover,
    unless training pushes them so far that even that gradient is 0 in float32
    (on TensorFlow, ELU's below about -17; the status line says which case it shows).
    Sliders update when released; every setting is trained once and cached, so
    going back to a setting is instant.

    Args:
        activation: One of relu, leaky_relu, elu, gelu, silu, tanh.
        learning_rate: Adam learning rate, in [0.001, 3.16] (log slider).
        bias_init: Initial bias of every hidden unit, in [-3, 1].
        depth: Hidden layers, 2-10.
        width: Units per hidden layer, 4-128.
        steps: Adam steps per setting, 10-1000.
        seed: Seed of the data and the initial kernels.

    Returns:
        A :class:`DyingReluLab` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: An unknown activation or a value outside its range.
    """
    check_choice("activation", activation, _labs.DYING_ACTIVATIONS)
    check_range("learning_rate", learning_rate, 0.001, 10**0.5)
    check_range("bias_init", bias_init, -3.0, 1.0)
    return DyingReluLab(
        activation=activation,
        learning_rate=float(learning_rate),
        bias_init=float(bias_init),
        depth=check_int("depth", depth, low=2, high=10),
        width=check_int("width", width, low=4, high=128),
        steps=check_int("steps", steps, low=10, high=1000),
        seed=int(seed),
    )


def gradient_flow_lab(
    *,
    activation: str = "sigmoid",
    depth: int = 10,
    init: str = "glorot_uniform",
    width: int = 32,
    seed: int = 0,
) -> GradientFlowLab:
    """Per-layer gradient norms at initialisation: watch gradients vanish with depth.

    For the chosen activation, depth and kernel initialiser, the lab takes a
    ``width``-unit MLP for the spirals data set at initialisation and plots
    ``||d loss / d kernel||`` per layer on a fixed batch of 256 points, on a log
    scale from the first hidden layer to the output layer. No training is
    involved. The norms come from backpropagation in NumPy (milliseconds, cached
    per setting); they equal ``actlab.gradient_norms`` on the Keras
    model the lab exposes as ``.model`` (the tests check this for every
    activation and initialiser).

    Args:
        activation: One of sigmoid, tanh, relu, leaky_relu, elu, selu, gelu, silu.
        depth: Hidden layers, 2-30 (the slider updates when released).
        init: Kernel initialiser: glorot_uniform, he_normal, lecun_normal or
            random_normal (std 0.05).
        width: Units per hidden layer, 4-128.
        seed: Seed of the data and the initial kernels.

    Returns:
        A :class:`GradientFlowLab` (an ``ipywidgets.VBox``).

    Raises:
        ValueError: An unknown activation or initialiser, or a value outside its range.
    """
    check_choice("activation", activation, _labs.FLOW_ACTIVATIONS)
    check_choice("init", init, _labs.FLOW_INITS)
    return GradientFlowLab(
        activation=activation,
        depth=check_int("depth", depth, low=2, high=30),
        init=init,
        width=check_int("width", width, low=4, high=128),
        seed=int(seed),
    )
