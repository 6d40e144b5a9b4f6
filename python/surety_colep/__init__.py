"""Turn your own model into the files Surety's ``colep`` tool reads.

``colep`` runs COLEP (Kang, Gürel, Li, Li, "COLEP: Certifiably Robust Learning-Reasoning
Conformal Prediction via Probabilistic Circuits", ICLR 2024) on per-sample randomized-smoothing
estimates (Cohen, Rosenfeld, Kolter, ICML 2019) of N_c class sensors and L concept sensors.
This package makes those estimates from any function ``batch -> probabilities`` and writes
them in ``colep``'s CSV or NPY layout::

    from surety_colep import Smoother

    smoother = Smoother(model, "digits.rules", sigma=0.25, draws=1000, seed=1)
    smoother.write("cal.csv", x_cal, y_cal)
    smoother.write("test.csv", x_test, y_test)
    smoother.write_attacked("attacked.csv", x_test, y_test, my_pgd, eps=0.1)
    # colep certify --calibration cal.csv --test test.csv --rules digits.rules \\
    #     --mc-samples 1000 --sigma 0.25 --eps 0.1

Only NumPy is needed at run time.
"""

from .attack import RELATIVE_TOLERANCE, apply_attack
from .files import write_split
from .rules import Rule, Variables, parse_rules, read_rules, write_rules
from .smoothing import ConstantOutputWarning, Smoother

__all__ = ["Smoother", "ConstantOutputWarning", "Variables", "Rule", "parse_rules", "read_rules", "write_rules",
           "write_split", "apply_attack", "RELATIVE_TOLERANCE"]
__version__ = "0.1.0"
