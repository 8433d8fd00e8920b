import keras
import numpy as np

from kerasgan.layers import ReplicaDropout


def test_replica_dropout_is_keras_dropout_on_one_device():
    ours, theirs = ReplicaDropout(0.5, seed=4), keras.layers.Dropout(0.5, seed=4)
    x = np.ones((3, 16), np.float32)
    for _ in range(2):
        np.testing.assert_array_equal(ours(x, training=True), theirs(x, training=True))
    np.testing.assert_array_equal(ours(x), x)
    assert len(ours._seed_generators) == 1 and ReplicaDropout.from_config(ours.get_config()).rate == 0.5
