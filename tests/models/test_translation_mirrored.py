"""Pix2Pix and CycleGAN under MirroredStrategy on 2 logical CPUs end equal
to one device (tests/models/translation_worker.py runs them; see its
docstring for the random draws turned off, CycleGAN's image pool left on,
and why CycleGAN trains at SGD(1e-3))."""

import pytest

from tests.conftest import REPO_ROOT
from tests.replica_checks import run_worker_script

WORKER = REPO_ROOT / "tests" / "models" / "translation_worker.py"


@pytest.mark.slow  # two subprocess trainings of two families on 2 logical CPUs: ~100 s on 2 cores
def test_pix2pix_and_cyclegan_on_two_replicas_equal_one_device(tmp_path):
    results = run_worker_script(WORKER, tmp_path)
    assert set(results) == {"pix2pix", "cyclegan"}
    for name, result in results.items():
        assert result["replicas"] == 2
        assert result["max_moved"] > 1e-3, f"{name}: training did not move the weights"
        assert result["max_abs_diff"] < 1e-5, (name, result)
        for key, (ref, dist) in result["losses"].items():
            assert dist == pytest.approx(ref, rel=1e-4, abs=1e-5), f"{name} {key}"
    # CycleGAN's image pools (pool_size 4, global batch 8) filled and swapped
    # on both runs; their images are among the compared weights.
    assert results["cyclegan"]["pool_counts"] == [[4, 4], [4, 4]]
