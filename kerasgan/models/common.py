"""Initialisers and the network base class shared by the model families
(argument checks: `kerasgan.utils.validation`)."""

import keras



def dcgan_init():
    """N(0, 0.02) kernels, as in Radford et al. (2016)."""
    return keras.initializers.RandomNormal(mean=0.0, stddev=0.02)


def dcgan_gamma_init():
    """N(1, 0.02) batch-norm scales, as in the reference DCGAN code."""
    return keras.initializers.RandomNormal(mean=1.0, stddev=0.02)


class Network(keras.Model):
    """A functional `keras.Model` built from its constructor arguments.

    Subclasses build their graph in `__init__`, call
    `super().__init__(inputs=..., outputs=..., **kwargs)`, store each argument
    as an attribute of the same name and list those names in `config_keys`:
    the config is then exactly the constructor arguments (keras-hub style), so
    the network rebuilds, clones (the EMA generator) and saves without custom
    code.
    """

    config_keys = ()

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        config.update({key: getattr(self, key) for key in self.config_keys})
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)
