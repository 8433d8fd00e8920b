from kerasgan.models import VanillaGAN
from tests.models.model_checks import run_family_checks


def test_family_checks(tmp_path):
    run_family_checks(
        lambda: VanillaGAN((8, 8, 1), latent_dim=4, generator_units=(16,), discriminator_units=(16,), seed=0),
        (8, 8, 1),
        tmp_path,
    )
