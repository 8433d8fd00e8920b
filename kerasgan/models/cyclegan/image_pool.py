import keras
import tensorflow as tf


@keras.saving.register_keras_serializable(package="kerasgan")
class ImagePool(keras.layers.Layer):
    """A buffer of past generated images (Shrivastava et al., 2017; CycleGAN
    keeps 50): the discriminator is shown a mix of current and past fakes.

    `pool(fakes, seed)` returns, for each image of the batch: while the pool
    is not full, the image itself (and stores it); once full, with
    probability 0.5 a stored image picked uniformly (replaced by the new
    one), else the new image. Several images of one batch replace distinct
    slots (a random permutation); with more images than slots some share one
    (the last write wins). A batch that fills the pool stores its first
    images before the rest draw from it, so no empty slot is ever returned.
    The images and the fill count are variables of the layer (`images`,
    `count`), so they are saved with the model and restored from a
    checkpoint. Draws come from `seed` (a `keras.random.SeedGenerator`, the
    model's). The output is a stop-gradient value (fakes for the
    discriminator).

    Under a distribution strategy every replica gathers the fakes of all
    replicas (the global batch, in replica order), makes the same draws
    (the seed generator's own, without `ReplicaSeedGenerator`'s per-replica
    fold-in) and so writes the same pool; it returns its own rows of the
    global result. The pool, its draws and each example's output are those
    of one device on the global batch. The variables use
    `aggregation="only_first_replica"` (all replicas write the same value).

    Args:
        pool_size: images kept (0: no pool, the fakes pass through).
        image_shape: `(height, width, channels)`.
    """

    def __init__(self, pool_size=50, image_shape=(256, 256, 3), **kwargs):
        super().__init__(**kwargs)
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 0:
            raise ValueError(f"`pool_size` must be an int >= 0. Received: pool_size={pool_size!r}")
        self.pool_size = pool_size
        self.image_shape = tuple(int(d) for d in image_shape)
        if pool_size:
            self.images = self.add_weight(shape=(pool_size,) + self.image_shape, initializer="zeros",
                                          trainable=False, name="images", aggregation="only_first_replica")
            self.count = self.add_weight(shape=(), initializer="zeros", dtype="int32", trainable=False,
                                         name="count", aggregation="only_first_replica")
        self.built = True

    def call(self, fakes, seed=None):
        fakes = tf.stop_gradient(tf.cast(fakes, tf.float32))
        if not self.pool_size:
            return fakes
        context = tf.distribute.get_replica_context()
        local_size, start = None, None
        if context is not None and context.num_replicas_in_sync > 1:
            local_size = tf.shape(fakes)[:1]
            sizes = context.all_gather(local_size, axis=0)
            start = tf.reduce_sum(sizes[: context.replica_id_in_sync_group])
            fakes = context.all_gather(fakes, axis=0)
        batch = tf.shape(fakes)[0]
        size = self.pool_size
        count = tf.convert_to_tensor(self.count)
        rows = tf.range(batch)
        # Filling: images that find a free slot are stored there and returned.
        filling = rows < size - count
        fill_slots = count + rows
        pool = tf.tensor_scatter_nd_update(tf.convert_to_tensor(self.images),
                                           tf.boolean_mask(fill_slots, filling)[:, None],
                                           tf.boolean_mask(fakes, filling))
        # Full (the pool is, once the filling images are in): a coin per
        # image; heads swap with a distinct random slot.
        coins = _uniform([batch], seed) < 0.5
        order = tf.argsort(_uniform([tf.maximum(size, batch)], seed))
        swap_slots = tf.gather(order, rows) % size
        swapping = tf.logical_and(tf.logical_not(filling), coins)
        past = tf.gather(pool, swap_slots)
        out = tf.where(tf.reshape(swapping, [-1, 1, 1, 1]), past, fakes)
        updated = tf.tensor_scatter_nd_update(pool, tf.boolean_mask(swap_slots, swapping)[:, None],
                                              tf.boolean_mask(fakes, swapping))
        self.images.assign(updated)
        self.count.assign(tf.minimum(size, count + batch))
        if start is not None:
            out = out[start:start + local_size[0]]
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "image_shape": list(self.image_shape)}


def _uniform(shape, seed):
    """`keras.random.uniform(shape, seed=seed)`; from a `SeedGenerator`, its
    own next seed even where it is a `ReplicaSeedGenerator` (which folds the
    replica id in): every replica draws the same numbers, those of one
    device."""
    if not isinstance(seed, keras.random.SeedGenerator):
        return keras.random.uniform(shape, seed=seed)
    state = keras.random.SeedGenerator.next(seed)
    if state.dtype != tf.int32:
        # As keras' TensorFlow backend does for its stateless draws.
        state = tf.cast(tf.math.floormod(state, tf.int32.max - 1), tf.int32)
    return tf.random.stateless_uniform(shape, seed=state, dtype="float32")
