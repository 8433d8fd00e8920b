"""The adversarial engine every kerasgan family is built on.

- `AdversarialModel`: named networks in two roles (discriminator side,
  generator side), one optimizer per role, loss terms, one update schedule,
  EMA, the replica-aware seed generator (`adversarial_model.py`).
- `terms`: loss terms that compose (adversarial, gradient penalty, R1, drift,
  feature matching, reconstruction, cycle, identity, classification,
  content, KL, the networks' own regularisation losses).
- `tasks`: latent -> image and image -> image; how batches are read, what is
  sampled and exported.
- `ImageToImageGAN`: the paired translation model (generator on a source
  image, discriminator on `[source, image]`).

How a family plugs in: `kerasgan/engine/README.md`.
"""

from kerasgan.engine import terms
from kerasgan.engine.adversarial_model import AdversarialModel, StepContext
from kerasgan.engine.image_to_image import ImageToImageGAN
from kerasgan.engine.tasks import DomainTranslationTask, ImageToImageTask, LatentTask, SuperResolutionTask, task_of

__all__ = [
    "AdversarialModel",
    "DomainTranslationTask",
    "ImageToImageGAN",
    "ImageToImageTask",
    "LatentTask",
    "StepContext",
    "SuperResolutionTask",
    "task_of",
    "terms",
]
