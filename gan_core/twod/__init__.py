"""A general, fast 2-D GAN core: hand-written NumPy forward/backward/optimiser, with a PyTorch autograd reference."""
