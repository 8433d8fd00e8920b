"""The `kerasgan` command line.

    kerasgan train dcgan --dataset digits --epochs 2 --out runs/dcgan
    kerasgan train dcgan --dataset digits --num-workers 2      # 2 local workers
    kerasgan train progan --image-size 32 --phase-batch-sizes 64,64,32,16
    kerasgan sample runs/dcgan/model.keras -n 64 --out grid.png
    kerasgan evaluate runs/dcgan/model.keras --dataset digits --metrics fid,kid
    kerasgan export runs/dcgan/model.keras --out exports/dcgan --version 1
    kerasgan zoo sample dcgan-mnist-32 -n 16 --out grid.png
    kerasgan gallery --out site/ --serve                      # docs/gallery.md

Every subcommand has `--help`. TensorFlow is imported only once a command
runs, so `--help` is quick.
"""

import argparse
import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings

from kerasgan import families


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """`--help` shows each option's default (unless it is None/False or the
    help text already says it)."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default in (None, False) or "default" in text:
            return action.help
        return super()._get_help_string(action)


#: Python-call advice in library error messages -> the command-line flag that does the same.
_CLI_HINTS = (
    (r"on_corrupt='skip'", "--on-corrupt skip"),
    (r"pass steps_per_epoch", "pass --steps-per-epoch N"),
    (r"pass fade_in_images and stabilize_images", "pass --fade-in-images N and --stabilize-images N"),
    (r"on_nan='(\w+)'", r"--on-nan \1"),
    (r"--override \(override=True\)", "--override"),
    (r"override=True", "--override"),
    (r"Received: image_shape=\((\d+), \d+, \d\)", r"Received: --image-size \1"),
    (r"Received: target_resolution=(\d+)", r"Received: --image-size \1"),
    (r"Received: latent_dim=(\d+)", r"Received: --latent-dim \1"),
)


def cli_message(text):
    """A library error message with its Python advice (`on_corrupt='skip'`)
    rewritten as the command-line flags that do the same (`--on-corrupt skip`)."""
    for pattern, replacement in _CLI_HINTS:
        text = re.sub(pattern, replacement, text)
    return text


def _parse_value(text):
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _key_values(pairs, flag):
    """`["a=1", "b=[2,3]"]` -> `{"a": 1, "b": [2, 3]}` (values parsed as JSON when they can be)."""
    result = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SystemExit(f"kerasgan: {flag} takes KEY=VALUE. Received: {pair!r}")
        key, value = pair.split("=", 1)
        result[key.strip().replace("-", "_")] = _parse_value(value)
    return result


def _add_train(subparsers):
    p = subparsers.add_parser("train", help="train (or resume) a GAN", description=(
        "Train a GAN family with model.fit. Writes OUT/samples/*.png, OUT/checkpoints "
        "(rerun with the same --out to resume; a checkpoint that does not fit the model "
        "is an error), OUT/history.csv and OUT/model.keras."))
    p.add_argument("family", help="model family: " + ", ".join(families.names()))
    p.add_argument("--dataset", default="digits",
                   help="'digits' (embedded, default), a TFDS name, an image folder, an IDX file")
    p.add_argument("--labels-file", default=None, metavar="FILE",
                   help="class labels of an image --dataset folder from a file instead of subfolders: "
                        "Emojibase metadata (emojibase.data.json: emoji groups) or a `file,label` CSV; "
                        "images it does not label are left out")
    p.add_argument("--out", default=None, help="run folder (default: runs/FAMILY)")
    p.add_argument("--epochs", type=int, default=10, help="epochs to train (a resumed run trains the rest)")
    p.add_argument("--image-size", type=int, default=32,
                   help="square image size, a power of two for the convolutional families "
                        "(progressive families: the target resolution)")
    p.add_argument("--batch-size", type=int, default=64, help="global batch size")
    p.add_argument("--latent-dim", type=int, default=100, help="size of the generator's latent vector")
    p.add_argument("--channels", type=int, choices=(1, 3), default=None,
                   help="1 or 3 (default: the dataset's own)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights, the data order and the samples")
    p.add_argument("--data-dir", default=None,
                   help="TFDS data directory (default: TFDS's, ~/tensorflow_datasets). A dataset "
                        "already prepared there is read offline")
    p.add_argument("--split", default="train", help="TFDS split")
    p.add_argument("--steps-per-epoch", type=int, default=None,
                   help="batches per epoch (default: one pass over the data)")
    p.add_argument("--on-corrupt", choices=("error", "skip"), default="error",
                   help="an unreadable file in an image folder: stop with an error naming it, or "
                        "skip it with a warning")
    p.add_argument("--num-samples", type=int, default=64, help="images per sample grid")
    p.add_argument("--ema-decay", type=float, default=None,
                   help="keep an exponential moving average of the generator with this decay")
    p.add_argument("--model", action="append", metavar="KEY=VALUE",
                   help="family constructor argument, e.g. --model generator_filters=32")
    p.add_argument("--compile", action="append", metavar="KEY=VALUE",
                   help="compile argument, e.g. --compile loss=hinge --compile n_critic=2")
    p.add_argument("--precision", choices=("float32", "bf16", "fp16"), default="float32",
                   help="bf16: mixed bfloat16 (bfloat16 compute, float32 weights; faster on CPUs with "
                        "AVX512-BF16 or AMX and on recent GPUs); fp16: mixed float16, loss-scaled (GPUs)")
    p.add_argument("--strategy", default="auto",
                   help="auto (all GPUs if >1), default, mirrored, multi_worker (TF_CONFIG), "
                        "cpu:N (N logical CPUs, for testing); --batch-size is the global batch")
    p.add_argument("--num-workers", type=int, default=None, metavar="N",
                   help="train with N MultiWorkerMirroredStrategy workers (--batch-size stays the "
                        "global batch). With TF_CONFIG set, N must be the number of workers in its "
                        "cluster (run the same command on every worker). Without TF_CONFIG, N > 1 "
                        "starts N local worker processes on 127.0.0.1 (free ports) and waits for "
                        "them: the chief's output is shown, a failing worker stops them all, and "
                        "the exit status is the chief's. Only the chief (worker 0) writes --out; "
                        "the others write to temporary folders that are removed, and resume from "
                        "--out's checkpoints (on several machines --out must be on a shared file "
                        "system to resume). N = 1: a plain run")
    g = p.add_argument_group("progressive families (progan, stylegan)", (
        "A run grows from 4x4 to --image-size, one phase per resolution: each phase after the "
        "first fades its new layers in, then stabilises. Lengths are in images; by default each "
        "fade-in and each stabilisation is --epochs passes over the data. An epoch is "
        "--steps-per-epoch steps (default: one pass at --batch-size); samples are written every "
        "epoch and at the end of every phase (samples/phase_RxR.png)."))
    g.add_argument("--fade-in-images", type=int, default=None, help="images per fade-in")
    g.add_argument("--stabilize-images", type=int, default=None, help="images per stabilisation")
    g.add_argument("--phase-batch-sizes", default=None, metavar="B4,B8,...",
                   help="comma-separated global batch size of every phase, from 4x4 to the target "
                        "(e.g. 64,64,32,16 for 32x32); default --batch-size everywhere")
    f = p.add_argument_group("faults (docs/faults.md)", (
        "A run holds OUT/.lock while it trains: a second run into the same --out is refused, naming "
        "the pid. Every file is written atomically, so a rerun after a kill at any moment resumes "
        "from the last checkpoint. A NaN or Inf loss or weight stops the run with an error naming "
        "the epoch, batch and quantity (exit status 3); the last good checkpoint and model.keras "
        "are kept."))
    f.add_argument("--override", action="store_true",
                   help="resume even though the training settings (seed, batch size, loss, model, "
                        "learning rates, ...) differ from OUT/run.json; without it such a rerun is "
                        "refused, listing the changed keys")
    f.add_argument("--on-nan", choices=("stop", "rollback"), default="stop",
                   help="stop (default): fail at the first NaN/Inf. rollback: restore the last good "
                        "checkpoint and continue with the learning rates divided by 10, at most "
                        "--max-rollbacks times (recorded in run.json); non-progressive families only")
    f.add_argument("--max-rollbacks", type=int, default=3, metavar="N")
    e = p.add_argument_group("evaluation during training (latent -> image families)", (
        "With --evaluate-every N the generator (its EMA when it has one) is scored every N epochs "
        "as `kerasgan evaluate` scores a saved model: the scores are columns of OUT/history.csv and "
        "a panel of OUT/curves.png, and the model with the best --eval-monitor score so far is kept "
        "as OUT/best.keras (written atomically; a resumed run keeps the best of its history)."))
    e.add_argument("--evaluate-every", type=int, default=None, metavar="N", help="epochs between evaluations")
    e.add_argument("--eval-dataset", default=None,
                   help="real images to compare with (default: --dataset; e.g. the whole set when "
                        "training on a subset)")
    e.add_argument("--eval-extractor", default=None, metavar="domain|inception|FILE",
                   help="feature extractor, as `kerasgan evaluate --extractor` (default: 'domain', "
                        "which needs labelled data; for unlabelled images a saved FILE.keras such as "
                        "zoo/extractors/twemoji-groups-classifier.keras, or 'inception')")
    e.add_argument("--eval-metrics", default="fid,kid", help="comma-separated: fid,kid,is,pr")
    e.add_argument("--eval-monitor", default="fid", help="the score that picks OUT/best.keras")
    e.add_argument("--eval-samples", type=int, default=2000, help="generated images per evaluation")
    e.add_argument("--cache-dir", default=os.path.join("~", ".cache", "kerasgan"),
                   help="where trained 'domain' extractors are cached")
    p.add_argument("--no-tensorboard", action="store_true", help="do not write TensorBoard logs")
    p.add_argument("--dry-run", action="store_true",
                   help="check the configuration (dataset, family, image size, --model and --compile "
                        "arguments: the model is built, nothing is trained or written), print it "
                        "with the resolved channels and steps per epoch, and exit")


def _add_sample(subparsers):
    p = subparsers.add_parser("sample", help="write a grid of samples from a saved model")
    p.add_argument("model", help="a .keras model written by kerasgan, or a run folder (its model.keras)")
    p.add_argument("-n", "--num-images", type=int, default=None,
                   help="images in the grid (default 64; 4 with --attention)")
    p.add_argument("--out", default="samples.png", help="PNG grid path")
    p.add_argument("--seed", type=int, default=0, help="seed of the latents")
    p.add_argument("--labels", default=None, help="comma-separated class labels (conditional models)")
    p.add_argument("--columns", type=int, default=None, help="grid columns (default: about square)")
    p.add_argument("--text", action="append", default=None, metavar="CAPTION",
                   help="text -> image models (StackGAN): a caption to draw, one grid row per --text "
                        "(repeat it); -n is then the images per caption (default 8)")
    p.add_argument("--stage", type=int, default=None, choices=(1, 2),
                   help="with --text: the StackGAN stage to draw (default: the last trained)")
    p.add_argument("--attention", default=None, metavar="PICTURE.png",
                   help="instead of a grid, write where the generator's self-attention looks (SAGAN, "
                        "BigGAN): per image, the image with four query pixels marked, then one attention "
                        "map per query over the image (-n images, default 4 here)")


def _add_evaluate(subparsers):
    p = subparsers.add_parser(
        "evaluate", help="score a saved model (FID, KID, IS, precision/recall)",
        description=(
            "Score a saved model against real images. A .keras file is loaded in Keras' safe mode "
            "(no arbitrary code). A SavedModel folder runs its own graph, which can hold any "
            "TensorFlow op (reading or writing files, ...): only folders written by `kerasgan "
            "export` (with assets.extra/kerasgan.json) are accepted, others only with "
            "--trust-saved-model. A zoo name is scored with the extractor and real data named in "
            "its registry entry, as its model card's numbers were."),
        epilog=(
            "Extractors and labels: 'domain' trains a small classifier on --dataset's class labels "
            "(class subfolders, IDX labels, 'digits', labelled TFDS sets), so it needs labels. "
            "'inception', --inception-weights FILE and --extractor FILE.keras need none: use them "
            "for a folder of unlabelled images. The zoo's extractors are in zoo/extractors/ "
            "(mnist-classifier.keras, twemoji-groups-classifier.keras); IS needs an extractor with "
            "a classifier head (a .keras extractor, 'domain', or Inception weights with the top). "
            "Scores compare only with scores of the same extractor (its identity is printed)."),
    )
    p.add_argument("model", help="a .keras model, a run folder (its model.keras), a SavedModel folder "
                                 "written by `kerasgan export`, or a zoo name")
    p.add_argument("--trust-saved-model", action="store_true",
                   help="evaluate a SavedModel folder without kerasgan's metadata "
                        "(assets.extra/kerasgan.json): its graph runs as it is, so only for folders "
                        "you trust; it needs a generate_from_seed signature")
    p.add_argument("--dataset", default=None,
                   help="real data to compare with (any source `kerasgan train` takes; default: a zoo "
                        "entry's own data, else 'digits')")
    p.add_argument("--labels-file", default=None, metavar="FILE",
                   help="class labels of an image-folder --dataset from a file (Emojibase metadata or a "
                        "`file,label` CSV, as for train); images it does not label still count as real "
                        "images (default: a zoo entry's own)")
    p.add_argument("--sample-labels", choices=("balanced", "data"), default=None,
                   help="labels of a conditional model's samples: balanced (0, 1, ..., K-1, ...), or in "
                        "the class proportions of --dataset's labels (for unbalanced classes). "
                        "Default: a zoo entry's own, else balanced")
    p.add_argument("--metrics", default="fid,kid", help="comma-separated: fid,kid,is,pr")
    p.add_argument("--num-samples", type=int, default=2000, help="generated images to score")
    p.add_argument("--extractor", default=None, metavar="domain|inception|FILE",
                   help="feature extractor: 'domain' (a classifier trained on --dataset's labels, "
                        "cached in --cache-dir; needs labels), 'inception' (InceptionV3 ImageNet "
                        "weights from the Keras cache, or --inception-weights), or a saved extractor "
                        "FILE.keras (e.g. zoo/extractors/mnist-classifier.keras; a Keras classifier "
                        "with a layer named 'features'); a .h5 FILE is taken as InceptionV3 weights. "
                        "Default: a zoo entry's own extractor, else 'domain'")
    p.add_argument("--inception-weights", default=None, metavar="FILE",
                   help="local InceptionV3 weights (.h5; with the top for IS), for computers "
                        "without internet; implies --extractor inception")
    p.add_argument("--on-corrupt", choices=("error", "skip"), default="error",
                   help="an unreadable file in an image folder --dataset: stop with an error naming "
                        "it, or skip it with a warning")
    p.add_argument("--cache-dir", default=os.path.join("~", ".cache", "kerasgan"),
                   help="where trained 'domain' extractors are cached")
    p.add_argument("--seed", type=int, default=0, help="seed of the generated samples")
    p.add_argument("--json", default=None, help="also write the results to this JSON file")
    p.add_argument("--truncation-sweep", default=None, metavar="PSIS",
                   help="comma-separated truncation thresholds (e.g. 0.25,0.5,0.75,1): score the model at "
                        "each (BigGAN `truncation`, StyleGAN `truncation_psi`) and without truncation; "
                        "--metrics defaults to fid,pr (+accuracy for conditional models) here")
    p.add_argument("--plot", default=None, metavar="PICTURE.png",
                   help="with --truncation-sweep: write the sweep as a PNG plot (FID, precision, recall "
                        "against psi)")


def _add_common(parser):
    """`--verbose` on every (sub)command, and defaults in every `--help`."""
    parser.formatter_class = HelpFormatter
    if not any("--verbose" in a.option_strings for a in parser._actions):
        parser.add_argument("--verbose", action="store_true", default=argparse.SUPPRESS,
                            help="also show TensorFlow's own log lines and warnings, and full tracebacks")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _add_common(sub)


def build_parser():
    parser = argparse.ArgumentParser(prog="kerasgan", description="GANs for TensorFlow/Keras.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    _add_train(subparsers)
    _add_sample(subparsers)
    _add_evaluate(subparsers)
    from kerasgan.cli_export import add_export_parser

    add_export_parser(subparsers)
    from kerasgan.cli_zoo import add_zoo_parser

    add_zoo_parser(subparsers)
    from kerasgan.cli_translate import add_translate_parser

    add_translate_parser(subparsers)  # also train's --target-dataset
    from kerasgan.cli_upscale import add_upscale_parser

    add_upscale_parser(subparsers)
    from kerasgan.gallery.cli import add_parsers as add_gallery_parsers

    add_gallery_parsers(subparsers)
    _add_common(parser)
    return parser


def _int_list(text, flag):
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        values = []
    if not values:
        raise ValueError(f"{flag} takes comma-separated integers. Received: {text!r}")
    return values


def _tf_config_workers():
    """The number of workers (chief included) in TF_CONFIG's cluster, or None
    when TF_CONFIG is unset."""
    raw = os.environ.get("TF_CONFIG")
    if not raw:
        return None
    try:
        cluster = json.loads(raw)["cluster"]
        return len(cluster.get("worker", [])) + len(cluster.get("chief", []))
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValueError(f"TF_CONFIG must be JSON with a cluster. Received: TF_CONFIG={raw!r} ({e})") from None


def _worker_strategy(args):
    """Checks --num-workers against TF_CONFIG and --strategy; returns the
    strategy name to train with, or None when local workers must be started."""
    n = args.num_workers
    if n is None:
        return args.strategy
    if n < 1:
        raise ValueError(f"--num-workers must be >= 1. Received: {n}")
    in_cluster = _tf_config_workers()
    if in_cluster is not None and in_cluster != n:
        raise ValueError(
            f"--num-workers {n} does not match TF_CONFIG, whose cluster has {in_cluster} "
            f"worker(s). Pass --num-workers {in_cluster}, or unset TF_CONFIG to start {n} "
            "local workers."
        )
    if n == 1:
        return args.strategy
    if args.strategy.strip().lower().replace("-", "_") not in ("auto", "multi_worker"):
        raise ValueError(
            f"--num-workers {n} trains with the multi_worker strategy. Received: --strategy {args.strategy}"
        )
    return "multi_worker" if in_cluster else None


def _free_ports(n):
    """`n` distinct free TCP ports on 127.0.0.1 (bound to port 0 together,
    then released for the workers to take)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _parent_death_signal():
    """A `preexec_fn` that makes the child get SIGKILL when this process dies
    (Linux `PR_SET_PDEATHSIG`), so workers never outlive a killed launcher;
    None elsewhere. `prctl` is looked up here, not in the forked child."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec():
        prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the launcher died before prctl
            os._exit(1)

    return preexec


def _tail(path, lines=40):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def run_workers(commands, envs, log_dir, timeout=None):
    """Runs one process per command (index 0 is the chief) and waits for all.

    The chief's output goes to this process's stdout/stderr; the others'
    goes to `log_dir/worker_I.log`, whose end is printed when that worker
    fails. When a worker fails, on timeout, and on KeyboardInterrupt or
    SIGTERM, every worker still running is killed (the others would wait
    for it in the next all-reduce forever); every one is reaped.

    Returns:
        The chief's exit status; the failed worker's when another worker
        failed before the chief finished; 124 on timeout. A worker killed
        by signal S counts as 128 + S.
    """
    procs, logs = [], []
    preexec = _parent_death_signal()
    previous_sigterm = None
    if threading.current_thread() is threading.main_thread():
        previous_sigterm = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        for index, (command, env) in enumerate(zip(commands, envs)):
            out = err = None
            if index:
                logs.append(os.path.join(log_dir, f"worker_{index}.log"))
                out, err = open(logs[-1], "wb"), subprocess.STDOUT
            try:
                procs.append(subprocess.Popen(command, env=env, stdout=out, stderr=err, preexec_fn=preexec))
            finally:
                if out is not None:
                    out.close()
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            codes = [None if p.poll() is None else _exit_status(p.returncode) for p in procs]
            if codes[0] not in (None, 0):
                if any(c is None for c in codes):
                    print(f"kerasgan: the chief failed (exit status {codes[0]}); stopping the other workers.",
                          file=sys.stderr)
                return codes[0]
            failed = [i for i, c in enumerate(codes) if c not in (None, 0)]
            if failed:
                i = failed[0]
                print(f"kerasgan: worker {i} failed (exit status {codes[i]}); its output ends with:\n"
                      f"{_tail(logs[i - 1])}", file=sys.stderr)
                if codes[0] == 0:
                    return 0  # the chief had finished: the run folder is complete
                print("kerasgan: stopping the other workers.", file=sys.stderr)
                return codes[i]
            if all(c == 0 for c in codes):
                return 0
            if deadline is not None and time.monotonic() > deadline:
                print(f"kerasgan: the workers did not finish within {timeout} s; stopping them.",
                      file=sys.stderr)
                return 124
            time.sleep(0.2)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        for p in procs:
            p.wait()
        if previous_sigterm is not None:
            signal.signal(signal.SIGTERM, previous_sigterm)


def _exit_status(returncode):
    return 128 - returncode if returncode < 0 else returncode


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def launch_local_workers(argv, num_workers, timeout=None):
    """`kerasgan <argv>` as `num_workers` MultiWorkerMirroredStrategy workers
    on 127.0.0.1: each gets its own free port, its TF_CONFIG and
    `--strategy multi_worker`. Worker 0 is the chief (it writes the run
    folder); every worker's temporary files (the other workers' run folders)
    live in one folder removed at the end. Returns the exit code of
    `run_workers`."""
    ports = _free_ports(num_workers)
    cluster = {"worker": [f"127.0.0.1:{port}" for port in ports]}
    # Started as the console script is (argv[0] "kerasgan": `import kerasgan` leaves TensorFlow
    # to the command, which imports it quietly), not with -m, which imports it loudly first.
    starter = "import sys; sys.argv[0] = 'kerasgan'; from kerasgan.cli import main; sys.exit(main())"
    command = [sys.executable, "-c", starter, *argv, "--strategy", "multi_worker"]
    scratch = tempfile.mkdtemp(prefix="kerasgan-workers-")
    try:
        envs = []
        for index in range(num_workers):
            tmp = os.path.join(scratch, f"tmp_{index}")
            os.makedirs(tmp)
            task = {"cluster": cluster, "task": {"type": "worker", "index": index}}
            envs.append(dict(os.environ, TF_CONFIG=json.dumps(task), TMPDIR=tmp))
        print(f"kerasgan: starting {num_workers} workers on {', '.join(cluster['worker'])}", flush=True)
        return run_workers([command] * num_workers, envs, scratch, timeout=timeout)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _train(args, argv):
    strategy = _worker_strategy(args)
    if strategy is None and not args.dry_run:
        try:
            return launch_local_workers(argv, args.num_workers)
        except KeyboardInterrupt:
            print("kerasgan: interrupted; the workers were stopped.", file=sys.stderr)
            return 130
    out = args.out or os.path.join("runs", args.family.lower())
    model_kwargs = _key_values(args.model, "--model")
    if args.ema_decay is not None:
        model_kwargs["ema_decay"] = args.ema_decay
    compile_kwargs = _key_values(args.compile, "--compile")
    dataset = args.dataset
    if args.labels_file:
        if not os.path.isdir(dataset):
            raise ValueError(f"--labels-file labels an image folder; --dataset {dataset!r} is not a folder")
        from kerasgan.data import LabelledFolder

        dataset = LabelledFolder(dataset, args.labels_file)
    config = dict(
        family=args.family, dataset=dataset, out=out, epochs=args.epochs,
        image_size=args.image_size, batch_size=args.batch_size, latent_dim=args.latent_dim,
        channels=args.channels, seed=args.seed, data_dir=args.data_dir, split=args.split,
        model_kwargs=model_kwargs, compile_kwargs=compile_kwargs, num_samples=args.num_samples,
        steps_per_epoch=args.steps_per_epoch, tensorboard=not args.no_tensorboard,
        strategy=strategy or "multi_worker",
    )
    # Only set when given, so the configuration printed by --dry-run stays short.
    config.update({"target_dataset": args.target_dataset} if args.target_dataset else {})
    config.update({k: v for k, v in dict(override=args.override or None, on_nan=args.on_nan,
                                         max_rollbacks=args.max_rollbacks,
                                         on_corrupt=args.on_corrupt,
                                         precision=args.precision).items()
                   if v not in (None, "stop", 3, "error", "float32")})
    progressive = dict(
        fade_in_images=args.fade_in_images, stabilize_images=args.stabilize_images,
        phase_batch_sizes=None if args.phase_batch_sizes is None
        else _int_list(args.phase_batch_sizes, "--phase-batch-sizes"),
    )
    # Only set when given: the trainer refuses them for non-progressive families.
    config.update({k: v for k, v in progressive.items() if v is not None})
    from kerasgan import trainer

    if args.evaluate_every is not None:
        config["evaluation"] = _training_evaluation(args, dataset)
    elif any(v is not None for v in (args.eval_dataset, args.eval_extractor)):
        raise ValueError("--eval-dataset and --eval-extractor go with --evaluate-every N")
    if args.dry_run:
        # Validated as the run would be (data source, family, image size, --model/--compile), on
        # one device: nothing is trained or written.
        checked = dict(config, strategy="default" if config["strategy"] == "multi_worker" else config["strategy"])
        resolved = trainer.train(**checked, dry_run=True)
        config.update(channels=resolved["channels"], steps_per_epoch=resolved["steps_per_epoch"])
        if resolved["num_examples"] is not None:
            config["num_examples"] = resolved["num_examples"]
        if args.labels_file:
            config["dataset"] = dataset.to_json()
        if "evaluation" in config:
            evaluation = config.pop("evaluation")
            config.update(evaluate_every=evaluation.every_n_epochs, eval_metrics=list(evaluation.metric_names),
                          eval_samples=evaluation.num_samples, eval_extractor=evaluation.extractor.identity)
        print(json.dumps(dict(config, num_workers=args.num_workers) if args.num_workers else config, indent=2))
        return 0

    trainer.train(**config, command="kerasgan " + " ".join(argv))
    print(f"Model: {os.path.join(out, 'model.keras')}  samples: {os.path.join(out, 'samples')}")
    return 0


def _training_evaluation(args, dataset):
    """The `Evaluate` callback of `train --evaluate-every` (see its --help)."""
    from types import SimpleNamespace

    from kerasgan import data
    from kerasgan.callbacks import Evaluate
    from kerasgan.metrics.evaluation import check_num_samples

    if args.evaluate_every < 1:
        raise ValueError(f"--evaluate-every takes a number of epochs >= 1. Received: {args.evaluate_every}")
    check_num_samples(args.eval_samples)
    metrics = [m.strip() for m in args.eval_metrics.split(",") if m.strip()]
    source = args.eval_dataset or dataset
    name = source if isinstance(source, str) else args.dataset
    choice = args.eval_extractor or "domain"
    where = dict(split=args.split, data_dir=args.data_dir)
    with_labels = choice == "domain" and data.info(source, **where).num_classes is not None
    images, labels = data.load_arrays(source, args.image_size, channels=args.channels, with_labels=with_labels,
                                      on_corrupt=args.on_corrupt, **where)
    options = SimpleNamespace(extractor=choice, inception_weights=None,
                              cache_dir=args.cache_dir, seed=args.seed)
    extractor = _extractor(options, name, images, labels)
    return Evaluate(images, every_n_epochs=args.evaluate_every, metrics=metrics, num_samples=args.eval_samples,
                    extractor=extractor, monitor=args.eval_monitor, seed=args.seed, verbose=1)


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0][:300] if text else type(error).__name__


def load_model_file(path):
    """A kerasgan model from a `.keras` file (or a run folder's model.keras),
    or SystemExit with one line saying what is wrong with the file."""
    import zipfile

    import keras

    import kerasgan.models  # noqa: F401  (registers the classes)

    if not os.path.exists(path):
        raise SystemExit(f"kerasgan: no model file at {path}")
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "model.keras")):
            raise SystemExit(
                f"kerasgan: {path} is a folder without a model.keras: pass a .keras file, or a run "
                "folder of `kerasgan train` once its run has finished (it writes OUT/model.keras)"
            )
        path = os.path.join(path, "model.keras")
    if not zipfile.is_zipfile(path):
        raise SystemExit(
            f"kerasgan: could not load the model {path}: not a valid .keras file (a .keras file is a "
            f"zip archive; this one is truncated or corrupt, {os.path.getsize(path)} bytes)"
        )
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            broken = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        raise SystemExit(f"kerasgan: could not load the model {path}: corrupt zip archive ({e})") from None
    if broken is not None:
        raise SystemExit(f"kerasgan: could not load the model {path}: the member {broken} is corrupt")
    if "config.json" not in names:
        raise SystemExit(f"kerasgan: could not load the model {path}: not a Keras model file (no config.json)")
    try:
        model = keras.saving.load_model(path)
    except Exception as e:  # a corrupt or foreign file: say which and why
        raise SystemExit(f"kerasgan: could not load the model {path}: {_first_line(e)}") from None
    if not callable(getattr(model, "generate", None)) or not hasattr(model, "image_shape"):
        raise SystemExit(
            f"kerasgan: {path} holds a {type(model).__name__}, not a kerasgan GAN (a model with "
            "generate() and image_shape, e.g. the model.keras written by `kerasgan train`)"
        )
    return model


def _check_finite_model(model, path):
    from kerasgan.callbacks.non_finite_guard import first_non_finite

    bad = first_non_finite(model)
    if bad is not None:
        raise SystemExit(
            f"kerasgan: {path} holds NaN or Inf weights (first: {bad}): the run that wrote it diverged. "
            "Use an earlier checkpoint or retrain with lower learning rates."
        )


def _is_text_model(model):
    from kerasgan.engine.tasks import task_of

    return getattr(task_of(model), "name", None) == "text_to_image"


def _sample_texts(model, args):
    """`kerasgan sample MODEL --text CAPTION [--text ...]`: one row of
    `-n` images per caption (text -> image models)."""
    import numpy as np

    from kerasgan.utils.images import save_image_grid

    if not _is_text_model(model):
        raise SystemExit(f"kerasgan: {args.model} holds a {type(model).__name__}, which does not take text: "
                         "--text is for text -> image models (StackGAN)")
    if not args.text:
        raise SystemExit(f"kerasgan: {args.model} draws images from captions: pass --text CAPTION "
                         "(repeat it for more rows)")
    if args.labels:
        raise SystemExit("kerasgan: --labels is for class-conditional models; a text -> image model takes --text")
    per_text = 8 if args.num_images is None else args.num_images
    if per_text < 1:
        raise SystemExit(f"kerasgan: -n must be at least 1. Received: {per_text}")
    images = np.asarray(model.generate(args.text, n_per_text=per_text, seed=args.seed, stage=args.stage))
    if not np.all(np.isfinite(images)):
        raise SystemExit(f"kerasgan: {args.model} generated NaN or Inf pixels; no grid was written")
    path = save_image_grid(images, args.out, columns=args.columns or per_text)
    print(f"Wrote {len(images)} samples of {len(args.text)} caption(s) to {path}")
    return 0


def _sample(args):
    import numpy as np

    from kerasgan.utils.images import save_image_grid

    model = load_model_file(args.model)
    _check_finite_model(model, args.model)
    labels = None
    if args.labels:
        labels = [int(v) for v in args.labels.split(",")]
        if len(labels) == 1:
            labels = labels[0]
    if args.attention:
        from kerasgan.attention import save_attention_picture

        n = 4 if args.num_images is None else args.num_images
        save_attention_picture(model, args.attention, n=n, seed=args.seed, labels=labels)
        print(f"Wrote the attention maps of {n} samples to {args.attention}")
        return 0
    if getattr(args, "text", None) or _is_text_model(model):
        return _sample_texts(model, args)
    if args.num_images is None:
        args.num_images = 64
    images = np.asarray(model.generate(args.num_images, seed=args.seed, labels=labels))
    if not np.all(np.isfinite(images)):
        raise SystemExit(
            f"kerasgan: {args.model} generated NaN or Inf pixels ({int(np.sum(~np.isfinite(images)))} "
            f"of {images.size}); no grid was written"
        )
    path = save_image_grid(images, args.out, columns=args.columns)
    print(f"Wrote {args.num_images} samples to {path}")
    return 0


def _inception(args, weights):
    from kerasgan.metrics import InceptionV3Extractor
    from kerasgan.metrics import inception_v3_extractor as inception

    top = "is" in args.metrics
    if weights == "imagenet":
        cached = os.path.join(inception.keras_cache_dir(),
                              inception.TOP_FILENAME if top else inception.NOTOP_FILENAME)
        if not os.path.isfile(cached):
            raise ValueError(
                f"InceptionV3's ImageNet weights are not on this computer ({cached} is absent) and "
                f"kerasgan never downloads them: download {inception._BASE_URL}{os.path.basename(cached)} "
                "elsewhere and pass --inception-weights FILE (or copy it to that path), or score with "
                "a saved extractor: --extractor FILE.keras (e.g. zoo/extractors/*.keras)."
            )
    elif not os.path.isfile(weights):
        raise ValueError(f"--inception-weights {weights}: no such file")
    try:
        return InceptionV3Extractor(weights=weights, include_top=top)
    except Exception as e:  # a file of other weights: say which and why
        need = " with the classifier top (IS needs it; drop 'is' from --metrics to use the notop file)" if top else ""
        raise ValueError(
            f"could not load InceptionV3 weights{need} from {weights}: {_first_line(e)}"
        ) from None


def _saved_extractor(path):
    """A feature extractor saved as a `.keras` file (`DomainClassifier.save`,
    e.g. the zoo's zoo/extractors/*.keras): a Keras classifier with a layer
    named `features`."""
    import zipfile

    import keras

    from kerasgan.metrics import DomainClassifier
    from kerasgan.metrics.domain_classifier import FEATURES_LAYER

    if not zipfile.is_zipfile(path):
        raise ValueError(f"--extractor {path}: not a .keras file (a .h5 file is taken as InceptionV3 weights)")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as e:  # a corrupt or foreign file: say which and why
        raise ValueError(f"--extractor {path}: could not load it: {_first_line(e)}") from None
    if not any(layer.name == FEATURES_LAYER for layer in getattr(model, "layers", [])):
        raise ValueError(
            f"--extractor {path} holds a {type(model).__name__} without a layer named "
            f"'{FEATURES_LAYER}': save extractors with kerasgan.metrics.DomainClassifier (.save)"
        )
    name = os.path.splitext(os.path.basename(path))[0]
    return DomainClassifier(model, name=name)


def _extractor(args, dataset_name, images, labels, entry=None):
    """The feature extractor `evaluate` scores with (see its --help)."""
    from kerasgan import metrics

    choice = args.extractor
    if args.inception_weights:
        if choice not in (None, "inception"):
            raise ValueError(
                f"--inception-weights goes with --extractor inception. Received: --extractor {choice}"
            )
        return _inception(args, os.path.expanduser(args.inception_weights))
    if choice is None:
        if entry is not None and entry.get("extractor"):
            from kerasgan import zoo

            return zoo.load_extractor(entry["extractor"])
        choice = "domain"
    if choice == "inception":
        return _inception(args, "imagenet")
    if choice != "domain":
        path = os.path.expanduser(choice)
        if not os.path.isfile(path):
            raise ValueError(
                f"--extractor takes 'domain', 'inception' or a file (FILE.keras, or InceptionV3 "
                f"weights FILE.h5). Received: --extractor {choice} (no such file)"
            )
        if path.lower().endswith(".h5"):
            return _inception(args, path)
        return _saved_extractor(path)
    if labels is None:
        raise ValueError(
            f"The 'domain' extractor trains a classifier on the dataset's class labels, and "
            f"{dataset_name} has none. For unlabelled images pass --extractor FILE.keras (a saved "
            "extractor, e.g. zoo/extractors/twemoji-groups-classifier.keras), --extractor inception, "
            "or --inception-weights FILE; or give the images class subfolders."
        )
    slug = re.sub(r"[^A-Za-z0-9]+", "_", os.path.basename(os.path.normpath(str(dataset_name)))).strip("_")
    shape = "x".join(str(d) for d in images.shape[1:])
    path = os.path.join(os.path.expanduser(args.cache_dir), f"domain_{slug}_{shape}.keras")
    if os.path.exists(path):
        return metrics.DomainClassifier.load(path)
    print(f"Training the domain classifier for {dataset_name} ({len(images)} images); cached at {path}")
    classifier = metrics.DomainClassifier.train(images, labels, epochs=5, seed=args.seed)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    classifier.save(path)
    return classifier


class _SavedModelSampler:
    """Draws samples from an exported SavedModel's `generate_from_seed`
    signature, so `evaluate` scores exactly what TF Serving would serve."""

    def __init__(self, path, trust=False):
        import json as json_lib

        import tensorflow as tf

        versions = sorted((int(d) for d in os.listdir(path) if d.isdigit()), reverse=True)
        if not os.path.exists(os.path.join(path, "saved_model.pb")) and versions:
            path = os.path.join(path, str(versions[0]))
        if not os.path.exists(os.path.join(path, "saved_model.pb")):
            raise SystemExit(f"kerasgan: {path} is not a SavedModel folder (no saved_model.pb)")
        meta_path = os.path.join(path, "assets.extra", "kerasgan.json")
        meta = {}
        if os.path.exists(meta_path):
            try:
                with open(meta_path) as f:
                    meta = json_lib.load(f)
            except (OSError, ValueError) as e:
                raise SystemExit(f"kerasgan: unreadable {meta_path}: {_first_line(e)}") from None
        elif not trust:
            raise SystemExit(
                f"kerasgan: {path} was not written by `kerasgan export` (no assets.extra/kerasgan.json). "
                "A SavedModel runs its own graph, which can do anything TensorFlow ops can (read or "
                "write files, ...); pass --trust-saved-model to evaluate it anyway."
            )
        try:
            signatures = tf.saved_model.load(path).signatures
        except Exception as e:  # a corrupt folder: say which and why
            raise SystemExit(f"kerasgan: could not load the SavedModel {path}: {_first_line(e)}") from None
        if "generate_from_seed" not in signatures:
            raise SystemExit(
                f"kerasgan: the SavedModel {path} has no generate_from_seed signature (it has: "
                f"{', '.join(sorted(signatures)) or 'none'}); export the model with `kerasgan export`"
            )
        self._signature = signatures["generate_from_seed"]
        outputs = self._signature.structured_outputs
        if not isinstance(outputs, dict) or "images" not in outputs:
            raise SystemExit(f"kerasgan: the generate_from_seed signature of {path} has no 'images' output")
        inputs = self._signature.structured_input_signature[1]
        self._takes_labels = bool(meta.get("num_classes")) if meta else "labels" in inputs
        self.num_classes = meta.get("num_classes")
        self.image_shape = tuple(outputs["images"].shape[1:])

    def generate(self, n, seed=None, labels=None, batch_size=None):
        import tensorflow as tf

        inputs = {"seed": tf.constant(0 if seed is None else seed, tf.int64),
                  "num_images": tf.constant(n, tf.int64)}
        if self._takes_labels:
            inputs["labels"] = tf.constant([] if labels is None else labels, tf.int32)
        return self._signature(**inputs)["images"]


def _zoo_entry(spec):
    """The registry entry when `spec` is a zoo name (and no file or folder), else None."""
    if os.path.exists(spec) or spec.endswith(".keras"):
        return None
    from kerasgan import zoo

    try:
        return zoo.info(spec)
    except ValueError:
        return None


def _model_for_evaluation(spec, trust_saved_model=False):
    """A `.keras` file, a run folder, a SavedModel folder, or a zoo name -> something with `generate`."""
    if os.path.isdir(spec) and not os.path.isfile(os.path.join(spec, "model.keras")):
        return _SavedModelSampler(spec, trust=trust_saved_model)
    if os.path.exists(spec) or spec.endswith(".keras"):
        return load_model_file(spec)
    from kerasgan import zoo

    return zoo.load(spec)


def _evaluate(args):
    import json as json_lib

    from kerasgan import data, metrics

    if args.plot and args.truncation_sweep is None:
        raise ValueError("--plot draws a sweep: give the thresholds with --truncation-sweep (e.g. 0.25,0.5,0.75,1)")
    entry = _zoo_entry(args.model)
    dataset = args.dataset
    if dataset is None and entry is not None:
        from kerasgan import zoo

        dataset = zoo.eval_dataset(entry)
        if dataset is not None and not os.path.exists(dataset):
            raise ValueError(
                f"{args.model} is scored against {dataset}, which is not here: pass --dataset PATH "
                "(a copy of that data; see the entry's model card)"
            )
    dataset = dataset or "digits"
    labels_file, sample_labels = args.labels_file, args.sample_labels
    if entry is not None and args.dataset is None:  # the entry's own labels go with its own data
        from kerasgan import zoo

        labels_file = labels_file or zoo.eval_labels_file(entry)
    if entry is not None:
        sample_labels = sample_labels or entry.get("sample_labels")
    sample_labels = sample_labels or "balanced"
    model = _model_for_evaluation(args.model, trust_saved_model=args.trust_saved_model)
    wanted = [m.strip() for m in args.metrics.split(",") if m.strip()]
    images, labels = _real_images(args, dataset, model, labels_file)
    frequencies = None
    if sample_labels == "data":
        frequencies = _class_frequencies(labels, model, dataset)
    known = None if labels is None else labels >= 0  # a labels file may leave images unlabelled
    extractor = _extractor(args, dataset, images if known is None else images[known],
                           labels if known is None else labels[known], entry=entry)
    if args.truncation_sweep is not None:
        return _truncation_sweep(args, model, images, extractor, dataset, entry, frequencies)
    results = metrics.evaluate(model, images, metrics=wanted, num_samples=args.num_samples,
                               extractor=extractor, seed=args.seed, class_frequencies=frequencies)
    results["model"] = args.model if entry is not None else os.path.abspath(args.model)
    results["dataset"] = str(dataset)
    print(metrics.format_table(results))
    if args.json:
        with open(args.json, "w") as f:
            json_lib.dump(results, f, indent=2)
    return 0


def _real_images(args, dataset, model, labels_file):
    """The real images of `dataset` at the model's size and their labels
    (None when unlabelled; -1 where `labels_file` gives an image none)."""
    from kerasgan import data

    size, channels = model.image_shape[0], model.image_shape[-1]
    if labels_file is None:
        info = data.info(dataset)
        return data.load_arrays(dataset, size, channels=channels, with_labels=info.num_classes is not None,
                                on_corrupt=args.on_corrupt)
    if not (isinstance(dataset, str) and os.path.isdir(dataset)):
        raise ValueError(f"--labels-file labels an image folder; --dataset {dataset!r} is not a folder")
    from kerasgan.data.folders import list_image_files
    from kerasgan.data.labels import read_label_file

    if args.on_corrupt != "error":
        raise ValueError("--labels-file needs every image of the folder: use it with --on-corrupt error")
    images, _ = data.load_arrays(dataset, size, channels=channels)
    _, labels = read_label_file(labels_file, dataset, list_image_files(dataset))
    return images, labels


def _class_frequencies(labels, model, dataset):
    """Per-class counts of the real labels, for `--sample-labels data`."""
    import numpy as np

    num_classes = getattr(model, "num_classes", None)
    if not num_classes:
        raise ValueError(f"--sample-labels data is for class-conditional models; {type(model).__name__} is not one")
    if labels is None or not (labels >= 0).any():
        raise ValueError(f"--sample-labels data needs labels of {dataset} (class subfolders, IDX labels, "
                         "or --labels-file)")
    known = labels[labels >= 0]
    if known.max() >= num_classes:
        raise ValueError(f"{dataset} has labels up to {int(known.max())}; the model has {num_classes} classes")
    return np.bincount(known, minlength=num_classes)


def _truncation_sweep(args, model, images, extractor, dataset, entry, frequencies=None):
    import json as json_lib

    from kerasgan.metrics import sweep

    try:
        psis = [float(v) for v in args.truncation_sweep.split(",") if v.strip()]
    except ValueError:
        raise ValueError(f"--truncation-sweep takes comma-separated numbers. Received: {args.truncation_sweep!r}")
    wanted = None
    if args.metrics != "fid,kid":  # the option's default: the sweep's own default instead
        wanted = [m.strip() for m in args.metrics.split(",") if m.strip()]
    rows = sweep.truncation_sweep(model, images, psis, extractor=extractor, metrics=wanted,
                                  num_samples=args.num_samples, seed=args.seed, class_frequencies=frequencies)
    print(f"Truncation sweep of {args.model}, {args.num_samples} samples per threshold, seed {args.seed}, "
          f"extractor {rows[0]['extractor']}:")
    print(sweep.sweep_table(rows))
    if args.plot:
        sweep.save_sweep_picture(rows, args.plot)
        print(f"Wrote the plot to {args.plot}")
    if args.json:
        with open(args.json, "w") as f:
            json_lib.dump({"model": args.model if entry is not None else os.path.abspath(args.model),
                           "dataset": str(dataset), "sweep": rows}, f, indent=2)
    return 0


@contextlib.contextmanager
def quiet_tensorflow(verbose=False, restore=True):
    """Inside: only kerasgan's own lines reach the terminal (unless `verbose`).

    TensorFlow writes about nine lines to stderr on import (the oneDNN
    banner twice, CUDA probing, CPU features) before its log level can
    filter them, so the import runs with file descriptor 2 sent to a
    temporary file (replayed when the import fails); `TF_CPP_MIN_LOG_LEVEL=3`
    then silences its C++ logs, and TensorFlow's and absl's Python loggers
    and other libraries' Python warnings (e.g. "unrestored values" after a
    refused resume) are turned off. kerasgan's own warnings are still shown.
    `restore=False` leaves the loggers quiet afterwards: the console script's
    objects are deleted (and TensorFlow warns about them) after `main` returns.
    """
    if verbose:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # read by TensorFlow's C++ logging (and the workers)
    if "tensorflow" not in sys.modules:
        sys.stderr.flush()
        saved = os.dup(2)
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                import tensorflow  # noqa: F401
            except BaseException:
                os.dup2(saved, 2)
                captured.seek(0)
                sys.stderr.write(captured.read().decode(errors="replace"))
                raise
            finally:
                os.dup2(saved, 2)
                os.close(saved)
    loggers = [logging.getLogger(name) for name in ("tensorflow", "absl", "h5py", "PIL")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    package = os.path.dirname(os.path.abspath(__file__))
    show = warnings.showwarning

    def only_ours(message, category, filename, lineno, file=None, line=None):
        if os.path.abspath(filename).startswith(package):
            print(f"kerasgan: warning: {message}", file=sys.stderr)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            warnings.showwarning = only_ours
            yield
    finally:
        warnings.showwarning = show
        if restore:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    verbose = getattr(args, "verbose", False)
    quiet = ("train", "evaluate", "sample", "export", "upscale", "serve-gallery")
    # `gallery --no-interpolations` never imports TensorFlow (docs/gallery.md).
    gallery_tf = args.command == "gallery" and (args.serve or not args.no_interpolations)
    if args.command in quiet or gallery_tf or getattr(args, "zoo_command", "") == "sample":
        import kerasgan

        context = quiet_tensorflow(verbose, restore=not kerasgan._started_as_cli())
    else:
        context = contextlib.nullcontext()  # no TensorFlow: `zoo list` stays quick
    try:
        with context:
            return _run(args, argv)
    except ValueError as e:
        # Bad input (unknown family, dataset, shapes, ...): the message names it.
        print(f"kerasgan {args.command}: error: {cli_message(str(e))}", file=sys.stderr)
        return 2
    except (FloatingPointError, RuntimeError) as e:
        # A diverged run (NonFiniteError) or a run folder in use (RunFolderLocked): the message
        # names the step or the pid.
        from kerasgan.callbacks.non_finite_guard import NonFiniteError
        from kerasgan.trainer import RunFolderLocked

        if isinstance(e, (NonFiniteError, RunFolderLocked)):
            print(f"kerasgan {args.command}: error: {cli_message(str(e))}", file=sys.stderr)
            return 3 if isinstance(e, NonFiniteError) else 1
        if verbose:
            raise
        return _unexpected(args, e)
    except KeyboardInterrupt:
        print(f"kerasgan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # anything else: one line, the traceback with --verbose
        if verbose:
            raise
        return _unexpected(args, e)


def _unexpected(args, error):
    print(f"kerasgan {args.command}: error: {type(error).__name__}: {cli_message(_first_line(error))} "
          f"(rerun with --verbose for the traceback)", file=sys.stderr)
    return 1


def _run(args, argv):
    if args.command == "train":
        return _train(args, argv)
    if args.command == "sample":
        return _sample(args)
    if args.command == "evaluate":
        return _evaluate(args)
    if args.command == "export":
        from kerasgan.cli_export import run_export

        return run_export(args)
    if args.command == "zoo":
        from kerasgan.cli_zoo import run_zoo

        return run_zoo(args)
    if args.command == "translate":
        from kerasgan.cli_translate import run_translate

        return run_translate(args)
    if args.command == "upscale":
        from kerasgan.cli_upscale import run_upscale

        return run_upscale(args)
    if args.command in ("gallery", "serve-gallery"):
        from kerasgan.gallery.cli import run as run_gallery

        return run_gallery(args)
    return 1


if __name__ == "__main__":
    sys.exit(main())
