"""Dead units: the fraction of units that never fire, measured once or during training.

* :func:`dead_units` (defined in :mod:`actlab.probes`, which walks the model's
  activation sites) measures it once: ``{site: fraction}``;
* :class:`DeadUnitsTracker` is a Keras callback that records ``dead_units`` on
  a fixed probe batch as training goes, and which units were dead, so that it
  can count the units that come back (:meth:`DeadUnitsTracker.revived`).

A dead ReLU unit's own incoming weights and bias get a zero gradient, but it is
not dead for good: in layer 2 and later its input is the previous layers'
output, and when those layers change (or Adam's momentum keeps moving the
unit's weights for a few steps) the unit can fire again.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np

from actlab._validate import check_int
from actlab.probes import dead_units, find_activations, get_activations

__all__ = ["DeadUnitsTracker", "dead_units"]


class DeadUnitsTracker(keras.callbacks.Callback):
    """A Keras callback recording the dead-unit fraction per layer during training.

    ``tracker.history[epoch][layer]`` is ``actlab.dead_units(model, x_probe)``
    measured after that many epochs; epoch 0 is the model before training.
    A unit is dead on ``x_probe`` when its output is <= ``threshold`` for every
    probe sample. Calling ``fit`` again continues the epoch count.

    Example::

        tracker = actlab.DeadUnitsTracker(x_train[:512])
        model.fit(x_train, y_train, epochs=5, callbacks=[tracker], verbose=0)
        tracker.history[5]          # {"dense": 0.12, "dense_1": 0.55, ...}
        tracker.by_layer()          # {"dense": [0.0, 0.05, ...], ...}
        tracker.revived()           # {"dense": 0, "dense_1": 3, ...}: units that came back

    ``tracker.dead_masks[epoch][layer]`` is a boolean array, one entry per
    unit, True where the unit was dead at that epoch.

    Args:
        x_probe: Inputs to probe with (a fixed batch, a few hundred samples).
        every: Record every ``every`` epochs (the last epoch is always recorded).
        threshold: Outputs <= ``threshold`` count as inactive.

    Raises:
        ValueError: If ``x_probe`` is empty or ``every`` < 1.

    """

    def __init__(self, x_probe: Any, *, every: int = 1, threshold: float = 0.0) -> None:
        super().__init__()
        x = np.asarray(x_probe)
        if x.ndim == 0 or len(x) == 0:
            raise ValueError(
                "x_probe must be a non-empty batch of inputs, e.g. "
                f"x_train[:512]. Received shape {x.shape}."
            )
        self.x_probe = x
        self.every = check_int("every", every, low=1)
        self.threshold = float(threshold)
        self.history: dict[int, dict[str, float]] = {}
        self.dead_masks: dict[int, dict[str, np.ndarray]] = {}
        self._offset = 0
        self._epochs_this_fit: int | None = None

    def _record(self, epoch: int) -> None:
        self.history[epoch] = dict(dead_units(self.model, self.x_probe, threshold=self.threshold))
        self.dead_masks[epoch] = self._masks(list(self.history[epoch]))

    def _masks(self, paths: list[str]) -> dict[str, np.ndarray]:
        """Per site, True for each unit whose output is <= threshold on every probe sample."""
        layers = {s.path for s in find_activations(self.model) if s.kind in ("argument", "layer")}
        selected = [p for p in paths if p in layers]
        outputs = get_activations(self.model, self.x_probe, layers=selected)
        masks: dict[str, np.ndarray] = {}
        for key, out in outputs.items():
            base = key.split("@")[0]  # a shared layer's unit is dead only if dead in every call
            flat = out.reshape(-1, out.shape[-1]) if out.ndim > 1 else out.reshape(-1, 1)
            dead = flat.max(axis=0) <= self.threshold
            masks[base] = dead if base not in masks else masks[base] & dead
        return masks

    def on_train_begin(self, logs: Any = None) -> None:
        """Record the state before training (epoch 0) on the first ``fit``."""
        self._epochs_this_fit = (self.params or {}).get("epochs")
        if not self.history:
            self._record(0)
        self._offset = max(self.history)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        """Record after every ``every`` epochs and after the last one."""
        last = self._epochs_this_fit is not None and epoch + 1 == self._epochs_this_fit
        if (epoch + 1) % self.every == 0 or last:
            self._record(self._offset + epoch + 1)

    @property
    def epochs(self) -> list[int]:
        """The recorded epochs, ascending."""
        return sorted(self.history)

    def by_layer(self) -> dict[str, list[float]]:
        """``{layer: [fraction at each recorded epoch]}`` (for line plots)."""
        layers: dict[str, list[float]] = {}
        for epoch in self.epochs:
            for layer, frac in self.history[epoch].items():
                layers.setdefault(layer, []).append(frac)
        return layers

    def revived(self) -> dict[str, int]:
        """Per layer, how many units were dead at one record and alive at the next.

        A unit that dies and comes back twice counts once. A dead unit's own
        weights get no gradient, so a revival means that the layers before it
        changed what it receives (or momentum moved its weights).

        Returns:
            ``{layer: number of units that came back}``; 0 everywhere when fewer
            than two epochs were recorded.

        """
        epochs = self.epochs
        counts: dict[str, int] = {}
        for layer in self.dead_masks.get(epochs[0], {}) if epochs else {}:
            came_back = np.zeros_like(self.dead_masks[epochs[0]][layer], dtype=bool)
            for before, after in zip(epochs, epochs[1:], strict=False):
                was, now = self.dead_masks[before].get(layer), self.dead_masks[after].get(layer)
                if was is not None and now is not None and was.shape == now.shape:
                    came_back |= was & ~now
            counts[layer] = int(came_back.sum())
        return counts

    def last(self) -> dict[str, float]:
        """The most recent record ``{layer: fraction}``."""
        if not self.history:
            raise ValueError(
                "Nothing recorded yet: pass the tracker to model.fit(callbacks=[...])."
            )
        return self.history[max(self.history)]
