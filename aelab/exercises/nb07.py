"""The checks of notebooks/07-stacked-autoencoders.ipynb.

Each check takes the student's answer and the objects the notebook built (the fitted stacks,
the data, the labels), computes the reference itself, and returns a :class:`Feedback` that
names the likely mistake and gives a hint, never the expected value. The notebook calls
``check_…(…).assert_ok()``, so a wrong instructor solution fails the notebook tests.

Taught in notebooks/07-stacked-autoencoders.ipynb.
"""
from __future__ import annotations

import numpy as np

from ..backend import to_numpy
from ..fewlabels import cv_probe_accuracy
from .core import Feedback

__all__ = [
    "check_stack_codes",
    "check_pixel_baseline",
    "check_shrink_factor",
    "check_collapse",
]


def _host(a):
    return np.asarray(to_numpy(a), dtype=np.float64)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _number(fb, name, value):
    """value as a float, or None after a ✗ line saying what is wrong with it."""
    if value is None:
        fb.fail(f"{name} is None: did you forget to assign it?")
        return None
    try:
        a = np.asarray(to_numpy(value), dtype=np.float64)
    except (TypeError, ValueError):
        fb.fail(f"{name} should be a number, got a {type(value).__name__}")
        return None
    if a.size != 1:
        fb.fail(f"{name} should be a single number, got an array of shape {a.shape}")
        return None
    v = float(a.reshape(()))
    if not np.isfinite(v):
        fb.fail(f"{name} is {v}: a division by zero somewhere?")
        return None
    return v


# ------------------------------------------------------------------ exercise 1
def check_stack_codes(fun, model, X):
    """Check a student's ``fun(params, X)``: the top code of a sigmoid encoder stack.

    Parameters
    ----------
    fun : callable
        ``fun(params, X) -> H``, H of shape (m, size of the top layer).
    model : aelab.StackedAutoencoder
        A fitted sigmoid stack; ``model.transform`` is the reference.
    X : array, shape (m, n)
        A few examples.

    Returns
    -------
    Feedback
    """
    fb = Feedback("stack_codes against StackedAutoencoder.transform")
    X = _host(X)
    p = {k: _host(v) for k, v in model.params_.items()}
    layers = sorted(int(k[len("layer"):].split(".")[0]) for k in p if k.endswith(".W1"))
    try:
        mine = fun({k: v.copy() for k, v in p.items()}, X.copy())
    except NotImplementedError:
        return fb.todo("not done yet: stack_codes still raises NotImplementedError — replace "
                       "that line with your code, then run this check again")
    except ValueError as err:
        return fb.fail(f"stack_codes raised {err!r}: with the examples in the rows of X, "
                       "check the shape of each W against the shape of the layer's input")
    if mine is None:
        return fb.fail("stack_codes returned None: return the codes of the top layer")
    mine = _host(mine)
    want = _host(model.transform(X))
    first = _sigmoid(X @ p["layer0.W1"].T + p["layer0.b1"])
    if mine.shape == first.shape and mine.shape != want.shape:
        return fb.fail(f"your codes have {first.shape[1]} columns, the size of the first layer: "
                       "the loop should go through every layer of the stack, not only layer0")
    if mine.shape != want.shape:
        return fb.fail(f"expected one row per example and one column per top unit, shape "
                       f"{want.shape}; got {mine.shape}")
    # the same stack without the last sigmoid, and without the biases
    A = X
    for i in layers[:-1]:
        A = _sigmoid(A @ p[f"layer{i}.W1"].T + p[f"layer{i}.b1"])
    top = layers[-1]
    linear_top = A @ p[f"layer{top}.W1"].T + p[f"layer{top}.b1"]
    if np.allclose(mine, linear_top):
        return fb.fail("the values are the top layer's pre-activations: the top layer is a "
                       "sigmoid layer like the others")
    if mine.min() < 0 or mine.max() > 1:
        return fb.fail("some codes lie outside [0, 1], which sigmoid units cannot output: is "
                       "a nonlinearity missing after one of the layers?")
    B = X
    for i in layers:
        B = _sigmoid(B @ p[f"layer{i}.W1"].T)
    if np.allclose(mine, B):
        return fb.fail("the values are what the stack gives with every bias set to 0: each "
                       "layer has its own b")
    if not np.allclose(mine, want, atol=1e-10):
        return fb.fail("right shape and range, different values: check which W and b each "
                       "layer uses, and that each layer takes the previous layer's output")
    return fb.ok(f"stack_codes matches transform on {len(layers)} layers and {len(X)} examples")


# ------------------------------------------------------------------ exercise 2
def check_pixel_baseline(acc_pixels, X_pool, y_pool, y_few, X_test, y_test):
    """Check ``acc_pixels``: the cross-validated probe on the pixels of the labelled pool rows.

    Parameters
    ----------
    acc_pixels : float
        The student's test accuracy.
    X_pool, y_pool : arrays
        The training pool and all its labels.
    y_few : array
        The pool's labels with the hidden ones set to −1.
    X_test, y_test : arrays

    Returns
    -------
    Feedback
    """
    fb = Feedback("the raw-pixel baseline")
    acc = _number(fb, "acc_pixels", acc_pixels)
    if acc is None:
        return fb
    if not 0.0 <= acc <= 1.0:
        return fb.fail(f"acc_pixels = {acc:.3g} is not a fraction in [0, 1]")
    X_pool, X_test = _host(X_pool), _host(X_test)
    y_pool, y_few, y_test = (np.asarray(to_numpy(v)) for v in (y_pool, y_few, y_test))
    lab = y_few >= 0
    right = cv_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)
    if np.isclose(acc, right):
        return fb.ok(f"acc_pixels = {acc:.3f}, the probe on the pixels of the {lab.sum()} "
                     "labelled images")
    if np.isclose(acc, cv_probe_accuracy(X_pool[lab], y_pool[lab], X_pool[lab], y_pool[lab])):
        return fb.fail("that is the accuracy on the training images themselves: score on the "
                       "held-out test images")
    if np.isclose(acc, cv_probe_accuracy(X_pool, y_pool, X_test, y_test)):
        return fb.fail(f"you trained on all {len(y_pool)} pool labels; the experiment pretends "
                       f"to know only {lab.sum()} of them (the rows that y_few does not mark −1)")
    from ..metrics import linear_probe_accuracy
    if np.isclose(acc, linear_probe_accuracy(X_pool[lab], y_pool[lab], X_test, y_test)):
        return fb.fail("that is a logistic regression with a fixed C = 1: use the "
                       "cross-validated probe, the one every representation here is judged by")
    return fb.fail("not the probe's accuracy on the pixels of the labelled pool images, "
                   "scored on the test images: check the rows and the labels you train on")


# ------------------------------------------------------------------ exercise 3
def check_shrink_factor(shrink, *, epsilon, n_units, measured):
    """Check a derived factor by which the error signal shrinks per sigmoid layer at a small start.

    Parameters
    ----------
    shrink : float
        The student's derived factor ‖δ below‖ / ‖δ above‖ for one hidden-to-hidden layer.
    epsilon : float
        The standard deviation of the initial weights.
    n_units : int
        The width of the layers.
    measured : float
        The factor measured on the notebook's stack.

    Returns
    -------
    Feedback
    """
    fb = Feedback("the shrink factor of the error signal, per layer")
    s = _number(fb, "shrink", shrink)
    if s is None:
        return fb
    if s <= 0:
        return fb.fail("a ratio of two norms is positive")
    measured = float(measured)
    if abs(np.log(s / measured)) <= np.log(1.25):
        fb.ok(f"your factor {s:.3g} is within 25 % of the measured {measured:.3g}")
        return fb.note("the derivation: δ_below = (δ W) ⊙ f′. Near sigmoid(0) = ½ the slope "
                       "f′ is ¼; each entry of δ W sums n terms δ_j W_jk with independent "
                       "weights of standard deviation ε, so it has size ε‖δ‖, and the n "
                       "entries together have norm ε√n ‖δ‖: a factor ¼ · ε · √n per layer")
    slope = 0.25
    wrong = {
        epsilon * np.sqrt(n_units): "the size of Wᵀδ alone: the sigmoid's slope at the start "
                                    "multiplies the signal too (what is it when the weights "
                                    "are tiny and the units sit near ½?)",
        slope * epsilon: "that would be right for one unit; δ W sums contributions from every "
                         "unit of the layer above, in random directions: how does the norm of "
                         "such a sum grow with the number of terms?",
        slope * epsilon * n_units: "random contributions do not add up in line: their sum "
                                   "grows like the square root of their number",
        slope: "the slope alone: the weights the signal passes through matter as much",
        epsilon: "the weight scale alone: the slope and the width of the layer are missing",
    }
    for value, hint in wrong.items():
        if np.isclose(s, value, rtol=0.02):
            return fb.fail(hint)
    return fb.fail(f"{s:.3g} is off by a factor {max(s / measured, measured / s):.3g} from the "
                   "measurement: write the backward step for one layer and estimate the norm "
                   "of each factor at the starting weights")


# ------------------------------------------------------------------ exercise 4
def check_collapse(stack_uf, ratio_top, spread_top, X):
    """Check the diagnosis of a collapsed top layer.

    Parameters
    ----------
    stack_uf : aelab.StackedAutoencoder
        The stack pretrained with UFLDL's λ.
    ratio_top : float
        The top layer's pretrained reconstruction error over its "mean" error.
    spread_top : float
        The largest standard deviation, over the examples, of any top-level unit.
    X : array
        The data it was pretrained on.

    Returns
    -------
    Feedback
    """
    fb = Feedback("a layer that learned nothing")
    if not hasattr(stack_uf, "reconstruction_errors_"):
        return fb.fail("stack_uf is not fitted: pretrain it on the pool first")
    if len(stack_uf.reconstruction_errors_) < 2:
        return fb.fail("the stack needs two layers, so that the second can be diagnosed")
    if not np.isclose(stack_uf.lam, 3e-3):
        return fb.fail(f"stack_uf has λ = {stack_uf.lam:g}; the exercise asks for UFLDL's value")
    r = _number(fb, "ratio_top", ratio_top)
    s = _number(fb, "spread_top", spread_top)
    if r is None or s is None:
        return fb
    errs = stack_uf.reconstruction_errors_
    top = len(errs) - 1
    ratios = [e["pretrained"] / e["mean"] for e in errs]
    if np.isclose(r, ratios[top]):
        fb.ok(f"ratio_top = {r:.4f}")
    elif top > 0 and np.isclose(r, ratios[0]):
        fb.fail("that is the first layer's ratio: reconstruction_errors_ has one entry per "
                "layer, bottom first")
    elif np.isclose(r, 1.0 / ratios[top]):
        fb.fail("the ratio is upside down: the pretrained error goes on top")
    elif np.isclose(r, errs[top]["pretrained"] / errs[top]["initial"]):
        fb.fail("that compares with the random start; the baseline here is the error of "
                "outputting the mean input")
    else:
        fb.fail("not the top layer's pretrained error divided by its mean-input error")
    H = _host(stack_uf.transform(X))
    if np.isclose(s, H.std(axis=0).max(), rtol=1e-6, atol=1e-12):
        fb.ok(f"spread_top = {s:.2g}")
    elif np.isclose(s, H.std(axis=1).max(), rtol=1e-6, atol=1e-12):
        fb.fail("that is a spread across the units of one example; the question is how much "
                "one unit varies across the examples")
    else:
        fb.fail("not the largest, over the top units, of each unit's standard deviation "
                "across the pool images")
    return fb
