from kerasgan.models.cgan.cgan import CGAN
