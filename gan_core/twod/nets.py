"""Multi-layer perceptrons written out by hand in NumPy: forward, backward, and the double backward that R1 and
WGAN-GP need, with every weight a view into one flat vector (so an optimiser step is a few vector operations).

For nets this small (2 → 128 → 1, 64 → 128 → 128 → 2) the cost of a framework step is mostly per-operation
overhead, so fewer, bigger array operations win (measured in benchmarks/bench_mode_collapse.py).

Layer l computes u_l = a_l W_l + b_l with a_0 = x; hidden layers then h_l = σ(u_l); the last layer is linear.
The last layer may take `extra` input columns (the minibatch-std feature of D), appended to its input.
"""
from __future__ import annotations

import numpy as np

LEAKY_SLOPE = 0.2


def activate(u: np.ndarray, kind: str):
    """h = σ(u) and σ'(u), computed in place on u where possible. Returns (h, slope)."""
    if kind == "relu":
        s = u > 0
        np.multiply(u, s, out=u)
        return u, s
    if kind == "leaky_relu":
        s = (u > 0).astype(u.dtype)
        s *= 1.0 - LEAKY_SLOPE
        s += LEAKY_SLOPE
        np.multiply(u, s, out=u)
        return u, s
    if kind == "tanh":
        h = np.tanh(u, out=u)
        s = 1.0 - h * h
        return h, s
    raise ValueError(f"unknown activation {kind!r}")


class FlatMLP:
    """sizes = [in, hidden…, out]; weights stored (fan_in, fan_out) so a layer is a @ W + b."""

    def __init__(self, sizes, activation: str = "relu", rng: np.random.Generator | None = None,
                 dtype=np.float32, extra: int = 0):
        self.sizes = [int(s) for s in sizes]
        self.activation = activation
        self.dtype = dtype
        self.extra = int(extra)
        self.n_layers = len(self.sizes) - 1
        self.shapes = []
        for l in range(self.n_layers):
            fan_in = self.sizes[l] + (self.extra if l == self.n_layers - 1 else 0)
            self.shapes += [(fan_in, self.sizes[l + 1]), (self.sizes[l + 1],)]
        self.size = sum(int(np.prod(s)) for s in self.shapes)
        self.flat = np.zeros(self.size, dtype=dtype)
        self.grad = np.zeros(self.size, dtype=dtype)
        self.params = self.views_of(self.flat)
        self.grads = self.views_of(self.grad)
        self._ones: dict[int, np.ndarray] = {}
        if rng is not None:
            self.init_(rng)

    def views_of(self, buf: np.ndarray) -> list[np.ndarray]:
        out, at = [], 0
        for shape in self.shapes:
            n = int(np.prod(shape))
            out.append(buf[at: at + n].reshape(shape))
            at += n
        return out

    def init_(self, rng: np.random.Generator) -> None:
        """PyTorch's nn.Linear default: weights and biases ~ U(−1/√fan_in, 1/√fan_in)."""
        for i, p in enumerate(self.params):
            bound = 1.0 / np.sqrt(self.shapes[i - i % 2][0])
            p[...] = rng.uniform(-bound, bound, size=p.shape)

    def W(self, l: int) -> np.ndarray:
        return self.params[2 * l]

    def _ones_row(self, n: int) -> np.ndarray:
        ones = self._ones.get(n)
        if ones is None:
            ones = self._ones[n] = np.ones((1, n), dtype=self.dtype)
        return ones

    # ---------------------------------------------------------------- forward / backward

    def forward(self, x: np.ndarray, extra: np.ndarray | None = None):
        """x (n, in) [, extra (n, self.extra)] → out (n, out), cache for the backward passes."""
        inputs, slopes = [x], []
        a = x
        last = self.n_layers - 1
        for l in range(self.n_layers):
            if l == last and self.extra:
                a = np.concatenate([a, extra], axis=1)
                inputs[-1] = a
            u = a @ self.params[2 * l]
            u += self.params[2 * l + 1]
            if l == last:
                return u, (inputs, slopes)
            a, s = activate(u, self.activation)
            inputs.append(a)
            slopes.append(s)
        raise AssertionError("unreachable")

    def predict(self, x: np.ndarray, extra: np.ndarray | None = None) -> np.ndarray:
        return self.forward(x, extra)[0]

    def backward(self, cache, dout: np.ndarray, *, param_grads: bool = True, input_grad: bool = True,
                 accumulate: bool = False):
        """Backpropagate dL/dout. Writes dL/dθ into self.grad (adds with accumulate=True);
        returns (dL/dx or None, dL/dextra or None)."""
        inputs, slopes = cache
        g = dout
        dx = dextra = None
        last = self.n_layers - 1
        for l in range(last, -1, -1):
            a = inputs[l]
            if param_grads:
                gw, gb = self.grads[2 * l], self.grads[2 * l + 1]
                if accumulate:
                    gw += a.T @ g
                    gb += (self._ones_row(len(g)) @ g).reshape(gb.shape)
                else:
                    np.matmul(a.T, g, out=gw)
                    np.matmul(self._ones_row(len(g)), g, out=gb.reshape(1, -1))
            if l == 0 and not input_grad:
                break
            dh = g @ self.params[2 * l].T
            if l == last and self.extra:
                dextra = dh[:, -self.extra:]
                dh = dh[:, :-self.extra]
            if l > 0:
                g = dh * slopes[l - 1]
            else:
                dx = dh
        return dx, dextra

    # ---------------------------------------------------------------- ∂out/∂x and its backward (R1, WGAN-GP)

    def input_gradient(self, cache, rows: slice = slice(None)):
        """∂out/∂x (n, in) per row of a forward pass (out must be 1-D; the extra columns are held constant),
        and a cache for `input_gradient_backward`. `rows` selects rows of the cached forward pass."""
        inputs, slopes = cache
        last = self.n_layers - 1
        width = self.sizes[last]
        s = [sl[rows] for sl in slopes]
        a = self.params[2 * last][:width, 0]  # ∂out/∂h_last, the same for every row
        a_list, deltas = [None] * last, [None] * last
        for k in range(last - 1, -1, -1):
            a_list[k] = a
            d = a * s[k]
            deltas[k] = d
            a = d @ self.params[2 * k].T
        return a, (rows, s, a_list, deltas, inputs)

    def input_gradient_backward(self, gcache, dg: np.ndarray) -> None:
        """Add dP/dθ to self.grad for a penalty P on ∂out/∂x, given dg = dP/d(∂out/∂x) (n, in)."""
        rows, s, a_list, deltas, inputs = gcache
        last = self.n_layers - 1
        width = self.sizes[last]
        P, G = self.params, self.grads
        G[0] += dg.T @ deltas[0]
        dbar = dg @ P[0]
        extra_u = [None] * last
        for k in range(last):
            abar = dbar * s[k]
            if self.activation == "tanh":  # σ'' ≠ 0: slopes move with u (piecewise-linear ones do not)
                h = inputs[k + 1][rows][:, : self.sizes[k + 1]]
                extra_u[k] = dbar * a_list[k] * (-2.0 * h * s[k])
            if k < last - 1:
                G[2 * (k + 1)] += abar.T @ deltas[k + 1]
                dbar = abar @ P[2 * (k + 1)]
            else:
                G[2 * last][:width, 0] += abar.sum(0)
        if self.activation == "tanh":
            hbar = None
            for k in range(last - 1, -1, -1):
                ubar = extra_u[k] if hbar is None else extra_u[k] + hbar * s[k]
                G[2 * k] += inputs[k][rows].T @ ubar
                G[2 * k + 1] += ubar.sum(0)
                if k > 0:
                    hbar = ubar @ P[2 * k].T


# ---------------------------------------------------------------- the minibatch-std feature

MBSTD_EPS = 1e-8


def batch_std(points: np.ndarray):
    """Karras et al. 2018: mean over coordinates of the per-coordinate std of the batch, and the pieces
    its gradient needs. points (N, 2)."""
    centred = points - points.mean(0)
    std = np.sqrt((centred * centred).mean(0) + MBSTD_EPS)
    return float(std.mean()), (centred, std)


def batch_std_backward(cache, dstat: float) -> np.ndarray:
    """d(stat)/d(points) · dstat, (N, 2)."""
    centred, std = cache
    return centred * (dstat / (len(centred) * len(std)) / std)
