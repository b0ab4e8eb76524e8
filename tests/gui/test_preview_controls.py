"""The canvas preview can show the digit drawn on Try it's pad instead of a test sample."""

from __future__ import annotations

import numpy as np


def test_the_drawn_digit_is_the_preview_sample_when_chosen(qtbot):
    from neurocanvas.gui.training.digit_pad import DigitPad
    from neurocanvas.gui.training.dock_extras import PreviewControls

    controls, pad = PreviewControls(), DigitPad()
    for widget in (controls, pad):
        qtbot.addWidget(widget)
    controls.check.setChecked(True)
    controls.drawn.setChecked(True)
    assert controls.image(pad) is None  # nothing drawn yet: the test sample stays
    pad.draw_stroke([(85, 60), (140, 45), (190, 70), (175, 120)])
    image = np.asarray(controls.image(pad))
    assert image.shape == (28, 28) and image.max() == 255
    np.testing.assert_allclose(image, np.round(pad.image() * 255))
    assert not controls.spin.isEnabled()
    controls.drawn.setChecked(False)
    assert controls.image(pad) is None and controls.sample() == 0
