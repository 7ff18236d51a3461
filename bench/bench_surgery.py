"""Speed of actlab.surgery and actlab.probes against hand-written baselines.

Targets (DESIGN.md section 6):

* ``swap_activations`` on ResNet50 (``weights=None``) within 1.5x of a plain
  ``keras.models.clone_model`` + ``set_weights``;
* ``swap_activations`` (GELU -> ReLU inside custom-layer blocks) on a 12-block
  transformer encoder with BERT-base shapes (hidden 768, 12 heads, MLP 3072,
  128 tokens; random weights) within 1.5x of ``clone_model`` + ``set_weights``
  on the same model;
* ``get_activations`` within 1.2x of a hand-written multi-output
  ``keras.Model`` run over the same batches;
* ``gradient_norms`` within 1.2x of a hand-written ``tf.GradientTape`` loop
  over the same batches;
* the 10th call no slower than the first.

Each comparison runs side by side in one process, after a warm-up, and
reports the median of several interleaved runs. ``run()`` returns the rows;
``python bench/bench_surgery.py`` prints them (``... transformer``: only the
transformer row).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from actlab import probes  # noqa: E402
from actlab.probes import get_activations, gradient_norms  # noqa: E402
from actlab.surgery import swap_activations  # noqa: E402

REPEATS = 7
BATCH = 256
N_SAMPLES = 1024


def _time(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _side_by_side(
    ours: Callable[[], Any], base: Callable[[], Any], repeats: int
) -> tuple[float, float, float]:
    """Interleaved runs after one warm-up of each.

    Returns the median of the per-pair ratios ours/baseline (each pair runs
    back to back, so both see the same machine load) and the two medians.
    """
    ours()
    base()
    t_ours, t_base = [], []
    for _ in range(repeats):
        t_base.append(_time(base))
        t_ours.append(_time(ours))
    ratio = statistics.median(o / b for o, b in zip(t_ours, t_base, strict=True))
    return ratio, statistics.median(t_ours), statistics.median(t_base)


def _row(name: str, value: float, unit: str, target: float | None, detail: str) -> dict:
    return {
        "name": name,
        "value": round(value, 3),
        "unit": unit,
        "target": None if target is None else f"<= {target}",
        "ok": None if target is None else bool(value <= target),
        "detail": detail,
    }


def bench_swap() -> list[dict]:
    keras.utils.set_random_seed(0)
    model = keras.applications.ResNet50(weights=None)

    def ours() -> Any:
        return swap_activations(model, {"relu": "leaky_relu"})

    def base() -> Any:
        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        return clone

    ratio, t_ours, t_base = _side_by_side(ours, base, REPEATS)
    return [
        _row(
            "swap_activations ResNet50 / clone_model+set_weights",
            ratio,
            "x",
            1.5,
            f"swap {t_ours * 1000:.0f} ms, clone+set_weights {t_base * 1000:.0f} ms "
            f"(medians of {REPEATS} interleaved runs; ratio = median of per-pair ratios; "
            f"{len(model.layers)} layers)",
        )
    ]


@keras.saving.register_keras_serializable(package="actlab_bench")
class EncoderBlock(keras.layers.Layer):
    """A BERT-style encoder block as a custom layer (post-norm, GELU MLP).

    Its config carries the sizes but no activation: the GELU lives in the
    ``intermediate`` Dense sublayer, as in widely used model libraries.
    """

    def __init__(self, hidden: int = 768, heads: int = 12, inner: int = 3072, **kwargs: Any):
        super().__init__(**kwargs)
        self.hidden, self.heads, self.inner = hidden, heads, inner
        self.attention = keras.layers.MultiHeadAttention(heads, hidden // heads, name="attention")
        self.attention_norm = keras.layers.LayerNormalization(epsilon=1e-12, name="attention_norm")
        self.intermediate = keras.layers.Dense(inner, activation="gelu", name="intermediate")
        self.output_dense = keras.layers.Dense(hidden, name="output_dense")
        self.output_norm = keras.layers.LayerNormalization(epsilon=1e-12, name="output_norm")

    def call(self, x: Any) -> Any:
        h = self.attention_norm(x + self.attention(x, x))
        return self.output_norm(h + self.output_dense(self.intermediate(h)))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "hidden": self.hidden,
            "heads": self.heads,
            "inner": self.inner,
        }


def bert_base(blocks: int = 12, seq_len: int = 128, hidden: int = 768) -> keras.Model:
    """A BERT-base-shaped encoder of custom-layer blocks, pooled on the first token."""
    keras.utils.set_random_seed(0)
    tokens = keras.Input((seq_len, hidden), name="token_embeddings")
    h = keras.layers.LayerNormalization(epsilon=1e-12, name="embeddings_norm")(tokens)
    for i in range(blocks):
        h = EncoderBlock(hidden, name=f"block_{i + 1}")(h)
    pooled = keras.layers.Dense(hidden, activation="tanh", name="pooler")(h[:, 0, :])
    return keras.Model(tokens, pooled, name="bert_base_encoder")


def bench_transformer(repeats: int = 3) -> list[dict]:
    model = bert_base()
    n_params = model.count_params()

    def ours() -> Any:
        return swap_activations(model, {"gelu": "relu"})

    def base() -> Any:
        clone = keras.models.clone_model(model)
        clone.set_weights(model.get_weights())
        return clone

    ratio, t_ours, t_base = _side_by_side(ours, base, repeats)
    return [
        _row(
            "swap_activations BERT-base encoder / clone_model+set_weights",
            ratio,
            "x",
            1.5,
            f"swap {t_ours * 1000:.0f} ms, clone+set_weights {t_base * 1000:.0f} ms "
            f"(medians of {repeats} interleaved runs; 12 custom-layer blocks, hidden 768, "
            f"12 heads, MLP 3072, 128 tokens, {n_params / 1e6:.1f}M weights, GELU -> ReLU "
            "in 12 sublayers)",
        )
    ]


def _cnn() -> keras.Model:
    keras.utils.set_random_seed(0)
    inp = keras.Input((28, 28, 1))
    h = keras.layers.Conv2D(16, 3, activation="relu", name="conv1")(inp)
    h = keras.layers.Conv2D(32, 3, name="conv2")(h)
    h = keras.layers.ReLU(name="relu2")(h)
    h = keras.layers.MaxPooling2D(name="pool")(h)
    h = keras.layers.Flatten(name="flat")(h)
    h = keras.layers.Dense(128, activation="relu", name="dense")(h)
    out = keras.layers.Dense(10, activation="softmax", name="out")(h)
    model = keras.Model(inp, out, name="bench_cnn")
    model.compile(loss="sparse_categorical_crossentropy")
    return model


def bench_probes() -> list[dict]:
    model = _cnn()
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(N_SAMPLES, 28, 28, 1)).astype("float32")
    y = rng.integers(0, 10, size=N_SAMPLES)
    names = [layer.name for layer in model.layers[1:]]
    hand = keras.Model(model.inputs, [model.get_layer(n).output for n in names])

    def base_acts() -> list[np.ndarray]:
        chunks = [hand.predict_on_batch(x[i : i + BATCH]) for i in range(0, len(x), BATCH)]
        return [np.concatenate(parts) for parts in zip(*chunks, strict=True)]

    def base_acts_predict() -> Any:
        return hand.predict(x, batch_size=BATCH, verbose=0)

    def ours_acts() -> Any:
        return get_activations(model, x, batch_size=BATCH)

    r_obb, t_ours, t_obb = _side_by_side(ours_acts, base_acts, REPEATS)
    r_pred, _, t_pred = _side_by_side(ours_acts, base_acts_predict, REPEATS)
    rows = [
        _row(
            "get_activations / hand-written multi-output Model",
            max(r_obb, r_pred),
            "x",
            1.2,
            f"ours {t_ours * 1000:.0f} ms, predict_on_batch loop {t_obb * 1000:.0f} ms, "
            f"predict {t_pred * 1000:.0f} ms (ratio vs the faster), {len(x)} samples, "
            f"{len(names)} layers, batch {BATCH}",
        )
    ]

    kernels = [layer.trainable_weights[0] for layer in model.layers if layer.trainable_weights]
    loss_fn = keras.losses.SparseCategoricalCrossentropy()

    @tf.function(
        input_signature=[
            tf.TensorSpec((None, 28, 28, 1), tf.float32),
            tf.TensorSpec((None,), tf.int64),
        ]
    )
    def step(xb: Any, yb: Any) -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(yb, model(xb, training=False))
        return tape.gradient(loss, kernels)

    def base_grads() -> list[float]:
        total = None
        for i in range(0, len(x), BATCH):
            g = step(x[i : i + BATCH], y[i : i + BATCH])
            w = len(y[i : i + BATCH]) / len(x)
            total = (
                [gi * w for gi in g]
                if total is None
                else [t + gi * w for t, gi in zip(total, g, strict=True)]
            )
        return [float(tf.norm(t)) for t in total]

    def ours_grads() -> Any:
        return gradient_norms(model, x, y, batch_size=BATCH)

    ratio, t_ours, t_base = _side_by_side(ours_grads, base_grads, REPEATS)
    check = np.allclose(list(ours_grads().values()), base_grads(), rtol=1e-4)
    rows.append(
        _row(
            "gradient_norms / hand-written GradientTape loop",
            ratio,
            "x",
            1.2,
            f"ours {t_ours * 1000:.0f} ms, tape loop {t_base * 1000:.0f} ms, "
            f"results equal: {check}",
        )
    )

    # First call (builds and traces the probe) vs the 10th, on a fresh model.
    # One batch of data, so that per-call costs (a rebuild, a retrace, a growing
    # cache) are not hidden behind the compute.
    xs, ys = x[:BATCH], y[:BATCH]
    for label, call in (
        ("get_activations", lambda m: get_activations(m, xs, batch_size=BATCH)),
        ("gradient_norms", lambda m: gradient_norms(m, xs, ys, batch_size=BATCH)),
    ):
        fresh = _cnn()
        times = [_time(lambda m=fresh, f=call: f(m)) for _ in range(10)]
        rows.append(
            _row(
                f"{label}: 10th call / 1st call",
                times[9] / times[0],
                "x",
                1.0,
                f"1st {times[0] * 1000:.0f} ms (builds + traces), 10th {times[9] * 1000:.0f} ms, "
                f"median of calls 2-10 {statistics.median(times[1:]) * 1000:.0f} ms, "
                f"{len(xs)} samples, "
                f"probes built: {probes.BUILD_COUNT}",
            )
        )
    return rows


def run() -> list[dict]:
    """Run every measurement and return the rows."""
    return bench_swap() + bench_transformer() + bench_probes()


def main() -> None:
    rows = bench_transformer() if sys.argv[1:] == ["transformer"] else run()
    for row in rows:
        mark = {True: "ok  ", False: "MISS", None: "    "}[row["ok"]]
        target = row["target"] or ""
        value = f"{row['value']:>7.3f}{row['unit']}"
        print(f"{mark} {row['name']:<55} {value}  {target:<8} {row['detail']}")


if __name__ == "__main__":
    main()
