"""The caption encoder of StackGAN: raw strings -> a text embedding."""

import keras
from keras import layers

from kerasgan.models.common import Network
from kerasgan.utils.validation import check_positive_int

#: TextVectorization's standardisation (lower case, punctuation removed).
STANDARDIZE = "lower_and_strip_punctuation"


def build_vocabulary(texts, max_tokens=2000):
    """The vocabulary of `texts` for a `TextEncoder`: the words of the
    captions after lower-casing and stripping punctuation, most frequent
    first (as `TextVectorization.adapt` orders them), at most `max_tokens` - 2 of them (the padding and out-of-vocabulary
    tokens take two ids). Returns a list of str."""
    import numpy as np
    import tensorflow as tf

    max_tokens = check_positive_int("max_tokens", max_tokens)
    texts = [str(t) for t in (texts.tolist() if isinstance(texts, np.ndarray) else texts)]
    if not texts:
        raise ValueError("`texts` must hold at least one caption to build a vocabulary from.")
    vectorizer = layers.TextVectorization(max_tokens=max_tokens, standardize=STANDARDIZE)
    vectorizer.adapt(tf.constant(texts, tf.string))
    return [str(t) for t in vectorizer.get_vocabulary()[2:]]


@keras.saving.register_keras_serializable(package="kerasgan")
class WordMean(layers.Layer):
    """Mean of the word vectors of the non-padding tokens (id > 0):
    `[tokens [B, T], vectors [B, T, D]]` -> `[B, D]`; an empty caption gives
    zeros (not 0 / 0, as a masked `GlobalAveragePooling1D` does)."""

    def call(self, inputs):
        tokens, vectors = inputs
        mask = keras.ops.cast(keras.ops.greater(tokens, 0), vectors.dtype)[..., None]
        total = keras.ops.sum(vectors * mask, axis=1)
        count = keras.ops.maximum(keras.ops.sum(mask, axis=1), 1.0)
        return total / count

    def compute_output_shape(self, input_shapes):
        return (input_shapes[1][0], input_shapes[1][2])


@keras.saving.register_keras_serializable(package="kerasgan")
class TextEncoder(Network):
    """Captions (a batch of raw strings) -> text embeddings `[batch, text_dim]`.

    `TextVectorization` (lower case, punctuation stripped, split on
    whitespace, the fixed `vocabulary`, padded or cut to `sequence_length`
    tokens) -> `Embedding` -> mean over the words
    (`WordMean`: padding ignored, an empty caption gives zeros) -> `Dense(text_dim)` ->
    LeakyReLU(0.2). Out-of-vocabulary words share one id.

    The vocabulary is a constructor argument, so it is part of the config:
    a `.keras` file and the exported SavedModel both hold it and take raw
    strings (`build_vocabulary(training_captions)` makes it).

    How it is trained (`StackGAN`): jointly with the GAN, as a network of
    the *discriminator* role. Its objective is the matching-aware
    discriminator loss (real image with its own caption -> real, real image
    with another example's caption -> fake, fake image -> fake), which
    rewards embeddings that tell captions apart by what their images look
    like. The generators read its embeddings without gradient (the paper's
    text encoder is likewise fixed for the generator, pre-trained there
    with a joint image-text embedding objective). In Stage II it is frozen
    with Stage I.

    Args:
        vocabulary: list of words (without the padding "" and "[UNK]").
        sequence_length: words kept per caption.
        embedding_dim: size of the word vectors.
        text_dim: size of the caption embedding.
    """

    config_keys = ("vocabulary", "sequence_length", "embedding_dim", "text_dim")

    def __init__(self, vocabulary, sequence_length=16, embedding_dim=32, text_dim=64, **kwargs):
        if isinstance(vocabulary, str) or not vocabulary or not all(isinstance(w, str) and w for w in vocabulary):
            raise ValueError(
                "`vocabulary` must be a non-empty list of words (build it from the training captions "
                "with kerasgan.models.stackgan.build_vocabulary). "
                f"Received: vocabulary={vocabulary if isinstance(vocabulary, str) else type(vocabulary).__name__}"
            )
        vocabulary = [str(w) for w in vocabulary]
        if len(set(vocabulary)) != len(vocabulary) or {"", "[UNK]"} & set(vocabulary):
            raise ValueError("`vocabulary` must hold distinct words, without '' and '[UNK]'.")
        sequence_length = check_positive_int("sequence_length", sequence_length)
        embedding_dim = check_positive_int("embedding_dim", embedding_dim)
        text_dim = check_positive_int("text_dim", text_dim)
        text = keras.Input(shape=(), dtype="string", name="text")
        tokens = layers.TextVectorization(
            standardize=STANDARDIZE, vocabulary=vocabulary, output_mode="int",
            output_sequence_length=sequence_length, name="vectorize",
        )(text)
        words = layers.Embedding(len(vocabulary) + 2, embedding_dim, name="words")(tokens)
        pooled = WordMean(name="mean_words")([tokens, words])
        x = layers.Dense(text_dim, name="project")(pooled)
        embedding = layers.LeakyReLU(0.2, dtype="float32", name="embedding")(x)
        super().__init__(inputs=text, outputs=embedding, **kwargs)
        self.vocabulary = vocabulary
        self.sequence_length = sequence_length
        self.embedding_dim = embedding_dim
        self.text_dim = text_dim
