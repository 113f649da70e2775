#!/usr/bin/env python3
"""Fits the polynomial coefficients of the float32 tanh / sigmoid kernels in src/Rnn/Kernels/FastMath.cs.

Run by hand (numpy only): /usr/bin/python3 tools/kernels/fit_activation.py
Prints the coefficients and the fit's relative error in exact arithmetic (the rounding of float32 evaluation comes
on top; the tests measure the end result in ulps against double precision).

  exp(r) ≈ 1 + r + r²·E(r),  |r| ≤ ln2/2                 E of degree 4, minimax in relative error of exp
  tanh(x) ≈ x + x³·P(x²),    0 ≤ x ≤ SMALL                P of degree 4, minimax in relative error of tanh
Minimax by iteratively reweighted least squares (Lawson's algorithm) on a dense grid.
"""
import numpy as np

SMALL = 0.625


def lawson(basis, target, weight, iters=400):
    """min over c of max |weight·(basis·c − target)| by Lawson's reweighting of least squares."""
    w = np.ones(len(target)) / len(target)
    for _ in range(iters):
        sw = np.sqrt(w)
        c, *_ = np.linalg.lstsq(basis * (sw * weight)[:, None], target * sw * weight, rcond=None)
        err = np.abs(weight * (basis @ c - target))
        w = w * err
        w /= w.sum()
    return c, np.max(np.abs(weight * (basis @ c - target)))


def fit_exp():
    r = np.linspace(-np.log(2) / 2, np.log(2) / 2, 20001)
    r = r[r != 0]
    # exp(r) = 1 + r + r² E(r): fit E(r) ≈ (exp(r) − 1 − r)/r², error weighted by r²/exp(r) (relative error of exp)
    target = (np.expm1(r) - r) / r**2
    basis = np.stack([r**i for i in range(5)], axis=1)
    c, err = lawson(basis, target, r**2 / np.exp(r))
    return c, err


def fit_tanh():
    x = np.linspace(1e-4, SMALL, 20001)
    # tanh(x) = x + x³ P(x²): fit P(u) ≈ (tanh(x) − x)/x³, weighted by x³/tanh(x)
    target = (np.tanh(x) - x) / x**3
    u = x * x
    basis = np.stack([u**i for i in range(5)], axis=1)
    c, err = lawson(basis, target, x**3 / np.tanh(x))
    return c, err


if __name__ == "__main__":
    ce, ee = fit_exp()
    print("exp E coefficients (r^0..r^4):", ", ".join(f"{v:.9e}" for v in ce), f" max rel err {ee:.2e}")
    ct, et = fit_tanh()
    print(f"tanh P coefficients (u^0..u^4) on [0, {SMALL}]:", ", ".join(f"{v:.9e}" for v in ct), f" max rel err {et:.2e}")
