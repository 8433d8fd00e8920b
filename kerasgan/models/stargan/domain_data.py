"""StarGAN's data: an image dataset's class labels as the domains."""


def load_domains(source, image_size, batch_size=64, **kwargs):
    """`{"image", "domain"}` batches of `source` with its class labels as
    domains: `kerasgan.data.load(source, image_size, batch_size,
    with_labels=True, **kwargs)` renamed. MNIST's IDX file gives the ten
    digits as domains (its labels file is found next to it):

        ds = load_domains("../shared/data/mnist/t10k-images-idx3-ubyte.gz", 32, 16)
        gan = StarGAN(image_shape=(32, 32, 1), num_domains=kerasgan.data.num_classes(source))
    """
    from kerasgan import data

    dataset = data.load(source, image_size, batch_size, with_labels=True, **kwargs)
    return dataset.map(lambda images, labels: {"image": images, "domain": labels})
