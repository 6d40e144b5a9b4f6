import os

# One BLAS thread: the tests' matrices are small, and on a busy two-core machine OpenBLAS's
# threads oversubscribe it (training the digits sensors went from 3 s to 28 s). Set before
# NumPy is imported; an explicit setting in the environment wins.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import pytest  # noqa: E402

from helpers import LinearModel  # noqa: E402


@pytest.fixture
def linear_model():
    """Three classes, two concepts, six input dimensions."""
    return LinearModel(classes=3, concepts=2, dim=6, seed=0)


@pytest.fixture(scope="session")
def digits_sensors():
    """Sensors trained once per session on scikit-learn's digits (σ = 0.25)."""
    from digits_sensors import train
    return train()
