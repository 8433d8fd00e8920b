"""Phase-2 variants of the `srgan-emoji-x4` recipe, measured along the way.

    .venv/bin/python training/srgan_sweep.py phase1 --out runs/srgan-sweep
    .venv/bin/python training/srgan_sweep.py NAME --out runs/srgan-sweep [--adv 3e-4] [--steps 2400]

`phase1` trains `build_srgan_zoo.py`'s phase 1 (its `MODEL_KWARGS`, `DATA`,
`PHASE1`) with a generator EMA (`--ema`) and saves `OUT/srresnet.keras`.
Any other NAME continues that file in phase 2 with the given loss weights
(the EMA restarted from the phase-1 generator) and, every `--eval-every`
steps, measures both the raw and the EMA generator on the held-out split
exactly as the zoo card does (PSNR, SSIM, whole-image FID and patch FID
with the Twemoji group classifier), one JSON line per point in
`OUT/NAME.jsonl`. training/README.md records what it found.
"""

import argparse
import json
import pathlib
import sys
import time

import kerasgan  # noqa: F401  (before TensorFlow: sets its oneDNN default)

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import build_srgan_zoo as recipe  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("name", help="`phase1`, or the name of a phase-2 variant")
    parser.add_argument("--out", default=str(recipe.REPO / "runs" / "srgan-sweep"))
    parser.add_argument("--shared", default=str(recipe.REPO.parent / "shared" / "data"))
    parser.add_argument("--steps", type=int, default=1600, help="phase-2 steps")
    parser.add_argument("--eval-every", type=int, default=400)
    parser.add_argument("--ema", type=float, default=0.999, help="generator EMA decay")
    parser.add_argument("--adv", type=float, default=1e-3, help="adversarial weight")
    parser.add_argument("--pixel", type=float, default=0.1, help="pixel MSE weight")
    parser.add_argument("--content", type=float, default=1.0, help="content loss weight")
    parser.add_argument("--lr", type=float, default=1e-4, help="Adam learning rate of both networks")
    parser.add_argument("--start", help="the .keras file phase 2 continues (default OUT/srresnet.keras); "
                                        "a phase-2 file continues with its optimizers' state")
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    from kerasgan.data.super_resolution import load_super_resolution
    from kerasgan.metrics import DomainClassifier
    from kerasgan.models import SRGAN

    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_super_resolution(recipe.DATA["source"].format(shared=args.shared), recipe.DATA["image_size"],
                                 recipe.DATA["batch_size"], scale=recipe.DATA["scale"], split="train",
                                 seed=recipe.DATA["seed"], repeat=True)
    low, high = recipe.test_arrays(args.shared)
    extractor = DomainClassifier.load(recipe.EXTRACTOR, name="twemoji-groups-classifier")
    real, real_patches = extractor.features(high), extractor.features(recipe.patches(high))

    def score(network):
        upscaled = np.concatenate([np.asarray(network(low[i:i + 64], training=False))
                                   for i in range(0, len(low), 64)])
        s = recipe.score(upscaled, high, extractor, real, real_patches)
        return {key: float(s[key]) for key in ("psnr", "ssim", "fid", "patch_fid")}

    log = out / f"{args.name}.jsonl"
    if args.name == "phase1":
        keras.utils.set_random_seed(recipe.DATA["seed"])
        model = SRGAN(**{**recipe.MODEL_KWARGS, "ema_decay": args.ema})
        model.compile(**recipe.PHASE1["compile"])
        start = time.time()
        steps = recipe.PHASE1["steps"]
        model.fit(data, steps_per_epoch=recipe.PHASE1["steps_per_epoch"],
                  epochs=steps // recipe.PHASE1["steps_per_epoch"], verbose=2)
        record = {"steps": steps, "seconds": round(time.time() - start, 1), "raw": score(model.generator),
                  "ema": score(model.ema_generator)}
        model.save(out / "srresnet.keras")
        log.write_text(json.dumps(record) + "\n")
        print(json.dumps(record))
        return 0

    model = keras.saving.load_model(args.start or out / "srresnet.keras")
    if args.start is None:
        model.reset_ema()
        model.ema_decay = args.ema
        model.compile(phase="srgan", content_weight=args.content, adversarial_weight=args.adv,
                      pixel_weight=args.pixel, g_learning_rate=args.lr, d_learning_rate=args.lr)
    else:  # its compiled phase 2 and optimizer state, at the learning rate `--lr`
        for optimizer in (model.g_optimizer, model.d_optimizer):
            optimizer.learning_rate = args.lr
    with open(log, "w") as f:
        f.write(json.dumps({"steps": 0, "args": vars(args), "raw": score(model.generator)}) + "\n")
    start, done = time.time(), 0
    while done < args.steps:
        model.fit(data, steps_per_epoch=args.eval_every, epochs=1, verbose=0)
        done += args.eval_every
        record = {"steps": done, "seconds": round(time.time() - start, 1), "raw": score(model.generator)}
        if model.ema_networks:
            record["ema"] = score(model.ema_generator)
        with open(log, "a") as f:
            f.write(json.dumps(record) + "\n")
        print(json.dumps(record), flush=True)
        model.save(out / f"{args.name}.keras")
    return 0


if __name__ == "__main__":
    sys.exit(main())
