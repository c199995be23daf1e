"""aelab.exercises: each check catches the classic mistakes and names them."""
import numpy as np
import pytest

import aelab
from aelab.exercises import (
    ExerciseFailed,
    ExerciseNotDone,
    Feedback,
    check_close,
    check_gradient_function,
    check_objective,
)

LAM, BETA, RHO = 1e-4, 3.0, 0.01


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sparse_cost(params, X, lam=LAM, beta=BETA, rho=RHO, half=0.5, per_example=True,
                wd_half=0.5, sparsity_sign=1.0, transpose_W1=False, b2_sign=1.0,
                grad_scale=None):
    """A student's UFLDL sparse autoencoder cost, with switches for the classic slips."""
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    m = X.shape[0]
    scale = 1.0 / m if per_example else 1.0
    A2 = sigmoid(X @ W1.T + b1)
    A3 = sigmoid(A2 @ W2.T + b2)
    rho_hat = A2.mean(axis=0)
    J = (half * scale * np.sum((A3 - X) ** 2)
         + wd_half * lam * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
         + beta * np.sum(rho * np.log(rho / rho_hat)
                         + (1 - rho) * np.log((1 - rho) / (1 - rho_hat))))
    d3 = 2 * half * scale * (A3 - X) * A3 * (1 - A3)
    dkl = -rho / rho_hat + (1 - rho) / (1 - rho_hat)
    d2 = (d3 @ W2 + sparsity_sign * (beta / m) * dkl) * A2 * (1 - A2)
    gW1 = d2.T @ X + 2 * wd_half * lam * W1
    grads = {"W1": gW1.T if transpose_W1 else gW1, "b1": d2.sum(axis=0),
             "W2": d3.T @ A2 + 2 * wd_half * lam * W2, "b2": b2_sign * d3.sum(axis=0)}
    if grad_scale:
        grads = {k: v * grad_scale.get(k, 1.0) for k, v in grads.items()}
    return J, grads


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.uniform(0.1, 0.9, size=(20, 6))
    model = aelab.SparseAutoencoder(n_hidden=4)
    params = model.initial_params(X)
    # non-zero biases, so that a mistake in a bias gradient shows
    params = {k: v + (0.1 * rng.normal(size=v.shape) if k.startswith("b") else 0.0)
              for k, v in params.items()}
    return X, model, params


def text(fb):
    return str(fb)


# ------------------------------------------------------------------ Feedback
def test_feedback_truthiness_and_rendering():
    fb = Feedback("title").ok("fine").note("by the way")
    assert fb and fb.passed and fb.done
    assert str(fb) == "title\n✓ fine\n· by the way"
    assert fb.assert_ok() is fb
    bad = Feedback().ok("fine").fail("x < y & z")
    assert not bad
    assert "&lt;" in bad._repr_html_() and "✗" in bad._repr_html_()
    with pytest.raises(ExerciseFailed, match="x < y"):
        bad.assert_ok()
    assert isinstance(ExerciseFailed("m"), AssertionError)
    todo = Feedback().todo("not done yet")
    assert not todo and not todo.done
    with pytest.raises(ExerciseNotDone):
        todo.assert_ok()
    assert isinstance(ExerciseNotDone("m"), NotImplementedError)
    assert not Feedback()  # nothing checked is not a pass
    with pytest.raises(ValueError):
        Feedback().add("great", "x")


# ------------------------------------------------------------------ check_close
def test_check_close_passes_the_right_value():
    fb = check_close("J", 0.123456789, 0.123456789)
    assert fb and str(fb) == "✓ J is right"
    assert check_close("W", np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize("factor, expected_words", [
    (2.0, "2 times the expected value — is the ½ missing?"),
    (0.5, "½ (or a division by 2) too many"),
    (-1.0, "−1 times the expected value — a sign is flipped"),
    (20.0, "20 times the expected value — average over the m = 20 examples"),
    (1 / 20, "1/20 times the expected value — the 1/m (m = 20) is applied twice"),
    (40.0, "both the ½ and the 1/m (m = 20) are missing"),
    (3.7, "3.7 times the expected value: a constant factor is off"),
])
def test_check_close_names_a_constant_factor(factor, expected_words):
    expected = np.linspace(0.1, 1.0, 12).reshape(3, 4)
    fb = check_close("grads['W1']", factor * expected, expected, n_examples=20)
    assert not fb
    assert expected_words in text(fb), text(fb)


def test_check_close_scalar_factors():
    assert "is the ½ missing?" in text(check_close("J", 2 * 0.37, 0.37))
    assert "average over the m = 50 examples" in text(check_close("J", 50 * 0.37, 0.37,
                                                                  n_examples=50))
    assert "sign is flipped" in text(check_close("J", -0.37, 0.37))


def test_check_close_custom_factor():
    fb = check_close("weight decay", 0.5 * 1e4, 0.5, factors={1e4: "multiply by λ"})
    assert "multiply by λ" in text(fb)


def test_check_close_transposed():
    A = np.arange(6.0).reshape(2, 3)
    fb = check_close("grads['W1']", A.T, A)
    assert not fb
    assert "is transposed: shape (3, 2), expected shape (2, 3)" in text(fb)
    assert "values are right once transposed" in text(fb)
    # a square matrix: same shape, transposed values
    S = np.arange(9.0).reshape(3, 3)
    assert "transpose of the expected value" in text(check_close("W", S.T, S))
    # transposed shape but other values
    assert "looks transposed (and even transposed its values differ)" in text(
        check_close("W", A.T + 1, A))


def test_check_close_shapes():
    v = np.arange(1.0, 5.0)
    assert "keepdims" in text(check_close("rho_hat", v[:, None], v))
    assert "values are right, only the shape differs" in text(check_close("rho_hat", v[None], v))
    assert "sum over one axis only" in text(check_close("rho_hat", v.sum(), v))
    assert "its entries add up to the right value; sum them" in text(
        check_close("J", v, v.sum()))
    assert "the mean of its entries is right; average them" in text(
        check_close("J", v, v.mean()))
    assert "did you sum or average over the wrong axis?" in text(
        check_close("rho_hat", np.arange(7.0), v))
    M = np.arange(12.0).reshape(3, 4)
    assert "one row per example; sum over the examples (axis=0)" in text(
        check_close("grads['b1']", M, M.sum(axis=0)))


def test_check_close_bad_values():
    assert "is None: did you forget to return" in text(check_close("J", None, 1.0))
    assert "placeholder" in text(check_close("J", ..., 1.0))
    assert "not a number" in text(check_close("J", "0.5", 1.0))
    fb = check_close("A2", np.array([0.5, np.nan, 0.1]), np.array([0.5, 0.2, 0.1]))
    assert "contains NaN (first at A2[1])" in text(fb)
    fb = check_close("A2", np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 2.0], [3.0, 5.0]]))
    assert "1 of 4 entries of A2 differ" in text(fb) and "A2[1, 1]: 4 instead of 5" in text(fb)
    assert text(check_close("J", 0.3, 0.4)) == "✗ J is 0.3, but the expected value is 0.4"
    assert "J is zero where the expected value is not" in text(check_close("J", 0.0, 0.4))


# ------------------------------------------------------------------ check_gradient_function
def test_gradient_check_passes_a_right_gradient(data):
    X, _, params = data
    fb = check_gradient_function(lambda p: sparse_cost(p, X), params)
    assert fb, text(fb)
    assert text(fb).count("✓") == 4
    assert "matches finite differences (relative difference" in text(fb)
    assert "all 58 parameters together" in text(fb)


def test_gradient_check_names_the_wrong_block_and_the_factor(data):
    X, _, params = data
    fb = check_gradient_function(lambda p: sparse_cost(p, X, grad_scale={"W2": 2.0}), params)
    assert not fb
    lines = text(fb).splitlines()
    assert any(l.startswith("✓ ∂J/∂W1") for l in lines)
    assert any(l.startswith("✓ ∂J/∂b2") for l in lines)
    bad = [l for l in lines if l.startswith("✗")]
    assert len(bad) == 1 and "∂J/∂W2 is 2 times the finite-difference gradient of your J" in bad[0]
    assert "the derivative of ½x² is x, not 2x" in bad[0]


def test_gradient_check_missing_one_over_m(data):
    X, _, params = data
    fb = check_gradient_function(lambda p: sparse_cost(p, X, grad_scale={"b2": 20.0}), params,
                                 n_examples=20)
    assert "∂J/∂b2 is 20 times the finite-difference gradient" in text(fb)
    assert "the gradient needs the same 1/m as J: divide by m = 20" in text(fb)


def test_gradient_check_sign_flip(data):
    X, _, params = data
    fb = check_gradient_function(lambda p: sparse_cost(p, X, b2_sign=-1.0), params)
    assert "∂J/∂b2 is −1 times the finite-difference gradient of your J — a sign is flipped" \
        in text(fb)


def test_gradient_check_transposed_block(data):
    X, _, params = data
    fb = check_gradient_function(lambda p: sparse_cost(p, X, transpose_W1=True), params)
    assert "∂J/∂W1 is transposed: shape (6, 4), expected shape (4, 6)" in text(fb)
    assert "(the shape of W1)" in text(fb)


def test_gradient_check_partial_error_names_the_index(data):
    X, _, params = data

    def fun(p):
        J, g = sparse_cost(p, X)
        g["W1"] = g["W1"].copy()
        g["W1"][2, 3] += 0.05
        return J, g

    fb = check_gradient_function(fun, params)
    assert "1 of 24 entries of ∂J/∂W1 differ" in text(fb)
    assert "the largest difference is at ∂J/∂W1[2, 3]" in text(fb)


def test_gradient_check_zero_and_spurious_gradients(data):
    X, _, params = data

    def forgets_sparsity_in_b1(p):
        J, g = sparse_cost(p, X)
        g["b1"] = np.zeros_like(g["b1"])
        return J, g

    assert "∂J/∂b1 is zero, but J depends on b1" in text(
        check_gradient_function(forgets_sparsity_in_b1, params))

    def weight_decay_on_b2(p):
        return 0.5 * LAM * np.sum(p["W1"] ** 2), {
            "W1": LAM * p["W1"], "b1": np.zeros_like(p["b1"]),
            "W2": np.zeros_like(p["W2"]), "b2": LAM * np.ones_like(p["b2"])}

    fb = check_gradient_function(weight_decay_on_b2, params)
    assert "J does not depend on b2 (finite differences are 0), but your gradient is not zero" \
        in text(fb)
    assert text(fb).count("✓") == 3


def test_gradient_check_missing_key_and_bad_returns(data):
    X, _, params = data

    def no_b2(p):
        J, g = sparse_cost(p, X)
        del g["b2"]
        return J, g

    fb = check_gradient_function(no_b2, params)
    assert "the gradient has no 'b2'" in text(fb) and not fb
    assert "should return a pair (J, gradient)" in text(
        check_gradient_function(lambda p: sparse_cost(p, X)[0], params))
    assert "J should be a single number, got shape (20,)" in text(check_gradient_function(
        lambda p: (np.sum((p["W1"] @ X.T) ** 2, axis=0), sparse_cost(p, X)[1]), params))


def test_gradient_check_of_a_stub_says_not_done(data):
    def stub(p):
        raise NotImplementedError("exercise")

    fb = check_gradient_function(stub, data[2])
    assert not fb and not fb.done
    assert "✎ not done yet: stub still raises NotImplementedError" in text(fb)


def test_gradient_check_flat_theta_with_blocks():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(3, 3))
    A = A @ A.T
    b = rng.normal(size=3)

    def quad(theta, wrong=False):
        x, y = theta[:3], theta[3:]
        J = 0.5 * x @ A @ x + b @ x + 0.5 * np.sum(y ** 2)
        gy = 2 * y if wrong else y
        return J, np.concatenate([A @ x + b, gy])

    theta = rng.normal(size=5)
    assert check_gradient_function(quad, theta, blocks={"x": 3, "y": (2,)})
    fb = check_gradient_function(lambda t: quad(t, wrong=True), theta,
                                 blocks=[("x", 3), ("y", 2)])
    assert "✓ ∂J/∂x" in text(fb) and "∂J/∂y is 2 times" in text(fb)
    fb = check_gradient_function(lambda t: quad(t, wrong=True), theta)
    assert "θ" in text(fb) and not fb
    with pytest.raises(ValueError, match="blocks add up to 4"):
        check_gradient_function(quad, theta, blocks={"x": 3, "y": 1})
    assert "float64" in text(check_gradient_function(quad, theta.astype(np.float32)))
    with pytest.raises(ValueError, match="smaller model"):
        check_gradient_function(quad, theta, max_params=4)


# ------------------------------------------------------------------ check_objective
def test_check_objective_passes_the_right_objective(data):
    X, model, params = data
    fb = check_objective(lambda p, X: sparse_cost(p, X), model, X, params)
    assert fb, text(fb)
    assert text(fb).count("✓") == 5


@pytest.mark.parametrize("mistake, words", [
    ({"half": 1.0}, "the reconstruction term is 2 times too large — is its ½ missing?"),
    ({"per_example": False},
     "the reconstruction term is m = 20 times too large — average it over the examples"),
    ({"lam": 0.0}, "the weight decay term is missing"),
    ({"wd_half": 1.0}, "the weight decay term is 2 times too large — is its ½ missing?"),
    ({"beta": 0.0}, "the sparsity term is missing"),
])
def test_check_objective_names_the_wrong_term_of_J(data, mistake, words):
    X, model, params = data
    fb = check_objective(lambda p, X: sparse_cost(p, X, **mistake), model, X, params)
    assert not fb
    J_line = [l for l in text(fb).splitlines() if l.startswith("✗ J")]
    assert J_line and words in J_line[0], text(fb)


def test_check_objective_names_the_wrong_term_of_a_gradient(data):
    X, model, params = data
    fb = check_objective(lambda p, X: sparse_cost(p, X, sparsity_sign=-1.0), model, X, params)
    assert "✓ J = " in text(fb)
    assert "✗ grads['W1']: the sparsity term has the wrong sign" in text(fb)
    assert "✗ grads['b1']: the sparsity term has the wrong sign" in text(fb)
    assert "✓ grads['W2'] matches" in text(fb)


def test_check_objective_transposed_and_missing_gradients(data):
    X, model, params = data
    fb = check_objective(lambda p, X: sparse_cost(p, X, transpose_W1=True), model, X, params)
    assert "grads['W1'] is transposed" in text(fb)

    def no_b1(p, X):
        J, g = sparse_cost(p, X)
        del g["b1"]
        return J, g

    assert "grads['b1'] is missing" in text(check_objective(no_b1, model, X, params))


def test_check_objective_of_a_stub_and_defaults(data):
    X, model, _ = data

    def stub(p, X):
        raise NotImplementedError

    fb = check_objective(stub, model, X)
    assert not fb.done and "not done yet" in text(fb)
    # default params: the model's initial parameters
    assert check_objective(lambda p, X: sparse_cost(p, X), model, X)
    # a fitted model is compared at params_
    fitted = aelab.SparseAutoencoder(n_hidden=4, max_iter=5).fit(X)
    assert check_objective(lambda p, X: sparse_cost(p, X), fitted, X)
    # another model: a plain autoencoder without penalties
    plain = aelab.Autoencoder(n_hidden=4, activation="sigmoid", output_activation="sigmoid")
    fb = check_objective(lambda p, X: sparse_cost(p, X), plain, X)
    assert not fb
