"""The spam game: a spammer (generator) against a spam filter (discriminator), played in rounds.

A round is the lecture's alternation: the filter updates on real mail vs fresh spam, then the
spammer updates from the filter's verdicts, then both are scored on a fresh test batch and the
confusion matrix is recorded (positive = flagged as spam).

The spammer learns by REINFORCE (a policy gradient): it writes emails by sampling words, gets
back from the filter only how likely each email was to pass, and makes the words of emails that
did better than its average more likely. It never sees real mail and never needs the filter's
insides, which is why the same spammer can also play against a student's blocklist.
"""
from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from gan_core.history import CappedHistory
from gan_core.seeding import seed_everything
from gan_core.settings_spec import ensure_valid
from gan_core.spam.config import SpamConfig, blocklist_problems, threshold_problems
from gan_core.spam.corpus import Corpus, load_corpus

HELD_OUT_SHARE = 0.2  # real mail kept away from the filter's training, for the honest test batch
BLOCK_LOGIT = 4.0  # a student's blocklist as a filter: flagged emails get P(spam) = sigmoid(4) ~ 0.98
TOP_K = 8

HISTORY_NAMES = (
    "round", "tp", "fn", "fp", "tn", "accuracy", "spam_through", "ham_flagged",
    "filter_loss", "spammer_loss", "spam_word_share", "threshold",
)


# ---------------------------------------------------------------------------------------------
# Confusion matrix (positive = flagged as spam)


@dataclass(frozen=True)
class ConfusionMatrix:
    tp: int  # spam caught
    fn: int  # spam let through
    fp: int  # good mail flagged
    tn: int  # good mail passed

    @property
    def total(self) -> int:
        return self.tp + self.fn + self.fp + self.tn

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.total if self.total else float("nan")

    @property
    def spam_through(self) -> float:
        """Share of the spammer's emails that got past the filter (its pass rate)."""
        spam = self.tp + self.fn
        return self.fn / spam if spam else float("nan")

    @property
    def ham_flagged(self) -> float:
        ham = self.fp + self.tn
        return self.fp / ham if ham else float("nan")

    def to_dict(self) -> dict:
        return {"tp": self.tp, "fn": self.fn, "fp": self.fp, "tn": self.tn}


def confusion_matrix(spam_p: np.ndarray, ham_p: np.ndarray, threshold: float) -> ConfusionMatrix:
    """Count verdicts: `spam_p`/`ham_p` are the filter's P(spam) for spam and for real mail;
    an email is flagged when P(spam) >= threshold."""
    spam_flagged = np.asarray(spam_p) >= threshold
    ham_flagged = np.asarray(ham_p) >= threshold
    return ConfusionMatrix(
        tp=int(spam_flagged.sum()),
        fn=int((~spam_flagged).sum()),
        fp=int(ham_flagged.sum()),
        tn=int((~ham_flagged).sum()),
    )


def filter_lesson_shares(spam_p: np.ndarray, ham_p: np.ndarray, threshold: float) -> dict[str, float]:
    """How much of the filter's correction each cell carries: the BCE gradient of an email is
    (P(spam) - label) x its words, so its size |P(spam) - label| is summed per cell and normalised.
    Errors (FN, FP) carry most of it; confident right answers (TP, TN) almost none."""
    spam_p, ham_p = np.asarray(spam_p, float), np.asarray(ham_p, float)
    push = {
        "tp": np.sum((1 - spam_p)[spam_p >= threshold]),
        "fn": np.sum((1 - spam_p)[spam_p < threshold]),
        "fp": np.sum(ham_p[ham_p >= threshold]),
        "tn": np.sum(ham_p[ham_p < threshold]),
    }
    total = sum(push.values())
    return {k: (float(v / total) if total > 0 else 0.0) for k, v in push.items()}


# ---------------------------------------------------------------------------------------------
# The two players


class Spammer(nn.Module):
    """Generator: noise z -> word logits; an email is `words_per_email` words drawn from softmax(logits)."""

    def __init__(self, latent_dim: int, hidden: int, start_logits: torch.Tensor):
        super().__init__()
        self.latent_dim = latent_dim
        self.body = nn.Sequential(nn.Linear(latent_dim, hidden), nn.Tanh())
        self.words = nn.Linear(hidden, start_logits.numel())
        with torch.no_grad():
            self.words.bias.copy_(start_logits)  # start as obvious spam

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.words(self.body(z))


class SpamFilter(nn.Module):
    """Discriminator: logistic regression over word frequencies. score = bias + sum_w freq(w) * weight(w),
    i.e. the average suspicion of the email's words; P(spam) = sigmoid(score)."""

    def __init__(self, vocab_size: int, words_per_email: float = 1.0):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(vocab_size))
        self.bias = nn.Parameter(torch.zeros(()))
        # Frequencies are counted per `words_per_email` words, so a weight reads as "suspicion per use"
        # and a few telling words move the verdict far from 50/50.
        self.scale = float(words_per_email)

    def forward(self, tf: torch.Tensor) -> torch.Tensor:
        return self.scale * (tf @ self.weight) + self.bias


def flatten_parameters(module: nn.Module) -> torch.Tensor:
    """One vector holding all of `module`'s parameters, which become views of it (same values, same order): the
    game's hand-written updates change the vector in a few whole-vector operations, and the module sees them."""
    params = list(module.parameters())
    flat = torch.cat([p.detach().reshape(-1) for p in params])
    at = 0
    for p in params:
        p.data = flat[at:at + p.numel()].view_as(p)
        at += p.numel()
    return flat


def parameter_views(flat: torch.Tensor, module: nn.Module) -> list[torch.Tensor]:
    """`module`'s parameters as plain views of its flat vector (no autograd: the game's maths is written out,
    so it needs neither a graph nor torch.no_grad's per-call cost)."""
    views, at = [], 0
    for p in module.parameters():
        views.append(flat[at:at + p.numel()].view(p.shape))
        at += p.numel()
    return views


class Adam:
    """torch.optim.Adam's update (betas 0.9/0.999, eps 1e-8, no weight decay) of a module flattened by
    `flatten_parameters`, written out: the same operations in the same order on one vector, without
    torch.optim's per-parameter Python loop. `state_dict`/`load_state_dict` speak torch.optim's format
    (one entry per parameter), so exported runs read and write as before."""

    def __init__(self, module: nn.Module, flat: torch.Tensor, lr: float, betas=(0.9, 0.999), eps: float = 1e-8):
        self.flat, self.lr, self.betas, self.eps = flat, float(lr), betas, eps
        self.param_groups = [{"params": list(module.parameters()), "lr": self.lr, "betas": betas, "eps": eps,
                              "weight_decay": 0.0, "amsgrad": False, "maximize": False}]
        self.steps = 0
        self.exp_avg = torch.zeros_like(flat)
        self.exp_avg_sq = torch.zeros_like(flat)

    def step(self, grad: torch.Tensor) -> None:  # plain tensors: no autograd involved
        beta1, beta2 = self.betas
        self.steps += 1
        self.exp_avg.lerp_(grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        step_size = self.lr / (1 - beta1 ** self.steps)
        denom = (self.exp_avg_sq.sqrt() / (1 - beta2 ** self.steps) ** 0.5).add_(self.eps)
        self.flat.addcdiv_(self.exp_avg, denom, value=-step_size)

    def _slices(self):
        at = 0
        for p in self.param_groups[0]["params"]:
            yield p, slice(at, at + p.numel())
            at += p.numel()

    def state_dict(self) -> dict:
        state = {} if self.steps == 0 else {
            i: {"step": torch.tensor(float(self.steps)), "exp_avg": self.exp_avg[at].view_as(p).clone(),
                "exp_avg_sq": self.exp_avg_sq[at].view_as(p).clone()}
            for i, (p, at) in enumerate(self._slices())}
        group = {k: v for k, v in self.param_groups[0].items() if k != "params"}
        return {"state": state, "param_groups": [{**group, "params": list(range(len(self.param_groups[0]["params"])))}]}

    def load_state_dict(self, state_dict: dict) -> None:
        """torch.optim's format; the learning rate and betas stay this optimiser's (as the run bundle expects)."""
        state = state_dict["state"]
        slices = list(self._slices())
        if set(state) - set(range(len(slices))) or (state and len(state) != len(slices)):
            raise ValueError(f"{len(state)} parameter states for {len(slices)} parameters")
        steps = {int(float(moments["step"])) for moments in state.values()}
        if len(steps) > 1:
            raise ValueError("the parameters' step counts differ")
        with torch.no_grad():
            self.exp_avg.zero_()
            self.exp_avg_sq.zero_()
            for i, moments in state.items():
                p, at = slices[i]
                self.exp_avg[at].copy_(moments["exp_avg"].reshape(-1))
                self.exp_avg_sq[at].copy_(moments["exp_avg_sq"].reshape(-1))
        self.steps = steps.pop() if steps else 0

    def moments(self) -> tuple:
        """A copy of the state, cheaply (for the game's per-round rewind point)."""
        return self.steps, self.exp_avg.clone(), self.exp_avg_sq.clone()

    def restore(self, moments: tuple) -> None:
        self.steps = moments[0]
        self.exp_avg.copy_(moments[1])
        self.exp_avg_sq.copy_(moments[2])


def start_logits(corpus: Corpus, spam_mass: float) -> torch.Tensor:
    """Log-probabilities that put `spam_mass` of the choice on the spam words, the rest spread over real-mail words."""
    mask = torch.as_tensor(corpus.spam_mask)
    n_spam, n_real = int(mask.sum()), int((~mask).sum())
    probs = torch.where(mask, spam_mass / max(n_spam, 1), (1 - spam_mass) / max(n_real, 1))
    return probs.clamp_min(1e-8).log()


def draw_distinct_words(log_probs: torch.Tensor, k: int, gen: torch.Generator, ordered: bool = True) -> torch.Tensor:
    """k different words per row, drawn one after another without replacement (Gumbel-top-k trick):
    an email uses a word once, as real mail does, so the spammer cannot write 'cash cash cash'.
    `ordered=False`: the same words, in column order instead of the order drawn (enough for word frequencies)."""
    u = torch.rand(log_probs.shape, generator=gen)
    if log_probs.device.type != "cpu":
        u = u.clamp_(1e-12, 1 - 1e-7).to(log_probs.device)
        return torch.sub(log_probs, u.log_().neg_().log_()).topk(k, dim=1).indices
    # On a CPU the keys are made in NumPy, in place: torch splits each (emails x vocabulary) operation over
    # its intra-op threads, and each such hand-off leaves the helper thread spinning for a few ms (measured
    # with 2 threads: ~2-3 ms of CPU per parallel operation; a round's process CPU was twice its wall time).
    # Same formula in float32; NumPy's log may differ from torch's in the last bit.
    keys = u.numpy()
    np.maximum(keys, 1e-12, out=keys)  # the clamp (np.clip's wrapper costs more than both)
    np.minimum(keys, 1 - 1e-7, out=keys)
    np.log(keys, out=keys)
    np.negative(keys, out=keys)
    np.log(keys, out=keys)
    np.subtract(log_probs.detach().numpy(), keys, out=keys)  # log p - log(-log u)
    return torch.from_numpy(_top_k(keys, k, ordered))


def _top_k(keys: np.ndarray, k: int, ordered: bool = True) -> np.ndarray:
    """The columns of each row's k largest keys, largest first: what keys.topk(k).indices gives, about three
    times as fast on a CPU (the game writes ~1000 emails a round). The k-th largest value of each row is a
    threshold; the keys at or above it are the row's top k unless two keys tie there (then argpartition)."""
    n, v = keys.shape
    if n == 0 or k == 0:
        return np.zeros((n, k), dtype=np.int64)
    kth = np.partition(keys, v - k, axis=1)[:, v - k, None]
    flat = np.flatnonzero(keys >= kth)
    if flat.size == n * k:
        top = flat.reshape(n, k) - (np.arange(n) * v)[:, None]  # each row holds exactly k, in column order
    else:
        top = np.argpartition(keys, v - k, axis=1)[:, v - k:]
    if not ordered:
        return top
    order = np.argsort(-np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def word_frequencies(words: torch.Tensor, vocab_size: int) -> torch.Tensor:
    """(n, k) distinct word indices -> (n, V) word frequencies (each used word 1/k): the filter's view of an email."""
    tf = torch.zeros(words.shape[0], vocab_size, device=words.device)
    return tf.scatter_(1, words, 1.0 / words.shape[1])


def sequence_log_prob(log_probs: torch.Tensor, words: torch.Tensor) -> torch.Tensor:
    """log P(words, in this order) when each word is drawn from what is left after the earlier ones:
    sum_i [log p(w_i) - log(1 - p(w_1) - ... - p(w_{i-1}))]. Differentiable in log_probs (for REINFORCE)."""
    chosen = log_probs.gather(1, words)  # (n, k)
    used = torch.cumsum(chosen.exp(), dim=1) - chosen.exp()  # mass taken by earlier words
    return (chosen - torch.log1p(-used.clamp(max=1 - 1e-6))).sum(dim=1)


# ---------------------------------------------------------------------------------------------
# The game


@dataclass
class RoundResult:
    """Everything the page shows about the latest round (its fresh test batch)."""

    round: int
    spam_words: np.ndarray  # (eval_size, words_per_email) word indices the spammer wrote
    spam_p: np.ndarray  # filter's P(spam) for those emails
    ham_rows: np.ndarray  # which held-out real emails were tested (indices into corpus.ham_texts)
    ham_p: np.ndarray  # filter's P(spam) for them
    spammer_word_probs: np.ndarray  # (V,) the spammer's average word distribution this round
    filter_loss: float
    spammer_loss: float


class SpamGame:
    """Trainer: `step(n)` plays n rounds; histories are capped; same seed + same settings = same game."""

    def __init__(self, config: SpamConfig | None = None, seed: int = 0, corpus: Corpus | None = None,
                 device: str | torch.device = "cpu"):
        config = config or SpamConfig()
        ensure_valid(config)
        self.config = config
        self.corpus = corpus if corpus is not None else load_corpus(config.real_vocab_size)
        problems = blocklist_problems(config.blocked_words, self.corpus.words)
        if problems:
            raise ValueError(" ".join(problems))
        self.device = torch.device(device)
        self.reset(seed)

    # -- setup ------------------------------------------------------------------------------
    def reset(self, seed: int | None = None) -> None:
        self.seed = self.seed if seed is None else int(seed)
        s = self.config
        self.gen = seed_everything(self.seed)  # global seed for the nets' init; self.gen for every draw
        n = len(self.corpus.ham_texts)
        order = torch.randperm(n, generator=self.gen).numpy()
        n_test = max(s.eval_size, int(round(HELD_OUT_SHARE * n)))
        if n_test >= n:
            raise ValueError(f"Test emails per round ({s.eval_size}) must leave real mail for training ({n} emails).")
        self.ham_test_rows = np.sort(order[:n_test])
        self.ham_train_rows = np.sort(order[n_test:])
        ham = torch.as_tensor(self.corpus.ham_tf, device=self.device)
        self.ham_train = ham[torch.as_tensor(self.ham_train_rows)]
        self.ham_test = ham[torch.as_tensor(self.ham_test_rows)]
        self.spam_mask = torch.as_tensor(self.corpus.spam_mask, device=self.device)
        self.spammer = Spammer(s.latent_dim, s.hidden, start_logits(self.corpus, s.spam_start_mass)).to(self.device)
        self.spammer_params = flatten_parameters(self.spammer)
        self._spammer_views = parameter_views(self.spammer_params, self.spammer)  # W1, b1, W2, b2
        self.spammer_opt = Adam(self.spammer, self.spammer_params, lr=s.spammer_lr)
        self.reset_filter()
        self._blocked = self._blocked_mask(s.blocked_words)
        self.round = 0
        self.history = CappedHistory(HISTORY_NAMES, capacity=s.history_capacity)
        self.log: deque[dict] = deque(maxlen=s.history_capacity)
        self.last: RoundResult | None = None
        self.diverged: str | None = None

    def reset_filter(self) -> None:
        """A fresh filter (all weights zero: every email gets P(spam) = 0.5), the spammer kept as it is."""
        s = self.config
        self.filter = SpamFilter(self.corpus.size, s.words_per_email).to(self.device)
        self.filter_params = flatten_parameters(self.filter)  # [weight, bias]
        self.filter_opt = Adam(self.filter, self.filter_params, lr=s.filter_lr)
        self._filter_batch = None  # (emails, V + 1) rows [scale * word frequencies, 1]: built on first use

    def _blocked_mask(self, words) -> torch.Tensor:
        mask = torch.zeros(self.corpus.size, dtype=torch.bool, device=self.device)
        idx = self.corpus.indices(words)
        if idx:
            mask[torch.as_tensor(idx)] = True
        return mask

    # -- the interface every lesson's trainer shares (steps, status, message) ------------------
    @property
    def steps(self) -> int:
        """Rounds played (a round is this game's step)."""
        return self.round

    @property
    def status(self) -> str:
        return "ok" if self.diverged is None else "diverged"

    @property
    def message(self) -> str:
        return self.diverged or ""

    # -- live changes from the page (no retraining) -------------------------------------------
    def set_threshold(self, threshold: float) -> None:
        problems = threshold_problems(threshold)
        if problems:
            raise ValueError(problems[0])
        self.config = replace(self.config, threshold=float(threshold))

    def set_human_filter(self, on: bool, blocked_words=()) -> None:
        """'Be the filter': your blocklist flags any email that uses a blocked word; the learned filter rests."""
        blocked = tuple(blocked_words)
        problems = blocklist_problems(blocked, self.corpus.words)
        if problems:
            raise ValueError(" ".join(problems))
        self.config = replace(self.config, human_filter=bool(on), blocked_words=blocked)
        self._blocked = self._blocked_mask(blocked)

    # -- the players' moves ------------------------------------------------------------------
    def write(self, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The spammer writes n emails: (word indices (n, L), word frequencies (n, V), log-prob of each email)."""
        z = torch.randn(n, self.spammer.latent_dim, generator=self.gen).to(self.device)
        log_probs = F.log_softmax(self.spammer(z), dim=1)
        words = draw_distinct_words(log_probs.detach(), self.config.words_per_email, self.gen)
        return words, word_frequencies(words, self.corpus.size), sequence_log_prob(log_probs, words)

    @torch.no_grad()
    def write_for_filter(self, n: int) -> torch.Tensor:
        """Word frequencies of n emails, as `write` draws them (the same random numbers, the same words); the
        filter reads only word frequencies, so neither the order drawn nor the log-prob is computed."""
        z = torch.randn(n, self.spammer.latent_dim, generator=self.gen).to(self.device)
        words = draw_distinct_words(F.log_softmax(self.spammer(z), dim=1), self.config.words_per_email, self.gen,
                                    ordered=False)
        return word_frequencies(words, self.corpus.size)

    @torch.no_grad()
    def preview(self, n: int) -> list[list[str]]:
        """n emails the spammer would write now, drawn with their own generator so the game's draws stay the same."""
        gen = torch.Generator().manual_seed(self.seed + 1)
        z = torch.randn(n, self.spammer.latent_dim, generator=gen).to(self.device)
        words = draw_distinct_words(F.log_softmax(self.spammer(z), dim=1), self.config.words_per_email, gen)
        return [self.email_text(row) for row in words.cpu().numpy()]

    def spam_score(self, tf: torch.Tensor) -> torch.Tensor:
        """The verdict as a logit of P(spam): the learned filter, or the student's blocklist in 'be the filter' mode."""
        if self.config.human_filter:
            hit = (tf[:, self._blocked] > 0).any(dim=1)
            return torch.where(hit, BLOCK_LOGIT, -BLOCK_LOGIT)
        theta = self.filter_params  # SpamFilter.forward on the plain vector [weight, bias]
        return self.filter.scale * (tf @ theta[:-1]) + theta[-1]

    def filter_step(self) -> float:
        """BCE on real mail (label 0) vs fresh spam (label 1), each class weighing half. Its gradient is
        (P(spam) - label) per email, so emails it got wrong (FN, FP) move it most.

        The filter reads all of its real mail every step (a real filter trains on all the mail it has) and a
        large batch of fresh spam: the differences left near the end of the game are a few thousandths of a
        word's frequency, and a small sample of emails would bury them in sampling noise that Adam turns
        into full-size steps. A jittering filter gives the spammer a jittering target, and the game then
        stalls around 60% accuracy instead of reaching the coin toss (see docs/spam.md)."""
        return self.filter_update(self.write_words_for_filter(self.config.batch_size))

    def filter_update(self, spam_words: torch.Tensor) -> float:
        """One Adam step of the filter on its real mail and these spam emails ((n, k) word indices); returns the BCE.

        The gradient is written out (logistic regression has a closed form, and a round makes three of these
        steps): with x = [scale * word frequencies, 1] and each email weighing c = 1/2 / (emails of its class),
        d loss / d [weight, bias] = sum_emails c (P(spam) - label) x + 2 l2 [weight, 0]."""
        x, label, share, l2 = self._filter_inputs(len(spam_words))
        spam = x[len(self.ham_train):, :-1]
        spam.zero_().scatter_(1, spam_words, self.filter.scale / spam_words.shape[1])
        theta = self.filter_params
        score = x @ theta
        bce = torch.dot(share, F.softplus(score - 2 * label * score))  # softplus(s) if real, softplus(-s) if spam
        grad = (torch.sigmoid(score).sub_(label).mul_(share) @ x).addcmul_(l2, theta)
        self.filter_opt.step(grad)
        return float(bce)

    def _filter_inputs(self, n_spam: int):
        """The filter's batch buffer (real mail's rows fixed, spam rows rewritten each step) and its constants."""
        key = (n_spam, self.config.filter_l2)  # the settings it depends on (a test may change them mid-game)
        if self._filter_batch is None or self._filter_batch[-1] != key:
            n_ham, size = len(self.ham_train), self.corpus.size
            x = torch.zeros(n_ham + n_spam, size + 1, device=self.device)
            x[:n_ham, :-1] = self.filter.scale * self.ham_train
            x[:, -1] = 1.0
            label = torch.cat([torch.zeros(n_ham, device=self.device), torch.ones(n_spam, device=self.device)])
            share = torch.cat([torch.full((n_ham,), 0.5 / n_ham, device=self.device),
                               torch.full((n_spam,), 0.5 / n_spam, device=self.device)])
            l2 = torch.full((size + 1,), 2 * self.config.filter_l2, device=self.device)
            l2[-1] = 0.0  # the bias is not penalised
            self._filter_batch = (x, label, share, l2, key)
        return self._filter_batch[:4]

    def write_words_for_filter(self, n: int) -> torch.Tensor:
        """The words of n emails, as `write` draws them (the same random numbers, the same words), in column order:
        the filter reads only word frequencies, so neither the order drawn nor the log-prob is computed."""
        z = torch.randn(n, self.spammer.latent_dim, generator=self.gen).to(self.device)
        return draw_distinct_words(self._spammer_forward(z)[1], self.config.words_per_email, self.gen, ordered=False)

    def write_for_filter(self, n: int) -> torch.Tensor:
        """Word frequencies of n emails, as `write_words_for_filter` draws them."""
        return word_frequencies(self.write_words_for_filter(n), self.corpus.size)

    def spammer_step(self) -> float:
        """REINFORCE: reward = log P(pass) for each email (the non-saturating generator objective),
        minus the batch's average as a baseline; caught emails (below average) make their words rarer."""
        z = torch.randn(self.config.batch_size, self.spammer.latent_dim, generator=self.gen).to(self.device)
        hidden, log_probs = self._spammer_forward(z)
        words = draw_distinct_words(log_probs, self.config.words_per_email, self.gen)
        return self._spammer_backward(z, hidden, log_probs, words)

    def spammer_update(self, z: torch.Tensor, words: torch.Tensor) -> float:
        """One REINFORCE step for emails written from noise z with these words ((n, k), in the order drawn)."""
        hidden, log_probs = self._spammer_forward(z)
        return self._spammer_backward(z, hidden, log_probs, words)

    def _spammer_forward(self, z: torch.Tensor):
        """(hidden layer, log-probabilities of the words): the spammer's forward on its plain parameter views."""
        w1, b1, w2, b2 = self._spammer_views
        hidden = torch.tanh(torch.addmm(b1, z, w1.t()))
        return hidden, F.log_softmax(torch.addmm(b2, hidden, w2.t()), dim=1)

    def _spammer_backward(self, z, hidden, log_probs, words) -> float:
        """The gradient of loss = -mean(advantage x log P(email)) written out (what autograd would compute for
        `sequence_log_prob` through log_softmax and the two layers), then one Adam step."""
        tf = word_frequencies(words, self.corpus.size)
        reward = -F.softplus(self.spam_score(tf))  # log(1 - P(spam))
        weight = (reward.mean() - reward).div_(len(words))  # d loss / d log P(email) = -advantage / n
        chosen = log_probs.gather(1, words).exp_()  # p(w_i) of each word drawn, (n, k)
        used = torch.cumsum(chosen, dim=1).sub_(chosen)  # mass taken by the earlier words
        # d log P / d log p(w_j) = 1 + p(w_j) sum_{i > j} 1 / (1 - used_i)   (where the clamp lets it through)
        inv = used.clamp(max=1 - 1e-6).neg_().add_(1).reciprocal_().mul_(used <= 1 - 1e-6)
        later = inv.cumsum(dim=1).neg_().add_(inv.sum(dim=1, keepdim=True))
        d_chosen = later.mul_(chosen).add_(1).mul_(weight[:, None])
        d_log_probs = torch.zeros_like(log_probs).scatter_(1, words, d_chosen)
        d_logits = d_log_probs.sub_(log_probs.exp().mul_(d_log_probs.sum(dim=1, keepdim=True)))
        d_hidden = (d_logits @ self._spammer_views[2]).mul_(1 - hidden * hidden)
        grad = torch.cat([(d_hidden.t() @ z).reshape(-1), d_hidden.sum(dim=0),
                          (d_logits.t() @ hidden).reshape(-1), d_logits.sum(dim=0)])
        self.spammer_opt.step(grad)
        return float(-reward.mean())  # the spammer's loss: -log P(pass), averaged

    # -- a round -----------------------------------------------------------------------------
    def play_round(self) -> RoundResult:
        s = self.config
        snapshot = self._snapshot()
        learn_filter = s.filter_steps > 0 and not s.human_filter  # in 'be the filter' mode you are the filter
        filter_losses = [self.filter_step() for _ in range(s.filter_steps if learn_filter else 0)]
        spammer_losses = [self.spammer_step() for _ in range(s.spammer_steps)]
        result = self._evaluate(filter_losses, spammer_losses)
        if not self._finite(result):
            self._restore(snapshot)
            self.diverged = (f"Round {self.round + 1} produced non-finite numbers; the game was stopped and "
                             "rewound to the last good round. Lower the learning rates or reset.")
            return self.last
        self.round += 1
        result.round = self.round
        self.last = result
        self._record(result)
        return result

    def step(self, n: int = 1) -> RoundResult | None:
        """Play up to n rounds (stops early on divergence)."""
        for _ in range(int(n)):
            if self.diverged:
                break
            self.play_round()
        return self.last

    @torch.no_grad()
    def _evaluate(self, filter_losses, spammer_losses) -> RoundResult:
        s = self.config
        rows = torch.randperm(len(self.ham_test), generator=self.gen)[: s.eval_size]
        ham_p = torch.sigmoid(self.spam_score(self.ham_test[rows]))
        z = torch.randn(s.eval_size, self.spammer.latent_dim, generator=self.gen).to(self.device)
        log_probs = self._spammer_forward(z)[1]
        probs = log_probs.exp()
        words = draw_distinct_words(log_probs, s.words_per_email, self.gen)
        tf = word_frequencies(words, self.corpus.size)
        spam_p = torch.sigmoid(self.spam_score(tf))
        return RoundResult(
            round=self.round,
            spam_words=words.cpu().numpy(),
            spam_p=spam_p.cpu().numpy().astype(float),
            ham_rows=self.ham_test_rows[rows.numpy()],
            ham_p=ham_p.cpu().numpy().astype(float),
            spammer_word_probs=probs.mean(dim=0).cpu().numpy().astype(float),
            filter_loss=float(np.mean(filter_losses)) if filter_losses else float("nan"),
            spammer_loss=float(np.mean(spammer_losses)) if spammer_losses else float("nan"),
        )

    def _record(self, r: RoundResult) -> None:
        cm = confusion_matrix(r.spam_p, r.ham_p, self.config.threshold)
        spam_word_share = float(self.corpus.spam_mask[r.spam_words].mean())
        top = self.filter_top_words(5)
        self.history.append({
            "round": r.round, **cm.to_dict(), "accuracy": cm.accuracy, "spam_through": cm.spam_through,
            "ham_flagged": cm.ham_flagged, "filter_loss": r.filter_loss, "spammer_loss": r.spammer_loss,
            "spam_word_share": spam_word_share, "threshold": self.config.threshold,
        })
        self.log.append({
            "round": r.round,
            "confusion": cm.to_dict(),
            "accuracy": round(cm.accuracy, 4),
            "spam_through": round(cm.spam_through, 4),
            "ham_flagged": round(cm.ham_flagged, 4),
            "filter_loss": _rounded(r.filter_loss),
            "spammer_loss": _rounded(r.spammer_loss),
            "spam_word_share": round(spam_word_share, 4),
            "filter_spam_words": [w for w, _ in top["spam"]],
            "filter_ham_words": [w for w, _ in top["ham"]],
            "spammer_words": [w for w, _ in self.spammer_top_words(5)],
        })

    # -- what each side relies on ------------------------------------------------------------
    def filter_top_words(self, k: int = TOP_K) -> dict[str, list[tuple[str, float]]]:
        """Words with the largest positive weight (evidence of spam) and most negative (evidence of real mail)."""
        w = self.filter.weight.detach().cpu().numpy()
        order = np.argsort(w, kind="stable")
        spam = [(self.corpus.words[i], float(w[i])) for i in order[::-1][:k] if w[i] > 0]
        ham = [(self.corpus.words[i], float(w[i])) for i in order[:k] if w[i] < 0]
        return {"spam": spam, "ham": ham}

    def spammer_top_words(self, k: int = TOP_K) -> list[tuple[str, float]]:
        if self.last is None:
            with torch.no_grad():
                z = torch.zeros(1, self.spammer.latent_dim, device=self.device)
                probs = F.softmax(self.spammer(z), dim=1)[0].cpu().numpy()
        else:
            probs = self.last.spammer_word_probs
        order = np.argsort(-probs, kind="stable")[:k]
        return [(self.corpus.words[i], float(probs[i])) for i in order]

    @torch.no_grad()
    def word_frequency_gap(self, n: int = 2000) -> float:
        """How far the spammer's word use is from real mail's: total variation between the average word
        frequencies of n fresh spam emails and of the filter's real mail (0 = the same; a linear filter over
        word frequencies has nothing left to go on). Drawn with its own generator: the game's draws stay the same."""
        gen = torch.Generator().manual_seed(self.seed + 2)
        z = torch.randn(n, self.spammer.latent_dim, generator=gen).to(self.device)
        words = draw_distinct_words(F.log_softmax(self.spammer(z), dim=1), self.config.words_per_email, gen)
        spam = word_frequencies(words, self.corpus.size).mean(dim=0)
        return float(0.5 * (spam - self.ham_train.mean(dim=0)).abs().sum())

    def confusion(self, threshold: float | None = None) -> ConfusionMatrix | None:
        """The latest test batch's confusion matrix at any threshold (no retraining)."""
        if self.last is None:
            return None
        t = self.config.threshold if threshold is None else threshold
        return confusion_matrix(self.last.spam_p, self.last.ham_p, t)

    def email_text(self, words: np.ndarray) -> list[str]:
        return [self.corpus.words[i] for i in words]

    def word_weights(self) -> np.ndarray:
        return self.filter.weight.detach().cpu().numpy().copy()

    # -- divergence guard ----------------------------------------------------------------------
    def _snapshot(self):
        # Each player is one vector and each optimiser two: six copies.
        return (self.spammer_params.clone(), self.filter_params.clone(), self.spammer_opt.moments(),
                self.filter_opt.moments())

    def _restore(self, snap) -> None:
        self.spammer_params.copy_(snap[0])
        self.filter_params.copy_(snap[1])
        self.spammer_opt.restore(snap[2])
        self.filter_opt.restore(snap[3])

    def _finite(self, r: RoundResult) -> bool:
        params_ok = bool(torch.isfinite(self.spammer_params).all() and torch.isfinite(self.filter_params).all())
        losses = [x for x in (r.filter_loss, r.spammer_loss) if not math.isnan(x)]
        return bool(params_ok and all(math.isfinite(x) for x in losses)
                    and np.isfinite(r.spam_p).all() and np.isfinite(r.ham_p).all())


def _rounded(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 5)
