import csv

import numpy as np
import pytest

from surety_colep import RELATIVE_TOLERANCE, Smoother, apply_attack


def radial_attack(scale_of_sample):
    """Moves sample i by ε·scale_of_sample(i) along a fixed random direction."""
    def make(eps):
        def attack(xb, yb, offset=[0]):
            rng = np.random.default_rng(offset[0])
            direction = rng.normal(size=xb.shape)
            direction /= np.linalg.norm(direction.reshape(len(xb), -1), axis=1).reshape((-1,) + (1,) * (xb.ndim - 1))
            scales = np.array([scale_of_sample(offset[0] + k) for k in range(len(xb))])
            offset[0] += len(xb)
            return xb + eps * scales.reshape((-1,) + (1,) * (xb.ndim - 1)) * direction
        return attack
    return make


def test_a_perturbation_within_eps_is_accepted_and_written(tmp_path, linear_model):
    x = np.random.default_rng(0).normal(size=(20, 6))
    labels = ["c0", "c1", "c2", "c0"] * 5
    seen_labels = []

    def attack(xb, yb):
        seen_labels.extend(yb.tolist())
        return radial_attack(lambda i: 1.0)(0.1)(xb, yb)     # exactly ε (up to roundoff)

    smoother = Smoother(linear_model, linear_model.variables, sigma=0.25, draws=20, seed=1, quiet=True)
    attacked = smoother.write_attacked(tmp_path / "attacked.csv", x, labels, attack, eps=0.1, attack_batch_size=6)
    assert seen_labels == [0, 1, 2, 0] * 5, "the attack sees class indices, batch by batch"
    norms = np.linalg.norm(attacked - x, axis=1)
    assert np.allclose(norms, 0.1) and norms.max() <= 0.1 * (1 + RELATIVE_TOLERANCE)
    with open(tmp_path / "attacked.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["label", "c0", "c1", "c2", "k0", "k1"] and len(rows) == 21
    assert [r[0] for r in rows[1:]] == labels


def test_a_perturbation_beyond_eps_is_refused_naming_the_sample_and_norm(tmp_path, linear_model):
    x = np.random.default_rng(0).normal(size=(20, 6))
    attack = radial_attack(lambda i: 1.5 if i == 13 else 0.5)(0.1)
    smoother = Smoother(linear_model, linear_model.variables, sigma=0.25, draws=20, seed=1, quiet=True)
    with pytest.raises(ValueError, match=r"sample 13: the attack moved the input by ‖x_adv − x‖₂ = 0\.1(5|49999)\d* > ε = 0\.1"):
        smoother.write_attacked(tmp_path / "attacked.csv", x, [0] * 20, attack, eps=0.1, attack_batch_size=6)
    assert not (tmp_path / "attacked.csv").exists()
    assert list(tmp_path.iterdir()) == []


def test_the_tolerance_is_one_part_in_a_billion():
    x = np.zeros((2, 3))
    exact = lambda factor: (lambda xb, yb: xb + np.array([1.0, 0, 0]) * factor)
    apply_attack(exact(1 + 1e-10), x, [0, 0], eps=1.0)
    with pytest.raises(ValueError, match="sample 0"):
        apply_attack(exact(1 + 1e-8), x, [0, 0], eps=1.0)
    apply_attack(exact(0.0), x, [0, 0], eps=0.0)
    with pytest.raises(ValueError, match="sample 0"):
        apply_attack(exact(1e-300), x, [0, 0], eps=0.0)


def test_the_norm_is_over_the_whole_sample_of_any_shape():
    x = np.zeros((3, 2, 2))
    attack = lambda xb, yb: xb + 0.05            # four entries of 0.05: norm 0.1
    assert np.allclose(apply_attack(attack, x, [0, 0, 0], eps=0.1), 0.05)
    with pytest.raises(ValueError, match="sample 0"):
        apply_attack(attack, x, [0, 0, 0], eps=0.0999)


@pytest.mark.parametrize("attack, eps, message", [
    (lambda xb, yb: xb[:-1], 0.1, r"returned shape \(2, 3\) for a batch of shape \(3, 3\)"),
    (lambda xb, yb: xb * np.nan, 0.1, "NaN or ∞ for sample 0"),
    (lambda xb, yb: xb, -0.1, "ε = -0.1"),
    (lambda xb, yb: xb, float("inf"), "finite"),
])
def test_malformed_attacks_are_refused(attack, eps, message):
    with pytest.raises(ValueError, match=message):
        apply_attack(attack, np.ones((3, 3)), [0, 0, 0], eps=eps)


def test_labels_are_checked_before_attacking(tmp_path, linear_model):
    smoother = Smoother(linear_model, linear_model.variables, sigma=0.25, draws=5, quiet=True)
    called = []
    with pytest.raises(ValueError, match="label of sample 1: 'k0' is not a class"):
        smoother.write_attacked(tmp_path / "a.csv", np.zeros((2, 6)), ["c0", "k0"], lambda xb, yb: called.append(1) or xb, eps=0.1)
    assert not called
