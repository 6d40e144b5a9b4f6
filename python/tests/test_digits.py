"""End to end on a scikit-learn model: the digits, the rules of Examples/colep-digits."""

import csv

import numpy as np

from surety_colep import Smoother


def test_smoothed_digit_sensors_are_accurate_and_files_are_complete(tmp_path, digits_sensors):
    s = digits_sensors
    smoother = Smoother(s, s.variables, sigma=s.sigma, draws=100, seed=1, quiet=True)
    cal = smoother.write(tmp_path / "cal.csv", s.x_cal, s.y_cal)
    test = smoother.write(tmp_path / "test.npy", s.x_test, [f"d{k}" for k in s.y_test])
    # The smoothed main model (the class with the most votes) is a good classifier ...
    assert np.mean(np.argmax(cal[:, :10], axis=1) == s.y_cal) > 0.85
    assert np.mean(np.argmax(test[:, :10], axis=1) == s.y_test) > 0.85
    # ... and the smoothed concept sensors see the concepts of the true digit.
    truth = np.array(s.variables.concept_table())[s.y_test]
    assert np.mean((test[:, 10:] > 50) == truth) > 0.85
    with open(tmp_path / "cal.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["label"] + list(s.variables.names) and len(rows) == len(s.y_cal) + 1
    array = np.load(tmp_path / "test.npy")
    assert array.shape == (len(s.y_test), 16) and np.array_equal(array[:, 0], s.y_test)


def test_pgd_on_the_digits_stays_within_eps_and_hurts(tmp_path, digits_sensors):
    s = digits_sensors
    attack = s.pgd(eps=0.5)
    smoother = Smoother(s, s.variables, sigma=s.sigma, draws=50, seed=2, quiet=True)
    x, y = s.x_test[:120], s.y_test[:120]
    attacked = smoother.write_attacked(tmp_path / "attacked.csv", x, y, attack, eps=0.5)
    assert np.linalg.norm(attacked - x, axis=1).max() <= 0.5 * (1 + 1e-9)
    assert np.mean(s.main.predict(attacked) == y) < np.mean(s.main.predict(x) == y), "the attack lowers clean accuracy"
