import keras

from kerasgan import distribute


@keras.saving.register_keras_serializable(package="kerasgan")
class ReplicaDropout(keras.layers.Dropout):
    """`keras.layers.Dropout` whose masks differ between replicas.

    Keras' `Dropout` draws from its own `SeedGenerator`, whose state is
    mirrored across replicas: under a distribution strategy every replica
    drops the *same* units of its own examples. This layer draws from a
    `kerasgan.distribute.ReplicaSeedGenerator` instead (the replica id is
    folded into each seed), so replicas draw independent masks, as one
    device does for the rows of a global batch. With one replica the masks
    are exactly those of `keras.layers.Dropout` with the same seed.
    Same arguments and config as `keras.layers.Dropout`.
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(rate, noise_shape=noise_shape, seed=seed, **kwargs)
        old = getattr(self, "seed_generator", None)
        if old is not None:
            new = distribute.ReplicaSeedGenerator(seed, name=old.name)
            # Keep the layer's tracked state to the one generator it uses.
            self._tracker.replace_tracked_value("seed_generators", old, new)
            self._seed_generators = [new if s is old else s for s in self._seed_generators]
            object.__setattr__(self, "seed_generator", new)
