"""The engine's toy families under MirroredStrategy on 2 logical CPUs end
equal to one device (tests/engine/engine_worker.py runs them)."""

import pytest

from tests.conftest import REPO_ROOT
from tests.replica_checks import run_worker_script

WORKER = REPO_ROOT / "tests" / "engine" / "engine_worker.py"


def test_toy_families_on_two_replicas_equal_one_device(tmp_path):
    results = run_worker_script(WORKER, tmp_path)
    for name, result in results.items():
        assert result["replicas"] == 2
        assert result["max_moved"] > 1e-3, f"{name}: training did not move the weights"
        # float32 rounding, relative to how far the weights moved: the toy pix2pix
        # moves weights by up to 3.3 in 4 steps and ends 1.6e-6 apart (a few ulps
        # at that size) once every weight is compared (tests/replica_checks.py).
        assert result["max_abs_diff"] < 1e-6 * max(1.0, result["max_moved"]), f"{name}: {result}"
        for key, (ref, dist) in result["losses"].items():
            assert dist == pytest.approx(ref, rel=1e-5, abs=1e-6), f"{name} {key}"
    # The cycle GAN ran with n_critic=2: 4 critic updates, 2 generator updates.
    assert results["cycle"]["iterations"] == [[4, 2], [4, 2]]
    assert results["pix2pix"]["iterations"] == [[4, 4], [4, 4]]
