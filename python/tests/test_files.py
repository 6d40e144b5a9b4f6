"""The files are read back here by code independent of the writer (the csv module, and a
hand-rolled NPY header parser), against the layout of Sources/COLEP/SensorSplit+CSV.swift."""

import ast
import csv
import struct

import numpy as np
import pytest

from surety_colep import Smoother, write_split
from surety_colep._atomic import write_atomically


def read_npy_by_hand(path):
    """Parses NPY version 1/2/3: magic, version, header length, the header dict, data."""
    raw = path.read_bytes()
    assert raw[:6] == b"\x93NUMPY"
    major = raw[6]
    if major == 1:
        (length,), start = struct.unpack("<H", raw[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", raw[8:12]), 12
    header = ast.literal_eval(raw[start:start + length].decode("latin1"))
    data = np.frombuffer(raw[start + length:], dtype=header["descr"])
    return header, data.reshape(header["shape"])


def inputs(n=40, dim=6, seed=3):
    return np.random.default_rng(seed).normal(size=(n, dim))


def test_csv_votes_layout(tmp_path, linear_model):
    x, labels = inputs(), [i % 3 for i in range(40)]
    draws = 50
    smoother = Smoother(linear_model, linear_model.variables, sigma=0.5, draws=draws, seed=7, quiet=True)
    written = smoother.write(tmp_path / "cal.csv", x, labels)
    with open(tmp_path / "cal.csv", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["label", "c0", "c1", "c2", "k0", "k1"]
    assert len(rows) == 41
    assert [r[0] for r in rows[1:]] == [f"c{i % 3}" for i in range(40)]
    counts = np.array([[int(v) for v in r[1:]] for r in rows[1:]])       # int() refuses "3.0"
    assert np.array_equal(counts, written)
    assert counts.min() >= 0 and counts.max() <= draws
    assert np.all(counts[:, :3].sum(axis=1) == draws), "argmax class votes: exactly one class per draw"
    assert (tmp_path / "cal.csv").read_text().endswith("\n")


def test_npy_layout_matches_the_csv(tmp_path, linear_model):
    x, labels = inputs(), ["c2"] * 20 + [1] * 20
    for name in ["test.csv", "test.npy"]:
        Smoother(linear_model, linear_model.variables, sigma=0.5, draws=30, seed=11, quiet=True).write(tmp_path / name, x, labels)
    header, array = read_npy_by_hand(tmp_path / "test.npy")
    assert header == {"descr": "<f8", "fortran_order": False, "shape": (40, 6)}
    assert np.array_equal(array[:, 0], [2.0] * 20 + [1.0] * 20)
    with open(tmp_path / "test.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert np.array_equal(array[:, 1:], np.array([[float(v) for v in r[1:]] for r in rows]))
    assert np.array_equal(np.load(tmp_path / "test.npy"), array)


def test_mean_csv_reads_back_bit_for_bit(tmp_path, linear_model):
    smoother = Smoother(linear_model, linear_model.variables, sigma=0.5, draws=25, kind="mean", seed=2, quiet=True)
    means = smoother.write(tmp_path / "cal.csv", inputs(), [0] * 40)
    with open(tmp_path / "cal.csv", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    back = np.array([[float(v) for v in r[1:]] for r in rows])
    assert np.array_equal(back, means)
    assert back.min() >= 0 and back.max() <= 1
    assert np.allclose(back[:, :3].sum(axis=1), 1), "mean softmax columns still sum to one"


def test_model_columns_in_another_order_give_the_same_file(tmp_path, linear_model):
    order = [4, 0, 3, 2, 1]                          # the model returns k1, c0, k0, c2, c1
    names = [linear_model.variables.default_columns[k] for k in order]

    def permuted(x):
        return linear_model(x)[:, order]

    for name, model, columns in [("a.csv", linear_model, None), ("b.csv", permuted, names)]:
        Smoother(model, linear_model.variables, sigma=0.3, draws=20, columns=columns, seed=5, quiet=True).write(
            tmp_path / name, inputs(), [0] * 40)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_write_split_refuses_what_colep_would_refuse(tmp_path, linear_model):
    v = linear_model.variables
    good = np.zeros((2, 5), dtype=int)
    cases = [
        (dict(estimates=np.zeros((2, 4)), labels=[0, 1], kind="votes", draws=5), r"shape \(2, 4\)"),
        (dict(estimates=good + 6, labels=[0, 1], kind="votes", draws=5), r"sample 0, column 'c0': 6 is not an integer vote count in 0..5"),
        (dict(estimates=good + 0.5, labels=[0, 1], kind="votes", draws=5), "not an integer vote count"),
        (dict(estimates=good, labels=[0, 1], kind="votes", draws=None), "vote counts need the number N"),
        (dict(estimates=np.where(np.eye(2, 5) > 0, np.nan, 0.5)[::-1], labels=[0, 1], kind="mean"),
         r"sample 0, column 'c1': nan is not a mean probability in \[0, 1\]"),
        (dict(estimates=good + 1.5, labels=[0, 1], kind="mean"), r"not a mean probability in \[0, 1\]"),
        (dict(estimates=good, labels=[0, 3], kind="votes", draws=5), "label of sample 1: 3 is out of range"),
        (dict(estimates=good, labels=[0], kind="votes", draws=5), "1 labels for 2 samples"),
        (dict(estimates=good[:0], labels=[], kind="votes", draws=5), "no samples"),
        (dict(estimates=good, labels=[0, 1], kind="soft", draws=5), "kind = 'soft'"),
    ]
    for arguments, message in cases:
        with pytest.raises(ValueError, match=message):
            write_split(tmp_path / "x.csv", variables=v, **arguments)
    assert list(tmp_path.iterdir()) == []


def test_writes_are_atomic(tmp_path):
    path = tmp_path / "cal.csv"
    path.write_text("old\n")

    def fail_halfway(handle):
        handle.write("label,new")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomically(path, fail_halfway, mode="w")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cal.csv"], "the temporary file is removed"
    write_atomically(path, lambda h: h.write("new\n"), mode="w")
    assert path.read_text() == "new\n"
