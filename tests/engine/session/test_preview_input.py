"""The canvas preview's sample: a test sample by index, or a raw drawn sample preprocessed as the
data was (the digit pad's drawing), checked against the data's own Preprocessing."""

from __future__ import annotations

import torch
from neurocanvas.engine.data import DataConfig, load_dataset, prepare
from neurocanvas.engine.session.training_job import TrainingJob, preview_input


def _data():
    cfg = DataConfig(source="xor", params={"n": 40}, split=(0.5, 0.25, 0.25), normalize=True)
    return prepare(load_dataset(cfg), cfg)


def test_an_index_picks_a_test_sample_wrapped_into_range():
    data = _data()
    assert torch.equal(preview_input(data, 3), data.test.x[3:4])
    assert torch.equal(preview_input(data, len(data.test.x) + 1), data.test.x[1:2])


def test_a_raw_sample_is_preprocessed_as_the_data_was():
    data = _data()
    raw = [[0.5, -0.25]]
    expected = data.preprocessing.apply(torch.tensor(raw))
    shown = preview_input(data, 0, raw)
    assert shown.shape == (1, 2) and torch.allclose(shown, expected)
    assert not torch.allclose(shown, torch.tensor(raw))  # standardised, not the raw values
    drawn_digit = [[0] * 28] * 28  # not a sample of this data: the test sample is shown
    assert torch.equal(preview_input(data, 2, drawn_digit), data.test.x[2:3])


def test_the_drawn_sample_travels_with_the_job_to_the_training_process():
    import pickle

    job = TrainingJob({"format": "neurocanvas"}, preview_image=[[1, 2]])
    assert pickle.loads(pickle.dumps(job)).preview_image == [[1, 2]]
