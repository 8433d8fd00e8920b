"""The example family of kerasgan/engine/README.md (two generators, two
discriminators, a cycle term) trains, saves and loads."""

import keras
import numpy as np

from tests.engine.toy_families import readme_namespace, unpaired_data, unpaired_dataset


def test_readme_cycle_gan_trains_saves_and_loads(tmp_path):
    TinyCycleGAN = readme_namespace()["TinyCycleGAN"]
    keras.utils.set_random_seed(0)
    gan = TinyCycleGAN(seed=0)
    assert gan.roles == {"discriminator": ("d_a", "d_b"), "generator": ("g_ab", "g_ba")}
    gan.compile()
    # One optimizer per role over all its networks' variables.
    assert len(gan.g_optimizer.variables) > len(gan.g_ab.trainable_variables) * 2
    before = {n: [w.numpy() for w in gan.get_network(n).weights] for n in ("g_ab", "g_ba", "d_a", "d_b")}
    history = gan.fit(unpaired_dataset(), epochs=2, verbose=0)
    assert set(history.history) == {"d_loss_a", "d_loss_b", "g_loss_a", "g_loss_b", "cycle"}
    assert all(np.isfinite(v).all() for v in history.history.values())
    for name, weights in before.items():
        assert any(not np.array_equal(a, b.numpy()) for a, b in zip(weights, gan.get_network(name).weights)), name
    a, b = unpaired_data(n=4)
    path = tmp_path / "cycle.keras"
    gan.save(path)
    loaded = keras.saving.load_model(path)
    for direction, images in (("a2b", a), ("b2a", b)):
        np.testing.assert_array_equal(gan.translate(images, direction).numpy(),
                                      loaded.translate(images, direction).numpy())
    assert int(loaded.g_optimizer.iterations) == int(gan.g_optimizer.iterations) == 4
