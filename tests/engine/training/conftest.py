"""Every training test leaves PyTorch's CPU thread count as it found it."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _threads():
    previous = torch.get_num_threads()
    yield
    torch.set_num_threads(previous)
