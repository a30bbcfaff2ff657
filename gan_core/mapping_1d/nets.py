"""The two tiny networks of the 1-D game, written twice with the same maths.

Both G and D are 1 → width → width → 1 MLPs with LeakyReLU(0.2):
    G: standardised noise z  →  standardised sample x
    D: standardised sample x →  one logit / critic value

`FlatMLP` is the fast path: NumPy, hand-written forward and backward passes, every weight a view
into one flat vector so Adam and the EMA are a handful of vector operations. For networks this
small the cost is framework overhead, not arithmetic, so fewer and bigger array operations win.
`torch_mlp` builds the identical network as a plain nn.Sequential for the autograd reference
(the benchmark and the tests check the two agree).

LeakyReLU is piecewise linear, so its second derivative is zero almost everywhere; that makes the
WGAN-GP double backward exact and short by hand (see `input_gradient` / `input_gradient_backward`).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

LEAKY_SLOPE = 0.2


def layer_shapes(width: int) -> list[tuple[int, ...]]:
    """W1, b1, W2, b2, W3, b3 (weights stored as (fan_in, fan_out): x @ W)."""
    return [(1, width), (width,), (width, width), (width,), (width, 1), (1,)]


def _leaky_slope(u: np.ndarray) -> np.ndarray:
    """LeakyReLU's slope at u: 1 where u > 0, else 0.2 (as torch: 0.2 at exactly 0).
    Three array operations; measured faster than np.where or max(sign(u), 0.2) here."""
    s = (u > 0).astype(u.dtype)
    s *= 1.0 - LEAKY_SLOPE
    s += LEAKY_SLOPE
    return s


class FlatMLP:
    """Parameters of one 1 → H → H → 1 LeakyReLU MLP, as views into one flat float vector."""

    def __init__(self, width: int, rng: np.random.Generator | None = None, dtype=np.float64):
        self.width = int(width)
        self.dtype = dtype
        self.shapes = layer_shapes(self.width)
        sizes = [int(np.prod(s)) for s in self.shapes]
        self.size = sum(sizes)
        self.flat = np.zeros(self.size, dtype=dtype)
        self.grad = np.zeros(self.size, dtype=dtype)
        self.params = self._views(self.flat)
        self.grads = self._views(self.grad)
        self._ones_cache: dict[int, np.ndarray] = {}
        if rng is not None:
            self.init_(rng)

    def _views(self, buf: np.ndarray) -> list[np.ndarray]:
        out, at = [], 0
        for shape in self.shapes:
            n = int(np.prod(shape))
            out.append(buf[at : at + n].reshape(shape))
            at += n
        return out

    def init_(self, rng: np.random.Generator) -> None:
        """PyTorch's nn.Linear default: weights and biases ~ U(−1/√fan_in, 1/√fan_in)."""
        for i, p in enumerate(self.params):
            fan_in = self.shapes[i - (i % 2)][0]
            bound = 1.0 / np.sqrt(fan_in)
            p[...] = rng.uniform(-bound, bound, size=p.shape)

    def views_of(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-layer views of another flat vector with this layout (e.g. EMA weights)."""
        return self._views(flat)

    # --- forward / backward -------------------------------------------------------------
    # Written for small batches, where each NumPy call costs more than its arithmetic: the
    # LeakyReLU slope s ∈ {0.2, 1} is computed once in the forward pass (h = s·u) and reused by
    # the backward pass; bias gradients are a BLAS row-of-ones product
    # instead of a slower axis-0 reduction.
    @staticmethod
    def forward(params: list[np.ndarray], x: np.ndarray):
        """x: (n, 1) → out (n, 1) and the cache the backward pass needs."""
        w1, b1, w2, b2, w3, b3 = params
        u1 = x * w1  # fan_in 1: a broadcast multiply is cheaper than a matmul
        u1 += b1
        s1 = _leaky_slope(u1)
        h1 = u1 * s1
        u2 = h1 @ w2
        u2 += b2
        s2 = _leaky_slope(u2)
        h2 = u2 * s2
        out = h2 @ w3
        out += b3
        return out, (x, s1, h1, s2, h2)

    @staticmethod
    def predict(params: list[np.ndarray], x: np.ndarray) -> np.ndarray:
        return FlatMLP.forward(params, x)[0]

    def _ones(self, n: int) -> np.ndarray:
        ones = self._ones_cache.get(n)
        if ones is None:
            ones = self._ones_cache[n] = np.ones((1, n), dtype=self.dtype)
        return ones

    def backward(self, cache, dout: np.ndarray, *, param_grads: bool = True, input_grad: bool = True,
                 accumulate: bool = False):
        """Backpropagate dL/dout (n, 1). Writes dL/dθ into self.grad (or adds to it) and returns
        dL/dx (n, 1); param_grads=False / input_grad=False skip the part not needed."""
        x, s1, h1, s2, h2 = cache
        w1, _, w2, _, w3, _ = self.params
        du2 = dout * w3.T  # (n,1)*(1,H)
        du2 *= s2
        du1 = du2 @ w2.T
        du1 *= s1
        dx = du1 @ w1.T if input_grad else None
        if param_grads:
            ones = self._ones(len(x))
            pairs = ((x.T, du1), (ones, du1), (h1.T, du2), (ones, du2), (h2.T, dout), (ones, dout))
            for g, (a, b) in zip(self.grads, pairs):
                if accumulate:
                    g += (a @ b).reshape(g.shape)
                else:
                    np.matmul(a, b, out=g.reshape(a.shape[0], b.shape[1]))
        return dx

    def input_gradient(self, x: np.ndarray, cache=None, rows: slice = slice(None)):
        """∂out/∂x per sample (n, 1) by forward-mode differentiation, plus a cache for its backward.

        With piecewise-linear activations ∂out/∂x = ((s1 ⊙ w1) @ w2 ⊙ s2) @ w3, where s1, s2 are the
        activation slopes at x (locally constant), so it is linear in each weight matrix. Pass the
        cache of a forward pass that already saw x (at `rows`) to reuse its slopes."""
        w1, _, w2, _, w3, _ = self.params
        if cache is None:
            _, cache = self.forward(self.params, x)
        s1, s2 = cache[1][rows], cache[3][rows]
        t1 = s1 * w1
        t2 = t1 @ w2
        t2 *= s2
        return t2 @ w3, (s1, s2, t1, t2)

    def input_gradient_backward(self, cache, dg: np.ndarray) -> None:
        """Add d(loss)/dθ for a loss on ∂out/∂x, given dg = d(loss)/d(∂out/∂x) (n, 1).
        Biases do not change ∂out/∂x (slopes are locally constant), so only weights get terms."""
        s1, s2, t1, t2 = cache
        w1, _, w2, _, w3, _ = self.params
        gw1, _, gw2, _, gw3, _ = self.grads
        gw3 += t2.T @ dg
        ds2 = dg * w3.T  # gradient w.r.t. (t1 @ w2)
        ds2 *= s2
        gw2 += t1.T @ ds2
        gw1 += self._ones(len(dg)) @ ((ds2 @ w2.T) * s1)


def torch_mlp(width: int) -> nn.Sequential:
    """The same architecture as FlatMLP, as the textbook PyTorch module (autograd reference)."""
    return nn.Sequential(
        nn.Linear(1, width),
        nn.LeakyReLU(LEAKY_SLOPE),
        nn.Linear(width, width),
        nn.LeakyReLU(LEAKY_SLOPE),
        nn.Linear(width, 1),
    )


def copy_flat_to_torch(mlp: FlatMLP, module: nn.Sequential, flat: np.ndarray | None = None) -> None:
    """Load FlatMLP weights (or another flat vector with its layout) into a torch_mlp module."""
    views = mlp.views_of(mlp.flat if flat is None else flat)
    linears = [m for m in module if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for i, lin in enumerate(linears):
            w, b = views[2 * i], views[2 * i + 1]
            lin.weight.copy_(torch.as_tensor(np.ascontiguousarray(w.T), dtype=lin.weight.dtype))
            lin.bias.copy_(torch.as_tensor(b, dtype=lin.bias.dtype))


def torch_to_flat(module: nn.Sequential, mlp: FlatMLP) -> np.ndarray:
    """The flat-vector form of a torch_mlp module's weights."""
    out = np.zeros(mlp.size, dtype=mlp.dtype)
    views = mlp.views_of(out)
    linears = [m for m in module if isinstance(m, nn.Linear)]
    for i, lin in enumerate(linears):
        views[2 * i][...] = lin.weight.detach().cpu().numpy().T
        views[2 * i + 1][...] = lin.bias.detach().cpu().numpy()
    return out
