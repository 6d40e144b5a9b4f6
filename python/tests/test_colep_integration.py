"""The files written here, read by the real `colep` binary.

The binary is $SURETY_COLEP, else <repo>/.build/debug/colep; when neither exists the tests
are skipped with that reason (build it with `swift build` at the repository root).
"""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import DIGITS_RULES, REPO
from surety_colep import Smoother

DRAWS, SIGMA, EPS = 100, 0.25, 0.1


def colep_binary():
    given = os.environ.get("SURETY_COLEP")
    return Path(given) if given else REPO / ".build" / "debug" / "colep"


COLEP = colep_binary()
if not (COLEP.is_file() and os.access(COLEP, os.X_OK)):
    pytest.skip(f"no colep binary at {COLEP} ({'SURETY_COLEP' if os.environ.get('SURETY_COLEP') else 'the default path'}); "
                "build it with `swift build` at the repository root or point SURETY_COLEP at one", allow_module_level=True)


def run(arguments, cwd):
    result = subprocess.run([str(COLEP)] + arguments, cwd=cwd, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def files(tmp_path_factory, digits_sensors):
    """Calibration and test splits (CSV votes, NPY means) and a PGD-attacked test split, in
    one folder with a copy of the rules, so that relative paths work for `colep verify`."""
    s = digits_sensors
    folder = tmp_path_factory.mktemp("colep")
    shutil.copy(DIGITS_RULES, folder / "digits.rules")
    votes = Smoother(s, folder / "digits.rules", sigma=SIGMA, draws=DRAWS, seed=1, quiet=True)
    votes.write(folder / "cal.csv", s.x_cal, s.y_cal)
    votes.write(folder / "test.csv", s.x_test, s.y_test)
    votes.write_attacked(folder / "attacked.csv", s.x_test, s.y_test, s.pgd(EPS), eps=EPS)
    means = Smoother(s, folder / "digits.rules", sigma=SIGMA, draws=DRAWS, kind="mean", seed=2, quiet=True)
    means.write(folder / "cal.npy", s.x_cal, s.y_cal)
    means.write(folder / "test.npy", s.x_test, s.y_test)
    return folder


def common(kind="votes"):
    return ["--rules", "digits.rules", "--kind", kind, "--mc-samples", str(DRAWS), "--sigma", str(SIGMA), "--seed", "1"]


def has_colep_row(table):
    return any(line.split()[:1] == ["COLEP"] for line in table.splitlines())


def test_certify_reads_csv_votes_and_writes_a_certificate_that_verifies(files):
    code, out, err = run(["certify", "--calibration", "cal.csv", "--test", "test.csv", "--eps", str(EPS), "--output", "cert.json"]
                         + common(), files)
    assert code == 0, err
    assert has_colep_row(out), out
    certificate = json.loads((files / "cert.json").read_text())
    assert certificate["kind"] == "colep.certified-coverage"
    code, out, err = run(["verify", "cert.json"], files)
    assert code == 0, out + err


def test_certify_reads_npy_means(files):
    code, out, err = run(["certify", "--calibration", "cal.npy", "--test", "test.npy", "--eps", str(EPS)] + common("mean"), files)
    assert code == 0, err
    assert has_colep_row(out), out


def test_predict_reports_coverage_under_the_attack(files):
    code, out, err = run(["predict", "--calibration", "cal.csv", "--test", "attacked.csv"] + common(), files)
    assert code == 0, err
    coverage = float(re.search(r"coverage ([0-9.]+)", out).group(1))
    assert 0 <= coverage <= 1


def test_colep_refuses_counts_above_a_smaller_mc_samples(files):
    """The files do not record N: telling colep a smaller N than the one used is caught."""
    arguments = ["certify", "--calibration", "cal.csv", "--test", "test.csv", "--eps", str(EPS)] + common()
    arguments[arguments.index("--mc-samples") + 1] = str(DRAWS // 2)
    code, out, err = run(arguments, files)
    assert code != 0 and "vote count between 0 and N = 50" in err
