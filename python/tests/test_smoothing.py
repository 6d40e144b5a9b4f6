import math
import warnings

import numpy as np
import pytest

from helpers import LinearModel, binomial_interval, phi
from surety_colep import ConstantOutputWarning, Smoother, Variables

# Every statistical check below fails by chance with probability at most FALSE_ALARM (exact
# binomial tails, or Hoeffding's inequality where stated); with the 32 + 12 such checks of
# this file (and two noise-moment checks at far smaller rates) the chance that any fails on a
# correct implementation is below 5e-5. The seeds are fixed, so a run is reproducible.
FALSE_ALARM = 1e-6


def x_points(dim, n, seed):
    return np.random.default_rng(seed).normal(size=(n, dim))


def test_same_seed_same_estimates_and_batch_size_does_not_matter(linear_model):
    x = x_points(6, 17, 1)
    runs = [Smoother(linear_model, linear_model.variables, sigma=0.4, draws=33, seed=9, batch_size=b, quiet=True).estimates(x)
            for b in (1, 7, 100, 4096)]
    for other in runs[1:]:
        assert np.array_equal(runs[0], other)
    different = Smoother(linear_model, linear_model.variables, sigma=0.4, draws=33, seed=10, quiet=True).estimates(x)
    assert not np.array_equal(runs[0], different)
    assert runs[0].dtype == np.int64 and runs[0].min() >= 0 and runs[0].max() <= 33


def test_a_generator_can_be_passed_and_successive_calls_use_fresh_noise(linear_model):
    x = x_points(6, 5, 1)
    smoother = Smoother(linear_model, linear_model.variables, sigma=0.4, draws=200, kind="mean",
                        seed=np.random.default_rng(4), quiet=True)
    first, second = smoother.estimates(x), smoother.estimates(x)
    assert not np.array_equal(first, second)
    assert np.abs(first - second).max() < 0.2


def test_threshold_class_votes_count_each_class_column(linear_model):
    x = x_points(6, 30, 2)
    votes = Smoother(linear_model, linear_model.variables, sigma=0.4, draws=40, class_votes="threshold", seed=1,
                     quiet=True).estimates(x)
    argmax = Smoother(linear_model, linear_model.variables, sigma=0.4, draws=40, seed=1, quiet=True).estimates(x)
    assert np.all(votes[:, :3].sum(axis=1) <= 40)               # at most one softmax entry > ½ per draw
    assert np.all(votes[:, :3] <= argmax[:, :3])                # p > ½ implies argmax
    assert np.array_equal(votes[:, 3:], argmax[:, 3:])         # concepts vote the same way


def test_the_noise_is_gaussian_with_the_stated_sigma_and_keeps_the_dtype():
    seen = []

    def recorder(x):
        seen.append(x.copy())
        return np.full((len(x), 2), 0.5)

    x = np.zeros((3, 500), dtype=np.float32)
    v = Variables.from_names(["a"], ["b"])
    with pytest.warns(ConstantOutputWarning):                  # the recorder ignores its input
        Smoother(recorder, v, sigma=0.25, draws=4, seed=0, quiet=True).estimates(x)
    noise = np.concatenate(seen)
    assert noise.dtype == np.float32 and noise.shape == (12, 500)
    # 6000 standard-normal draws × σ: the sample std is within 5% of σ except with
    # probability far below 1e-6 (chi-square with 6000 degrees of freedom).
    assert abs(noise.std() / 0.25 - 1) < 0.05
    assert abs(noise.mean()) < 0.25 * 5.5 / math.sqrt(6000)


def test_votes_of_a_linear_threshold_sensor_match_the_closed_form():
    """A concept sensor σ(3(w·x + b)) votes when w·x + b > 0; under x + N(0, σ²I) that happens
    with probability Φ((w·x + b)/(σ‖w‖)) (Cohen et al. 2019, the linear case). Class votes of a
    two-class softmax are the same thing with w = u₁ − u₀. Each count is checked against the
    exact central Binomial(N, Φ(…)) range of mass 1 − FALSE_ALARM. The points are spread so
    that Φ runs over 0.04…0.96 for each sensor: a σ off by 10% fails these checks."""
    rng = np.random.default_rng(42)
    dim, sigma, draws = 5, 0.5, 10_000
    u, w = rng.normal(size=(dim, 2)), rng.normal(size=dim)
    b = 0.3
    d = u[:, 1] - u[:, 0]
    v = Variables.from_names(["no", "yes"], ["k"])

    def model(x):
        z = x @ u
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return np.hstack([z / z.sum(axis=1, keepdims=True), (1 / (1 + np.exp(-3 * (x @ w + b))))[:, None]])

    # Eight points at z = (w·x + b)/(σ‖w‖) = −1.8 … 1.8 for the concept, eight likewise for
    # the class sensor, each plus a random component orthogonal to its direction.
    t = np.linspace(-1.8, 1.8, 8)[:, None]
    def along(direction, offset):
        unit = direction / np.linalg.norm(direction)
        side = rng.normal(size=(8, dim))
        side -= np.outer(side @ unit, unit)
        return (t * sigma - offset / np.linalg.norm(direction)) * unit + side
    x = np.vstack([along(w, b), along(d, 0.0)])
    counts = Smoother(model, v, sigma=sigma, draws=draws, seed=3, quiet=True).estimates(x)
    truth = {"yes": phi(x @ d / (sigma * np.linalg.norm(d))), "k": phi((x @ w + b) / (sigma * np.linalg.norm(w)))}
    assert np.allclose(truth["k"][:8], phi(t.ravel())) and np.allclose(truth["yes"][8:], phi(t.ravel()))
    for column, name in [(1, "yes"), (2, "k")]:
        for i in range(len(x)):
            lo, hi = binomial_interval(draws, float(truth[name][i]), FALSE_ALARM)
            assert lo <= counts[i, column] <= hi, f"{name}, point {i}: {counts[i, column]} votes, expected {lo}..{hi}"
    assert np.array_equal(counts[:, 0] + counts[:, 1], np.full(16, draws))


def test_means_of_a_probit_sensor_match_the_closed_form():
    """For p(x) = Φ(a(w·x + b)), E p(x + δ) = Φ(a(w·x + b)/√(1 + a²σ²‖w‖²)) exactly. The mean
    of N draws in [0, 1] is within t = √(ln(2/FALSE_ALARM)/(2N)) of it except with probability
    FALSE_ALARM (Hoeffding); with N = 40 000, t = 0.0135, so a σ off by 10% fails."""
    rng = np.random.default_rng(8)
    dim, sigma, draws, a, b = 4, 0.5, 40_000, 3.0, -0.2
    w = rng.normal(size=dim)
    v = Variables.from_names(["only"], ["k"])
    model = lambda x: np.hstack([np.ones((len(x), 1)), phi(a * (x @ w + b))[:, None]])
    scale = math.sqrt(1 + (a * sigma * np.linalg.norm(w)) ** 2) / a
    unit = w / np.linalg.norm(w)
    z = np.linspace(-1.8, 1.8, 12)                   # the smoothed probabilities run over Φ(z)
    x = np.outer(z * scale - b, unit) / np.linalg.norm(w) + rng.normal(size=(12, dim)) * 0.1
    x -= np.outer(x @ unit - (z * scale - b) / np.linalg.norm(w), unit)
    means = Smoother(model, v, sigma=sigma, draws=draws, kind="mean", seed=5, quiet=True).estimates(x)
    truth = phi((x @ w + b) / scale)
    assert np.allclose(truth, phi(z))
    t = math.sqrt(math.log(2 / FALSE_ALARM) / (2 * draws))
    assert np.all(np.abs(means[:, 1] - truth) <= t), (means[:, 1], truth, t)
    assert np.all(means[:, 0] == 1.0)


@pytest.mark.parametrize("arguments, message", [
    (dict(sigma=0.0, draws=10), "σ = 0.0: smoothing needs noise σ > 0"),
    (dict(sigma=-0.5, draws=10), "σ > 0"),
    (dict(sigma=float("nan"), draws=10), "σ > 0"),
    (dict(sigma=0.25, draws=0), "draws = 0: N must be an integer ≥ 1"),
    (dict(sigma=0.25, draws=2.5), "N must be an integer"),
    (dict(sigma=0.25, draws=True), "N must be an integer"),
    (dict(sigma=0.25, draws=None), "N must be an integer"),
    (dict(sigma=0.25, draws="10"), "N must be an integer"),
    (dict(sigma=0.25, draws=10, kind="soft"), "kind = 'soft'"),
    (dict(sigma=0.25, draws=10, class_votes="max"), "class_votes"),
    (dict(sigma=0.25, draws=10, columns=["c0", "c1", "c2", "k0"]), "each variable of the rules exactly once"),
    (dict(sigma=0.25, draws=10, columns=["c0", "c1", "c2", "k0", "k0"]), "exactly once"),
    (dict(sigma=0.25, draws=10, batch_size=0), "batch_size"),
])
def test_misconfiguration_is_refused(linear_model, arguments, message):
    with pytest.raises(ValueError, match=message):
        Smoother(linear_model, linear_model.variables, **arguments)


def test_model_output_errors_name_the_sample_and_column(linear_model):
    v = linear_model.variables
    x = x_points(6, 10, 0)

    def shaped(x):
        return linear_model(x)[:, :4]

    def out_of_range(x):
        p = linear_model(x)
        p[(len(x) > 14) * 14:, 3] = 1.25                 # rows from sample 7 (draw 0) on
        return p

    def not_a_number(x):
        p = linear_model(x)
        p[5, 1] = np.nan
        return p

    with pytest.raises(ValueError, match=r"shape \(8, 4\) for a batch of 8 inputs: expected \(8, 5\)"):
        Smoother(shaped, v, sigma=0.2, draws=2, batch_size=8, quiet=True).estimates(x)
    with pytest.raises(ValueError, match=r"sample 7 \(noise draw 0\), column 'k0': the model returned 1.25"):
        Smoother(out_of_range, v, sigma=0.2, draws=2, batch_size=20, quiet=True).estimates(x)
    with pytest.raises(ValueError, match=r"sample 2 \(noise draw 1\), column 'c1': the model returned nan"):
        Smoother(not_a_number, v, sigma=0.2, draws=2, batch_size=20, quiet=True).estimates(x)
    with pytest.raises(ValueError, match="not an array of probabilities"):
        Smoother(lambda x: object(), v, sigma=0.2, draws=2, quiet=True).estimates(x)
    with pytest.raises(ValueError, match="at least one sample"):
        Smoother(linear_model, v, sigma=0.2, draws=2, quiet=True).estimates(np.zeros((0, 6)))


def test_a_model_that_ignores_its_input_is_flagged(linear_model):
    v = linear_model.variables
    x = x_points(6, 4, 0)
    constant = lambda batch: np.tile([0.2, 0.3, 0.5, 0.9, 0.1], (len(batch), 1))
    with pytest.warns(ConstantOutputWarning, match="bit-identical across all noise draws"):
        Smoother(constant, v, sigma=0.2, draws=10, quiet=True).estimates(x)
    clean = x.copy()                                  # the noise never reaches the model
    stale = lambda batch: linear_model(clean[np.arange(len(batch)) // 10 % len(clean)])
    with pytest.warns(ConstantOutputWarning):
        Smoother(stale, v, sigma=0.2, draws=10, batch_size=40, quiet=True).estimates(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Smoother(linear_model, v, sigma=0.2, draws=10, quiet=True).estimates(x)
        Smoother(linear_model, v, sigma=0.2, draws=1, quiet=True).estimates(x)   # one draw: nothing to compare


def test_progress_goes_to_stderr_unless_quiet(linear_model, capsys):
    x = x_points(6, 3, 0)
    Smoother(linear_model, linear_model.variables, sigma=0.2, draws=5, quiet=True).estimates(x)
    assert capsys.readouterr() == ("", "")
    Smoother(linear_model, linear_model.variables, sigma=0.2, draws=5).estimates(x, label="calibration")
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("surety_colep: calibration: 3 samples × 5 draws in ") and err.count("\n") == 1


def test_colep_arguments_name_kind_draws_and_sigma(linear_model):
    s = Smoother(linear_model, linear_model.variables, sigma=0.25, draws=1000, kind="mean")
    assert s.colep_arguments() == ["--kind", "mean", "--mc-samples", "1000", "--sigma", "0.25"]


def test_inputs_of_any_shape_and_integer_dtype():
    v = Variables.from_names(["a", "b"])
    images = np.zeros((3, 2, 4, 4), dtype=np.uint8)
    model = lambda x: np.stack([(x.reshape(len(x), -1).sum(1) > 0), (x.reshape(len(x), -1).sum(1) <= 0)], 1).astype(float)
    votes = Smoother(model, v, sigma=1.0, draws=50, seed=0, quiet=True).estimates(images)
    assert votes.shape == (3, 2) and np.all(votes.sum(1) == 50) and votes[:, 0].min() > 5
