from kerasgan.models.wgan_gp.wgan_gp import WGANGP
