import numpy as np

from kerasgan.callbacks.flat_samples_hint import FlatSamplesHint


class FakeGAN:
    def __init__(self, scale):
        self.scale = scale

    def generate(self, n, seed=None):
        rng = np.random.default_rng(seed)
        return self.scale * rng.uniform(-1, 1, (n, 8, 8, 1))


def run(scale, epochs=1, **kwargs):
    lines = []
    hint = FlatSamplesHint(print_fn=lines.append, **kwargs)
    hint._model = FakeGAN(scale)  # what set_model stores; generate() is all it uses
    for epoch in range(epochs):
        hint.on_epoch_begin(epoch)
        hint.on_epoch_end(epoch, {"d_loss": 0.01234, "g_loss": 5.5, "val_d_loss": None})
    hint.on_train_end()
    return lines


def test_flat_samples_get_one_line_with_the_balance():
    lines = run(0.01)  # pixel std about 0.006
    assert len(lines) == 1
    assert lines[0].startswith("Epoch 1: d_loss 0.012, g_loss 5.500: the samples are still flat tiles")


def test_samples_with_structure_get_none_and_notes_are_capped():
    assert run(1.0) == []  # std about 0.58
    assert len(run(0.01, epochs=8, max_notes=3)) == 3
