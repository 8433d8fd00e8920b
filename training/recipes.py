"""The recipes behind the zoo checkpoints: one named configuration each.

`{shared}` in a dataset path stands for the real-data folder (`../shared/data`
beside the checkout, or `--shared`). Each recipe is what `build_zoo.py NAME`
passes to `kerasgan.trainer.train`; the same run can be made from the shell
with `kerasgan train` (build_zoo.py prints that command).
"""

MNIST = "{shared}/mnist/t10k-images-idx3-ubyte.gz"

RECIPES = {
    "dcgan-mnist-32": dict(
        description="DCGAN on MNIST digits, 32x32 grayscale, generator EMA.",
        family="dcgan",
        dataset=MNIST,
        image_size=32,
        batch_size=32,
        latent_dim=64,
        epochs=8,
        model_kwargs={"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995},
        compile_kwargs={},
    ),
    "cgan-mnist-32": dict(
        description="Class-conditional GAN on MNIST digits, 32x32 grayscale, generator EMA.",
        family="cgan",
        dataset=MNIST,
        image_size=32,
        batch_size=32,
        latent_dim=64,
        epochs=8,
        model_kwargs={"generator_filters": 32, "discriminator_filters": 32, "ema_decay": 0.995},
        compile_kwargs={},
    ),
    "wgan-gp-mnist-32": dict(
        description="WGAN-GP on MNIST digits, 32x32 grayscale (n_critic 5, lambda 10), generator EMA.",
        family="wgan_gp",
        dataset=MNIST,
        image_size=32,
        batch_size=32,
        latent_dim=64,
        epochs=16,
        model_kwargs={"generator_filters": 32, "critic_filters": 32, "ema_decay": 0.99},
        compile_kwargs={},
    ),
}

#: Where each recipe's training data comes from, and its licence (for the model card).
DATA_CARDS = {
    MNIST: (
        "MNIST test split (10,000 handwritten digits, LeCun, Cortes & Burges), "
        "freely redistributed; read from the original IDX files."
    ),
}
