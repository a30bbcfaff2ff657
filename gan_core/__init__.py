"""GAN Playground's compute core: models, losses, trainers, metrics, games, data,
checkpoints and figure specs. Plain Python; it never imports streamlit, so every
piece runs (and is tested) without a browser.

One sub-package per lesson, shared plumbing at the top level:
    mapping_1d/  z ~ U(0,1) pushed through G to match a 1-D target
    cgan/        conditional GAN on real MNIST digits
    games/       min_x max_y xy and Dirac-GAN update rules
    spam/        spammer vs spam filter
    device.py  history.py  seeding.py  vega.py   (shared)
"""

# The app's version, stamped on every export (gan_core/run_bundle.py): a different major version cannot be imported.
__version__ = "1.1.0"
