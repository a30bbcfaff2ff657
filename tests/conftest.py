"""Fixtures shared by the unit tests (the browser tests have their own, tests/e2e/conftest.py)."""
import pytest


@pytest.fixture
def one_torch_thread():
    """torch on one thread for the test, as the server runs it (gan_core/device.py): tiny nets, where extra
    threads only add contention on a shared 2-core machine. The previous count is restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
