"""The text -> image task (StackGAN): captions in, images out."""

import tensorflow as tf

from kerasgan.engine.tasks import Task, _split, check_images


def check_texts(name, texts):
    """A batch of captions -> a `tf.string` tensor `[batch]` (`[batch, 1]`
    is flattened)."""
    if isinstance(texts, str):
        texts = [texts]
    texts = tf.convert_to_tensor(texts)
    if texts.dtype != tf.string:
        raise ValueError(
            f"`{name}` must be strings (captions, tf.string). Received dtype {texts.dtype.name}."
        )
    if texts.shape.rank is not None and (texts.shape.rank not in (1, 2) or
                                         (texts.shape.rank == 2 and texts.shape[-1] != 1)):
        raise ValueError(f"`{name}` must be a batch of strings [batch]. Received shape {tuple(texts.shape)}.")
    return tf.reshape(texts, [-1])


class TextToImageTask(Task):
    """Caption -> image (`kerasgan.models.StackGAN`).

    Batches are `{"image", "text"}` (or `(image, text)`): float32 images in
    [-1, 1] at the model's `image_shape` (at Stage I also its coarse
    `stage_shape(1)`) and one `tf.string` caption per image
    (`kerasgan.data.captions.load_captions`). What a user calls is
    `generate(texts, n_per_text, seed)`; the export (`kerasgan.export.text_*`)
    serves `texts` (+ a `seed`, or explicit `noise`) -> images; a sample
    grid shows one caption per row. Training runs through the Python API
    (`StackGAN.stage_phases` and `kerasgan.callbacks.train_phases`), not
    `kerasgan train`.
    """

    name = "text_to_image"
    serving = "text"
    batch_keys = ("image", "text")

    def unpack_batch(self, model, data):
        images, texts = _split(data, self.batch_keys)
        if images is None or texts is None:
            raise ValueError(f"A batch must contain both {self.batch_keys} (images and their captions).")
        images = tf.convert_to_tensor(images)
        expected = model.image_shape
        if model.stage == 1 and images.shape.rank == 4 and tuple(images.shape[1:]) == tuple(model.stage_shape(1)):
            expected = model.stage_shape(1)
        images = check_images("image", images, expected)
        texts = check_texts("text", texts)
        return {"image": images, "text": texts}

    def grid_texts(self, model, num_rows, inputs=None):
        """Captions of a sample grid's rows: the first distinct captions of
        `inputs` (a batch), else the first words of the vocabulary."""
        texts = []
        if inputs is not None:
            _, batch_texts = _split(inputs, self.batch_keys)
            for text in check_texts("text", batch_texts).numpy().tolist():
                text = text.decode("utf-8")
                if text not in texts:
                    texts.append(text)
        if not texts:
            texts = list(model.text_encoder.vocabulary)
        return texts[:num_rows]

    def sample_grid(self, model, num_images, seed, inputs=None, columns=4):
        """`(images, columns)`: rows of `columns` samples per caption (see
        `grid_texts`), from fixed noise (`seed`)."""
        rows = max(1, num_images // columns)
        texts = self.grid_texts(model, rows, inputs)
        return model.generate(texts, n_per_text=columns, seed=seed), columns

    def data_kwargs(self, family, num_classes):
        return {}, False

    def sampler(self, model, batch_size):
        raise ValueError(
            f"{type(model).__name__} generates images from captions: score "
            "model.generate(texts=..., seed=...) against the real images of those captions, "
            "not samples from latents."
        )

    def data_info(self, dataset, target_dataset=None, split="train", data_dir=None):
        raise ValueError(
            "Text -> image families train through the Python API: batches from "
            "kerasgan.data.captions.load_captions and the stage schedule "
            "kerasgan.callbacks.train_phases(model, model.stage_phases(...)); `kerasgan train` "
            "does not read captions."
        )

    def data_loader(self, default_load, dataset, target_dataset=None, channels=None, split="train", seed=None):
        return self.data_info(dataset)

    def grid_inputs(self, dataset):
        return next(iter(dataset))


__all__ = ["TextToImageTask", "check_texts"]
