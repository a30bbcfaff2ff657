"""Update rules on the xy game and Dirac-GAN against closed forms and known behaviour."""
import numpy as np
import pytest

from gan_core.games import analyse, make_game, simulate, update_matrix
from gan_core.games.analysis import xy_closed_form_modulus
from gan_core.games.rules import METHODS, uses_previous_iterate

XY = make_game("xy")


@pytest.mark.parametrize("eta", [0.01, 0.1, 0.5])
def test_simultaneous_steps_spiral_out_by_sqrt_1_plus_eta_squared(eta):
    traj = simulate(XY, "simultaneous", eta, 100, (2.0, 2.0))
    assert traj.diverged_at is None
    ratios = traj.distances[1:] / traj.distances[:-1]
    np.testing.assert_allclose(ratios, np.sqrt(1 + eta**2), rtol=1e-12)


def test_alternating_stays_bounded_over_10000_steps_on_a_conserved_ellipse():
    eta = 0.1
    traj = simulate(XY, "alternating", eta, 10_000, (2.0, 2.0))
    x, y = traj.points.T
    assert traj.diverged_at is None
    # neither in nor out: x^2 + y^2 - eta*x*y is exactly invariant under the alternating update
    invariant = x**2 + y**2 - eta * x * y
    np.testing.assert_allclose(invariant, invariant[0], rtol=1e-9)
    assert 2.0 < traj.distances.min() and traj.distances.max() < 3.0


@pytest.mark.parametrize("method", ["extragradient", "optimistic"])
def test_extragradient_and_optimistic_reach_distance_below_0_05_within_1000_steps(method):
    traj = simulate(XY, method, 0.1, 1000, (2.0, 2.0))
    first_close = int(np.argmax(traj.distances < 0.05))
    assert traj.distances[-1] < 0.05 and 0 < first_close <= 1000
    assert np.all(np.diff(traj.distances[::50]) < 0)  # steadily inward, not by luck at the end


def test_consensus_optimisation_converges():
    traj = simulate(XY, "consensus", 0.1, 500, (2.0, 2.0), consensus=0.5)
    assert traj.distances[-1] < 1e-6


def test_negative_momentum_turns_alternating_cycles_into_convergence_but_not_simultaneous():
    alt = simulate(XY, "alternating", 0.1, 2000, (2.0, 2.0), momentum=-0.5)
    sim = simulate(XY, "simultaneous", 0.1, 2000, (2.0, 2.0), momentum=-0.5)
    assert alt.distances[-1] < 0.5 * alt.distances[0]
    assert sim.distances[sim.last_finite_index] > sim.distances[0]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("eta", [0.05, 0.1, 0.3, 0.9])
def test_xy_eigenvalue_moduli_match_closed_forms(method, eta):
    local = analyse(XY, method, eta, consensus=0.5)
    assert local.spectral_radius == pytest.approx(xy_closed_form_modulus(method, eta, 0.5), rel=1e-9)


def test_xy_verdicts_follow_the_unit_circle():
    assert analyse(XY, "simultaneous", 0.1).verdict == "spirals out"
    assert analyse(XY, "alternating", 0.1).verdict == "cycles"
    assert analyse(XY, "extragradient", 0.1).verdict == "converges"
    assert analyse(XY, "optimistic", 0.1).verdict == "converges"
    assert analyse(XY, "extragradient", 1.2).verdict == "spirals out"  # |lambda|^2 = 1 - eta^2 + eta^4 > 1


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("momentum", [0.0, -0.3])
def test_update_matrix_reproduces_the_linear_trajectory(method, momentum):
    """On the (linear) xy game the rule is exactly the matrix: its powers must give the simulated iterates."""
    eta, steps, start = 0.2, 40, np.array([2.0, -1.0])
    traj = simulate(XY, method, eta, steps, tuple(start), momentum=momentum)
    m = update_matrix(XY.equilibrium_jacobian(), method, eta, momentum)
    state = np.concatenate([start, start]) if uses_previous_iterate(method, momentum) else start
    for t in range(1, steps + 1):
        state = m @ state
        np.testing.assert_allclose(state[:2], traj.points[t], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("loss", ["standard", "nonsaturating"])
@pytest.mark.parametrize("method", ["simultaneous", "alternating"])
def test_dirac_gan_with_r1_converges(loss, method):
    game = make_game("dirac", loss=loss, reg="r1", gamma=1.0)
    traj = simulate(game, method, 0.1, 1000, (1.0, 1.0))
    assert traj.distances[-1] < 1e-6
    assert analyse(game, method, 0.1).verdict == "converges"


@pytest.mark.parametrize("loss", ["standard", "nonsaturating", "wasserstein"])
def test_dirac_gan_without_regularisation_does_not_converge(loss):
    game = make_game("dirac", loss=loss, reg="none")
    traj = simulate(game, "simultaneous", 0.1, 2000, (1.0, 1.0))
    assert traj.distances[traj.last_finite_index] > 0.3
    assert analyse(game, "simultaneous", 0.1).verdict == "spirals out"
    assert analyse(game, "alternating", 0.1).verdict == "cycles"


def test_instance_noise_helps_sigmoid_losses_but_not_wasserstein():
    for loss, should_converge in (("standard", True), ("nonsaturating", True), ("wasserstein", False)):
        game = make_game("dirac", loss=loss, reg="instance-noise", noise_std=1.0)
        traj = simulate(game, "simultaneous", 0.1, 1000, (1.0, 1.0))
        assert (traj.distances[traj.last_finite_index] < 1e-3) == should_converge, loss


def test_wgan_gp_has_no_jacobian_at_the_equilibrium_and_does_not_converge():
    game = make_game("dirac", loss="wasserstein", reg="wgan-gp", gamma=1.0)
    assert analyse(game, "simultaneous", 0.1) is None
    traj = simulate(game, "simultaneous", 0.1, 2000, (1.0, 1.0))
    assert traj.distances[-500:].min() > 0.3


@pytest.mark.parametrize("loss", ["standard", "nonsaturating", "wasserstein"])
@pytest.mark.parametrize("reg", ["none", "r1", "instance-noise"])
def test_dirac_equilibrium_jacobian_matches_closed_form(loss, reg):
    game = make_game("dirac", loss=loss, reg=reg, gamma=0.7, noise_std=0.8)
    np.testing.assert_allclose(game.equilibrium_jacobian(), game.closed_form_equilibrium_jacobian(), atol=1e-6)


@pytest.mark.parametrize("eta", [0.05, 0.2, 0.6])
def test_dirac_eigenvalues_match_closed_forms(eta):
    # standard loss: J = [[0, -1/2], [1/2, 0]] -> simultaneous |lambda| = sqrt(1 + eta^2 / 4)
    plain = analyse(make_game("dirac"), "simultaneous", eta)
    assert plain.spectral_radius == pytest.approx(np.sqrt(1 + eta**2 / 4), rel=1e-6)
    # R1 with gamma: J's eigenvalues (gamma +- sqrt(gamma^2 - 1)) / 2, lambda = 1 - eta * mu
    gamma = 0.6
    mu = (gamma + np.array([1, -1]) * np.sqrt(complex(gamma**2 - 1))) / 2
    r1 = analyse(make_game("dirac", reg="r1", gamma=gamma), "simultaneous", eta)
    assert r1.spectral_radius == pytest.approx(np.max(np.abs(1 - eta * mu)), rel=1e-6)


def test_dirac_field_matches_autograd():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    for loss in ("standard", "nonsaturating", "wasserstein"):
        game = make_game("dirac", loss=loss, reg="r1", gamma=0.5)
        for theta0, psi0 in rng.normal(size=(5, 2)) * 1.5:
            theta = torch.tensor(theta0, dtype=torch.float64, requires_grad=True)
            psi = torch.tensor(psi0, dtype=torch.float64, requires_grad=True)
            real = torch.zeros((), dtype=torch.float64, requires_grad=True)
            d_real, d_fake = psi * real, psi * theta
            if loss == "wasserstein":
                d_obj, g_loss = d_real - d_fake, -d_fake
            else:
                logsig = torch.nn.functional.logsigmoid
                d_obj = logsig(d_real) + logsig(-d_fake)
                g_loss = logsig(-d_fake) if loss == "standard" else -logsig(d_fake)
            (grad_x,) = torch.autograd.grad(d_real, real, create_graph=True)
            d_obj = d_obj - 0.25 * grad_x**2  # gamma / 2 * |dD/dx|^2
            g_theta = torch.autograd.grad(g_loss, theta, retain_graph=True)[0].item()
            g_psi = -torch.autograd.grad(d_obj, psi)[0].item()
            np.testing.assert_allclose(game.field(np.array([theta0, psi0])), [g_theta, g_psi], rtol=1e-10, atol=1e-12)


def test_instance_noise_expected_gradient_matches_monte_carlo():
    game = make_game("dirac", loss="nonsaturating", reg="instance-noise", noise_std=0.7)
    rng = np.random.default_rng(1)
    eps_real, eps_fake = rng.normal(0, 0.7, size=(2, 400_000))
    sig = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    for theta, psi in [(1.0, 0.5), (-0.4, 1.3)]:
        fake = theta + eps_fake
        g_theta = np.mean(-sig(-psi * fake) * psi)
        d_psi = np.mean(sig(-psi * eps_real) * eps_real) + np.mean(-sig(psi * fake) * fake)
        np.testing.assert_allclose(game.field(np.array([theta, psi])), [g_theta, -d_psi], atol=5e-3)


def test_divergence_is_detected_and_the_run_cut_not_crashed():
    traj = simulate(XY, "simultaneous", 1.9, 1000, (2.0, 2.0))
    assert traj.diverged_at is not None and traj.diverged_at < 1000
    assert np.all(np.isfinite(traj.points[: traj.diverged_at]))
    assert np.all(np.isnan(traj.points[traj.diverged_at :]))
    assert np.all(np.isfinite(traj.final))


def test_runs_are_deterministic():
    game = make_game("dirac", loss="nonsaturating", reg="instance-noise")
    a = simulate(game, "optimistic", 0.2, 300, (0.5, -1.0))
    b = simulate(game, "optimistic", 0.2, 300, (0.5, -1.0))
    np.testing.assert_array_equal(a.points, b.points)


def test_unknown_names_are_rejected():
    with pytest.raises(ValueError, match="unknown method"):
        simulate(XY, "newton", 0.1, 10)
    with pytest.raises(ValueError, match="unknown loss"):
        make_game("dirac", loss="hinge")
    with pytest.raises(ValueError, match="unknown game"):
        make_game("chess")
