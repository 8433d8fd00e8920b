"""Translation metrics on inputs whose answers are known by hand."""

import numpy as np
import pytest

from kerasgan.metrics import translation_metrics
from kerasgan.metrics.translation import l1_per_image, psnr_per_image, ssim_per_image


def test_identical_images_score_perfectly():
    x = np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 3)).astype("float32")
    result = translation_metrics(x, x)
    assert result["l1"] == 0.0 and result["ssim"] == pytest.approx(1.0, abs=1e-6)
    assert np.isinf(result["psnr"])


def test_a_constant_offset_has_known_l1_and_psnr():
    x = np.zeros((2, 12, 12, 1), "float32")
    y = x + 0.2  # 0.1 in [0, 1] units: MSE 0.01 -> PSNR 20 dB
    np.testing.assert_allclose(l1_per_image(y, x).numpy(), [0.2, 0.2], atol=1e-6)
    np.testing.assert_allclose(psnr_per_image(y, x).numpy(), [20.0, 20.0], atol=1e-4)
    # SSIM of two constant images: only the luminance term, (2 mu_x mu_y + c1) / (mu_x^2 + mu_y^2 + c1).
    c1 = 0.01**2
    expected = (2 * 0.5 * 0.6 + c1) / (0.5**2 + 0.6**2 + c1)
    # (float32: E[x^2] - E[x]^2 leaves ~1e-7 of variance next to c2 = 9e-4, hence 5e-4.)
    np.testing.assert_allclose(ssim_per_image(y, x).numpy(), [expected] * 2, atol=5e-4)
    assert abs(float(ssim_per_image(y, x).numpy()[0]) - 1.0) > 0.01


def test_black_vs_white_is_the_worst_case_and_small_images_work():
    black, white = -np.ones((1, 8, 8, 1), "float32"), np.ones((1, 8, 8, 1), "float32")
    result = translation_metrics(black, white)
    assert result["l1"] == pytest.approx(2.0) and result["psnr"] == pytest.approx(0.0, abs=1e-5)
    assert result["ssim"] == pytest.approx(1e-4 / (1 + 1e-4), abs=1e-6)  # window shrunk to 8


def test_bad_inputs_are_named():
    x = np.zeros((2, 8, 8, 1), "float32")
    with pytest.raises(ValueError, match="same number"):
        translation_metrics(x, x[:1])
    with pytest.raises(ValueError, match="floating point"):
        translation_metrics(x.astype("uint8"), x.astype("uint8"))
    with pytest.raises(ValueError, match="one shape"):
        translation_metrics(x, np.zeros((2, 8, 8, 3), "float32"))
