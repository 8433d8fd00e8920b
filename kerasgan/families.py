"""The family registry: registry name -> the class that implements it.

Kept free of TensorFlow imports so the command line can list the families in
its `--help` without loading TensorFlow; `kerasgan.models.FAMILIES` maps the
same names to the imported classes. A new family adds one line here.
"""

#: Registry name -> "module:Class".
FAMILY_CLASSES = {
    "gan": "kerasgan.models.vanilla_gan:VanillaGAN",
    "dcgan": "kerasgan.models.dcgan:DCGAN",
    "cgan": "kerasgan.models.cgan:CGAN",
    "wgan_gp": "kerasgan.models.wgan_gp:WGANGP",
    "progan": "kerasgan.models.progan:ProGAN",
    "stylegan": "kerasgan.models.stylegan:StyleGAN",
    "pix2pix": "kerasgan.models.pix2pix:Pix2Pix",
    "cyclegan": "kerasgan.models.cyclegan:CycleGAN",
    "dualgan": "kerasgan.models.dualgan:DualGAN",
    "stargan": "kerasgan.models.stargan:StarGAN",
    "sagan": "kerasgan.models.sagan:SAGAN",
    "biggan": "kerasgan.models.biggan:BigGAN",
    "stackgan": "kerasgan.models.stackgan:StackGAN",
    "srgan": "kerasgan.models.srgan:SRGAN",
}


def names():
    """The registry names, sorted."""
    return sorted(FAMILY_CLASSES)


def load_class(name):
    """The class registered as `name` (imports its module)."""
    import importlib

    module, cls = FAMILY_CLASSES[name].split(":")
    return getattr(importlib.import_module(module), cls)
