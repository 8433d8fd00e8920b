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
    (the last write wins). The images and the fill count are variables of
    the layer (`images`, `count`), so they are saved with the model and
    restored from a checkpoint. Draws come from `seed` (a
    `keras.random.SeedGenerator`, the model's). The output is a stop-gradient
    value (fakes for the discriminator).

    Under a distribution strategy the variables are written with
    `aggregation="only_first_replica"`: every replica reads the same pool,
    refilled from the first replica's fakes.

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
        batch = tf.shape(fakes)[0]
        size = self.pool_size
        count = tf.convert_to_tensor(self.count)
        pool = tf.convert_to_tensor(self.images)
        rows = tf.range(batch)
        # Filling: images that find a free slot are stored there and returned.
        filling = rows < size - count
        fill_slots = count + rows
        # Full: a coin per image; heads swap with a distinct random slot.
        coins = keras.random.uniform([batch], seed=seed) < 0.5
        order = tf.argsort(keras.random.uniform([tf.maximum(size, batch)], seed=seed))
        swap_slots = tf.gather(order, rows) % size
        swapping = tf.logical_and(tf.logical_not(filling), coins)
        slots = tf.where(filling, fill_slots, swap_slots)
        past = tf.gather(pool, tf.minimum(slots, size - 1))
        write = tf.logical_or(filling, swapping)
        out = tf.where(tf.reshape(swapping, [-1, 1, 1, 1]), past, fakes)
        indices = tf.boolean_mask(slots, write)
        updated = tf.tensor_scatter_nd_update(pool, indices[:, None], tf.boolean_mask(fakes, write))
        self.images.assign(updated)
        self.count.assign(tf.minimum(size, count + batch))
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "pool_size": self.pool_size, "image_shape": list(self.image_shape)}
