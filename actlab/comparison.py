"""Compare activations: train one model per activation on the same data and seed.

:func:`compare_activations` returns a :class:`Comparison` (one :class:`Run`
per activation: history, test accuracy, wall time per epoch) that renders as a
:class:`ComparisonTable` and plots its learning curves.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from actlab._tables import Table
from actlab._validate import check_int, check_range
from actlab.catalog import canonical_name

__all__ = ["Comparison", "ComparisonTable", "Run", "compare_activations"]


# ---------------------------------------------------------------------------
# input validation


def _activation_runs(activations: Any) -> dict[str, Any]:
    """Normalise ``activations`` to an ordered ``{label: activation}`` mapping."""
    if isinstance(activations, str):
        activations = [activations]
    if isinstance(activations, Mapping):
        items = [(str(label), act) for label, act in activations.items()]
    elif isinstance(activations, Iterable):
        items = []
        for act in activations:
            if not isinstance(act, str):
                raise TypeError(
                    "activations given as a list must be names (strings). "
                    f"Received: {act!r} of type {type(act).__name__}. To compare callables "
                    "or layers, pass a mapping {label: activation}."
                )
            items.append((act, act))
    else:
        raise TypeError(
            "activations must be a list of names (e.g. ['relu', 'tanh']) or a mapping "
            f"{{label: activation}}. Received: {activations!r}"
        )
    if not items:
        raise ValueError("activations is empty: pass at least one, e.g. ['relu', 'tanh'].")
    labels = [label for label, _ in items]
    duplicates = sorted({lab for lab in labels if labels.count(lab) > 1})
    if duplicates:
        raise ValueError(
            f"activations has duplicate labels {duplicates}: each run needs "
            f"its own label. Received: {labels}"
        )
    return {
        label: canonical_name(act, allow_keras=True) if isinstance(act, str) else act
        for label, act in items
    }


def _unpack_data(data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Accept ``((x_train, y_train), (x_test, y_test))`` (or an MNISTData)."""
    how = (
        "Pass data as ((x_train, y_train), (x_test, y_test)), e.g. the result of "
        "actlab.data.load_mnist()."
    )
    try:
        (x_train, y_train), (x_test, y_test) = data
    except (TypeError, ValueError):
        raise ValueError(
            f"data has the wrong structure. {how} Received: {type(data).__name__}"
        ) from None
    arrays = []
    for name, arr in (
        ("x_train", x_train),
        ("y_train", y_train),
        ("x_test", x_test),
        ("y_test", y_test),
    ):
        a = np.asarray(arr)
        if a.ndim == 0 or len(a) == 0:
            raise ValueError(f"{name} is empty or not an array (shape {a.shape}). {how}")
        arrays.append(a)
    x_train, y_train, x_test, y_test = arrays
    for split, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        if len(x) != len(y):
            raise ValueError(
                f"x_{split} has {len(x)} samples but y_{split} has {len(y)}: they must match. {how}"
            )
    return x_train, y_train, x_test, y_test


# ---------------------------------------------------------------------------
# compare_activations


@dataclass
class Run:
    """One training run of :func:`compare_activations`.

    Attributes:
        label: The run's label (the activation name, or the mapping key).
        activation: What was passed to ``build_model``.
        history: ``history.history`` of ``model.fit`` (per-epoch metrics).
        test_accuracy: Accuracy on the test split after training.
        test_loss: Loss on the test split after training.
        train_time_s: Wall time of ``model.fit``, seconds.
        epoch_times_s: Wall time of each epoch, seconds (the first includes
            building the compiled training step).
        params: Number of parameters of the model.

    """

    label: str
    activation: Any
    history: dict[str, list[float]]
    test_accuracy: float
    test_loss: float
    train_time_s: float
    epoch_times_s: list[float] = field(default_factory=list)
    params: int = 0

    @property
    def steady_epoch_s(self) -> float:
        """Median epoch time without the first epoch (``nan`` with a single epoch)."""
        rest = self.epoch_times_s[1:]
        return statistics.median(rest) if rest else math.nan


class _EpochTimer(keras.callbacks.Callback):
    """Records the wall time of each epoch."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []
        self._start = 0.0

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        self.times.append(time.perf_counter() - self._start)


def _fmt_s(v: float) -> str:
    return "n/a" if math.isnan(v) else f"{v:.2f}"


class ComparisonTable(Table):
    """The summary table of a :class:`Comparison` (text, Markdown and HTML)."""

    COLUMNS = (
        "activation",
        "test accuracy",
        "final val accuracy",
        "train time (s)",
        "time/epoch after 1st (s)",
        "params",
    )

    def __init__(self, runs: Sequence[Run]) -> None:
        self.runs = list(runs)

    def rows(self) -> list[list[str]]:
        """The table's cells as strings, one row per run."""
        out = []
        for r in self.runs:
            val = r.history.get("val_accuracy", [])
            out.append(
                [
                    r.label,
                    f"{r.test_accuracy:.3f}",
                    f"{val[-1]:.3f}" if val else "n/a",
                    _fmt_s(r.train_time_s),
                    _fmt_s(r.steady_epoch_s),
                    f"{r.params:,}",
                ]
            )
        return out

    _RIGHT = range(1, len(COLUMNS))

    def _columns(self) -> tuple[str, ...]:
        return self.COLUMNS

    def _cells(self) -> list[list[str]]:
        return self.rows()


class Comparison:
    """The result of :func:`compare_activations`: one :class:`Run` per activation.

    Index it by label (``comparison["relu"]``), iterate over its runs, show
    ``comparison.table()`` and ``comparison.plot()``.
    """

    def __init__(
        self,
        runs: Sequence[Run],
        *,
        epochs: int,
        batch_size: int,
        seed: int,
        n_train: int,
        n_test: int,
        input_shape: tuple[int, ...] = (),
    ) -> None:
        self.runs: dict[str, Run] = {r.label: r for r in runs}
        self.epochs = epochs
        self.batch_size = batch_size
        self.seed = seed
        self.n_train = n_train
        self.n_test = n_test
        self.input_shape = tuple(input_shape)

    def __getitem__(self, label: str) -> Run:
        try:
            return self.runs[label]
        except KeyError:
            raise KeyError(f"No run labelled {label!r}. Runs: {list(self.runs)}") from None

    def __iter__(self):
        return iter(self.runs.values())

    def __len__(self) -> int:
        return len(self.runs)

    @property
    def labels(self) -> list[str]:
        """The run labels, in training order."""
        return list(self.runs)

    @property
    def test_accuracy(self) -> dict[str, float]:
        """``{label: test accuracy}``."""
        return {k: r.test_accuracy for k, r in self.runs.items()}

    @property
    def train_time(self) -> dict[str, float]:
        """``{label: wall time of fit in seconds}``."""
        return {k: r.train_time_s for k, r in self.runs.items()}

    @property
    def histories(self) -> dict[str, dict[str, list[float]]]:
        """``{label: history dict}``, ready for ``actlab.plotting.plot_history``."""
        return {k: r.history for k, r in self.runs.items()}

    def best(self) -> str:
        """The label of the run with the highest test accuracy."""
        return max(self.runs, key=lambda k: self.runs[k].test_accuracy)

    def table(self) -> ComparisonTable:
        """A summary table (renders as a table in Jupyter, prints as text)."""
        return ComparisonTable(list(self.runs.values()))

    def plot(self, metrics: Sequence[str] = ("accuracy", "val_accuracy"), *, ax: Any = None) -> Any:
        """Learning curves of every run (``actlab.plotting.plot_history``).

        Args:
            metrics: History keys, one panel each (e.g. ``("loss", "val_loss")``).
            ax: An Axes or a sequence of Axes (one per metric).

        Returns:
            The matplotlib Figure.

        """
        from actlab.plotting import plot_history

        return plot_history(self.histories, metrics=metrics, ax=ax)

    def __repr__(self) -> str:
        return (
            f"Comparison({len(self)} runs, {self.epochs} epochs, batch {self.batch_size}, "
            f"{self.n_train} train / {self.n_test} test samples)\n{self.table()}"
        )


#: Output activations whose values are probabilities: the loss takes them as they are.
_PROBABILITY_OUTPUTS = ("softmax", "sigmoid")


def _output_activation(model: Any) -> str | None:
    """The activation applied by the layer that produces ``model``'s output, or None.

    Found with :func:`actlab.find_activations`: the last activation site counts
    only when it sits on the model's last layer or op (a ReLU in a hidden layer
    followed by a linear ``Dense`` output is no output activation). ``"linear"``
    counts as none.
    """
    from actlab.sites import find_activations, layer_paths

    sites = find_activations(model)
    paths = layer_paths(model)
    if not sites or not paths or sites[-1].path != paths[-1]:
        return None
    return None if sites[-1].activation == "linear" else sites[-1].activation


def _default_compile(model: Any) -> None:
    """Adam, sparse categorical cross-entropy on what the model outputs, accuracy.

    ``from_logits`` follows the model: True when the last layer has no
    activation (``actlab.models.mlp``'s default, logits), False after softmax
    or sigmoid (probabilities). Any other output activation is refused: no
    loss choice would be right for it without knowing what it means.
    """
    out = _output_activation(model)
    if out is not None and out not in _PROBABILITY_OUTPUTS:
        raise ValueError(
            f"The model's output layer applies {out!r}, which is neither logits (no "
            "activation) nor probabilities (softmax, sigmoid), so compare_activations cannot "
            "choose the loss for it. Compile the model in build_model, e.g. with "
            "loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True) and "
            "metrics=['accuracy'], or end it in Dense(n) with no activation."
        )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=out is None)
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])


def compare_activations(
    build_model: Callable[[Any], Any],
    activations: Sequence[str] | Mapping[str, Any],
    data: Any,
    *,
    epochs: int = 3,
    batch_size: int = 128,
    seed: int = 42,
    validation_split: float = 0.1,
    progress: bool = True,
) -> Comparison:
    """Train one model per activation on the same data and compare them.

    For every activation: reset the random seed (so each model starts from the
    same weights wherever the activation does not change the architecture),
    call ``build_model(activation)``, compile it if it is not compiled
    (Adam, sparse categorical cross-entropy with ``from_logits`` matching the
    model's output: True for a last layer without activation, False after
    softmax or sigmoid; accuracy), ``fit`` it, and
    evaluate it on the test split. A progress bar (``tqdm.auto``) shows which
    activation is training.

    Args:
        build_model: ``build_model(activation) -> keras.Model``. It receives the
            activation's Keras name (``"leaky_relu"``) or, for a mapping, its
            value (a name, callable or layer). It may return a compiled model;
            the model must report an ``"accuracy"`` metric.
        activations: Names (``["relu", "tanh"]``; aliases such as ``"swish"``
            work) or a mapping ``{label: activation}``.
        data: ``((x_train, y_train), (x_test, y_test))`` with integer labels,
            e.g. the result of ``actlab.data.load_mnist()``.
        epochs: Training epochs per model (>= 1).
        batch_size: Mini-batch size (>= 1).
        seed: Random seed used before building each model.
        validation_split: Fraction of the training data held out for the
            ``val_*`` learning curves (0 for none).
        progress: Show the progress bar.

    Returns:
        A :class:`Comparison`.

    Raises:
        ValueError: Unknown activation names (with a did-you-mean list), data of
            the wrong structure, ``epochs`` or ``batch_size`` < 1, a
            ``validation_split`` outside [0, 1), one-hot labels for a model
            left uncompiled, an uncompiled model whose output activation is
            neither none (logits) nor softmax/sigmoid, or a model without an
            accuracy metric.
        TypeError: If ``build_model`` is not callable or does not return a
            Keras model.

    """
    if not callable(build_model):
        raise TypeError(
            f"build_model must be a function activation -> keras.Model. Received: {build_model!r}"
        )
    epochs = check_int("epochs", epochs, low=1)
    batch_size = check_int("batch_size", batch_size, low=1)
    seed = check_int("seed", seed, low=0)
    validation_split = check_range("validation_split", validation_split, 0, 1, high_open=True)
    runs_spec = _activation_runs(activations)
    x_train, y_train, x_test, y_test = _unpack_data(data)

    from tqdm.auto import tqdm

    runs: list[Run] = []
    bar = tqdm(
        runs_spec.items(), total=len(runs_spec), desc="training", unit="model", disable=not progress
    )
    for label, activation in bar:
        bar.set_description(f"training {label}")
        keras.utils.set_random_seed(seed)
        model = build_model(activation)
        if not isinstance(model, keras.Model):
            raise TypeError(
                f"build_model({activation!r}) must return a keras.Model. "
                f"Received: {type(model).__name__}"
            )
        if not getattr(model, "compiled", False):
            if y_train.ndim > 1 and y_train.shape[-1] > 1:
                raise ValueError(
                    f"y_train looks one-hot (shape {y_train.shape}), but an uncompiled model "
                    "is compiled with sparse categorical cross-entropy, which needs integer "
                    "labels. Pass y.argmax(axis=1), or compile the model in build_model with "
                    "loss='categorical_crossentropy' and metrics=['accuracy']."
                )
            _default_compile(model)
        timer = _EpochTimer()
        start = time.perf_counter()
        history = model.fit(
            x_train,
            y_train,
            epochs=epochs,
            batch_size=batch_size,
            validation_split=validation_split,
            verbose=0,
            callbacks=[timer],
        )
        train_time = time.perf_counter() - start
        if "accuracy" not in history.history:
            raise ValueError(
                f"The model for {label!r} reports no 'accuracy' metric (history keys: "
                f"{sorted(history.history)}). Compile it with metrics=['accuracy'] or "
                "return it uncompiled and compare_activations compiles it."
            )
        scores = model.evaluate(
            x_test, y_test, batch_size=max(batch_size, 256), verbose=0, return_dict=True
        )
        runs.append(
            Run(
                label=label,
                activation=activation,
                history={key: [float(v) for v in vals] for key, vals in history.history.items()},
                test_accuracy=float(scores["accuracy"]),
                test_loss=float(scores["loss"]),
                train_time_s=train_time,
                epoch_times_s=list(timer.times),
                params=int(model.count_params()),
            )
        )
        bar.set_postfix(test_acc=f"{scores['accuracy']:.3f}", time=f"{train_time:.1f}s")
    bar.close()
    return Comparison(
        runs,
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        n_train=len(x_train),
        n_test=len(x_test),
        input_shape=tuple(x_train.shape[1:]),
    )
