"""A gRPC client for a kerasgan generator served by TensorFlow Serving.

    python serving/client.py --model-name dcgan --seed 3 --num-images 16 --out grid.png
    python serving/client.py --model-name dcgan --latents random --num-images 4 --latent-dim 100
    python serving/client.py --model-name stylegan --option truncation_psi=0.7 --out grid.png
    python serving/client.py --local exports/dcgan --num-images 16 --out grid.png   # no server

`--local EXPORT` runs the same request in this process against the
SavedModel that `kerasgan export` wrote (a base folder: its newest version),
so the client can be tried without a server and without the `[serving]`
extra (it needs only `tensorflow`).

Families with sampling options (their `serving_inputs`, e.g. StyleGAN's
`truncation_psi`) take them as extra scalar inputs of both signatures, and
every request must carry them: `--option NAME=VALUE` (float32; `NAME:DTYPE=VALUE`
for another dtype), or `--metadata EXPORT/assets.extra/kerasgan.json` to fill
in the defaults recorded at export for those not given.

Needs `tensorflow` and, for a server, `tensorflow-serving-api`
(`pip install kerasgan[serving]`), not kerasgan itself. A missing package or
an unreachable server is one line saying so, not a traceback. See
serving/README.md for the signatures.
"""

import argparse
import json
import sys

import numpy as np

DEFAULT_SIGNATURE = "serving_default"
SEED_SIGNATURE = "generate_from_seed"
#: Generated images easily pass gRPC's default 4 MB message limit.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024


def option_arrays(options):
    """The family's sampling options (`{name: value}`) as scalar arrays.

    NumPy scalars and 0-d arrays keep their dtype; Python bools are sent as
    bool and other Python numbers as float32 (the dtype of StyleGAN's
    `truncation_psi`): pass `np.int64(3)` for an int64 input.
    """
    arrays = {}
    for name, value in (options or {}).items():
        if isinstance(value, (np.generic, np.ndarray)):
            array = np.asarray(value)
        elif isinstance(value, bool):
            array = np.asarray(value, np.bool_)
        else:
            array = np.asarray(value, np.float32)
        if array.shape != ():
            raise ValueError(f"Option {name!r} must be a scalar. Received: {value!r}")
        arrays[name] = array
    return arrays


def default_options(metadata):
    """`{name: scalar array}` of an export's sampling options at their
    defaults, from its `assets.extra/kerasgan.json` (a path or the parsed
    dict); `{}` for families without options."""
    if not isinstance(metadata, dict):
        with open(metadata) as f:
            metadata = json.load(f)
    return {
        name: np.asarray(spec["default"], np.dtype(spec["dtype"]))
        for name, spec in (metadata.get("serving_inputs") or {}).items()
    }


def build_predict_request(
    model_name, latents, labels=None, signature_name=DEFAULT_SIGNATURE, version=None, output_filter=None,
    options=None,
):
    """A `PredictRequest` for `serving_default`: latents (and labels) -> images.

    Args:
        model_name: the `--model_name` the server was started with.
        latents: float array `[batch, latent_dim]` (sent as float32 `z`).
        labels: for conditional models, int array `[batch]` (sent as int32).
        signature_name: the signature to call.
        version: a model version to pin (default: the latest the server has).
        output_filter: output names to return (default: all), e.g.
            `["images_uint8"]` to halve the response.
        options: the family's sampling options, `{name: scalar}` (e.g.
            `{"truncation_psi": 0.7}`); a model that has them needs every
            one (`default_options(metadata)` gives the defaults). See
            `option_arrays` for the dtypes sent.
    """
    inputs = {"z": np.asarray(latents, np.float32)}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int32)
    inputs.update(option_arrays(options))
    return build_request(model_name, inputs, signature_name, version, output_filter)


def build_seed_request(
    model_name, seed, num_images, labels=None, version=None, output_filter=None, options=None
):
    """A `PredictRequest` for `generate_from_seed`: int64 `seed` and
    `num_images` scalars (and int32 `labels`, length 0, 1 or num_images, for
    conditional models; and the family's sampling `options`, as in
    `build_predict_request`)."""
    inputs = {"seed": np.int64(seed), "num_images": np.int64(num_images)}
    if labels is not None:
        inputs["labels"] = np.asarray(labels, np.int32).reshape([-1])
    inputs.update(option_arrays(options))
    return build_request(model_name, inputs, SEED_SIGNATURE, version, output_filter)


def build_request(model_name, inputs, signature_name=DEFAULT_SIGNATURE, version=None, output_filter=None):
    """A `PredictRequest` with `inputs` (`{name: array}`) made into tensor protos."""
    import tensorflow as tf
    from tensorflow_serving.apis import predict_pb2

    request = predict_pb2.PredictRequest()
    request.model_spec.name = model_name
    request.model_spec.signature_name = signature_name
    if version is not None:
        request.model_spec.version.value = int(version)
    request.output_filter.extend(output_filter or [])
    for name, value in inputs.items():
        request.inputs[name].CopyFrom(tf.make_tensor_proto(value))
    return request


def request_to_arrays(request):
    """`{input name: np.ndarray}` of a `PredictRequest` (what the server feeds)."""
    import tensorflow as tf

    return {name: tf.make_ndarray(proto) for name, proto in request.inputs.items()}


def predict(request, host="localhost", port=8500, timeout=30.0):
    """Sends `request` to TF Serving's gRPC port; returns `{output name: np.ndarray}`."""
    import grpc
    import tensorflow as tf
    from tensorflow_serving.apis import prediction_service_pb2_grpc

    options = [
        ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ]
    with grpc.insecure_channel(f"{host}:{port}", options=options) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        response = stub.Predict(request, timeout=timeout)
    return {name: tf.make_ndarray(proto) for name, proto in response.outputs.items()}


def local_version_dir(path):
    """A SavedModel folder: `path` itself, or its newest numbered version."""
    import os

    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    versions = sorted((int(d) for d in os.listdir(path) if d.isdigit()), reverse=True) if os.path.isdir(path) else []
    if versions and os.path.isfile(os.path.join(path, str(versions[0]), "saved_model.pb")):
        return os.path.join(path, str(versions[0]))
    raise ValueError(f"--local {path}: not a SavedModel folder (no saved_model.pb in it or in a version folder)")


def predict_local(path, inputs, signature_name=DEFAULT_SIGNATURE, output_filter=None):
    """Runs `inputs` (`{name: array}`) through a signature of the local
    SavedModel at `path` (what TF Serving would do); returns `{output: np.ndarray}`."""
    import tensorflow as tf

    signatures = tf.saved_model.load(local_version_dir(path)).signatures
    if signature_name not in signatures:
        raise ValueError(f"--local {path} has no signature {signature_name!r} (it has: {', '.join(sorted(signatures))})")
    outputs = signatures[signature_name](**{k: tf.constant(v) for k, v in inputs.items()})
    return {k: np.asarray(v) for k, v in outputs.items() if not output_filter or k in output_filter}


def save_grid(images_uint8, path):
    """Tiles uint8 `[n, H, W, C]` images into one PNG (needs Pillow)."""
    from PIL import Image

    n, h, w, c = images_uint8.shape
    cols = int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    grid = np.zeros((rows * h, cols * w, c), np.uint8)
    for i, image in enumerate(images_uint8):
        r, q = divmod(i, cols)
        grid[r * h : (r + 1) * h, q * w : (q + 1) * w] = image
    Image.fromarray(grid[..., 0] if c == 1 else grid).save(path)
    return path


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="localhost")
    p.add_argument("--port", type=int, default=8500, help="TF Serving's gRPC port")
    p.add_argument("--model-name", default=None, help="the server's --model_name (not with --local)")
    p.add_argument("--local", default=None, metavar="EXPORT_DIR",
                   help="run the request in this process against the SavedModel `kerasgan export` "
                        "wrote (no server, no [serving] extra)")
    p.add_argument("--version", type=int, default=None)
    p.add_argument("--num-images", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--latents", choices=("seed", "random"), default="seed",
                   help="'seed': call generate_from_seed; 'random': draw latents here "
                        "with NumPy and call serving_default (needs --latent-dim)")
    p.add_argument("--latent-dim", type=int, default=None)
    p.add_argument("--labels", default=None,
                   help="comma-separated class labels (conditional models; required by "
                        "them): one for all images, one per image, or '' for 0, 1, ... cycled")
    p.add_argument("--option", action="append", default=[], metavar="NAME[:DTYPE]=VALUE",
                   help="a sampling option of the family (its serving_inputs, e.g. "
                        "truncation_psi=0.7); float32 unless a DTYPE is given; repeatable")
    p.add_argument("--metadata", default=None,
                   help="the export's assets.extra/kerasgan.json: its options' defaults are "
                        "sent for those not given with --option")
    p.add_argument("--uint8-only", action="store_true",
                   help="ask only for images_uint8 (a smaller response)")
    p.add_argument("--out", default=None, help="write the images as a PNG grid")
    p.add_argument("--timeout", type=float, default=30.0)
    args = p.parse_args(argv)
    if args.model_name is None and args.local is None:
        p.error("pass --model-name NAME (a TF Serving server) or --local EXPORT_DIR (in this process)")
    try:
        return _run(p, args)
    except ImportError as e:
        missing = getattr(e, "name", None) or str(e)
        extra = "pip install 'kerasgan[serving]' (tensorflow-serving-api)" if "serving" in missing or \
            missing == "grpc" else f"pip install {missing.split('.')[0]}"
        print(f"serving/client.py: {missing} is not installed: {extra}, or pass --local EXPORT_DIR "
              "to run the request in this process without a server", file=sys.stderr)
        return 1
    except ValueError as e:
        print(f"serving/client.py: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # grpc.RpcError: no server, wrong model name, bad input
        code = getattr(e, "code", None)
        if code is None:
            raise
        detail = (e.details() or "").splitlines()[0] if callable(getattr(e, "details", None)) else ""
        print(f"serving/client.py: the server at {args.host}:{args.port} answered {code()}: {detail} "
              "(start TF Serving as in serving/README.md, or pass --local EXPORT_DIR)", file=sys.stderr)
        return 1


def _run(p, args):

    output_filter = ["images_uint8"] if args.uint8_only else None
    options = default_options(args.metadata) if args.metadata else {}
    for item in args.option:
        key, sep, value = item.partition("=")
        name, _, dtype = key.partition(":")
        if not sep or not name:
            p.error(f"--option takes NAME=VALUE or NAME:DTYPE=VALUE. Received: {item!r}")
        try:
            options[name] = np.asarray(json.loads(value.lower()) if dtype == "bool" else value,
                                       np.dtype(dtype or "float32"))
        except (TypeError, ValueError) as e:
            p.error(f"--option {item!r}: {e}")
    labels = None
    if args.labels is not None:  # "" -> no labels: the classes 0, 1, ... cycled
        labels = [int(v) for v in args.labels.split(",") if v.strip()]
    if args.local and not args.metadata:
        import os

        meta = os.path.join(local_version_dir(args.local), "assets.extra", "kerasgan.json")
        if os.path.isfile(meta):  # the options' defaults, as a server's client would send them
            options = {**default_options(meta), **options}
    if args.latents == "seed":
        if args.local:
            inputs = {"seed": np.int64(args.seed), "num_images": np.int64(args.num_images)}
            if labels is not None:
                inputs["labels"] = np.asarray(labels, np.int32).reshape([-1])
            inputs.update(option_arrays(options))
            return _show(predict_local(args.local, inputs, SEED_SIGNATURE, output_filter), args)
        request = build_seed_request(
            args.model_name, args.seed, args.num_images, labels=labels, version=args.version,
            output_filter=output_filter, options=options,
        )
    else:
        if args.latent_dim is None:
            p.error("--latents random needs --latent-dim")
        z = np.random.default_rng(args.seed).standard_normal((args.num_images, args.latent_dim))
        if labels is not None and len(labels) == 1:  # serving_default takes one per image
            labels = labels * args.num_images
        if labels is not None and len(labels) != args.num_images:
            p.error("with --latents random, --labels takes one label or one per image")
        if args.local:
            inputs = {"z": np.asarray(z, np.float32)}
            if labels is not None:
                inputs["labels"] = np.asarray(labels, np.int32)
            inputs.update(option_arrays(options))
            return _show(predict_local(args.local, inputs, DEFAULT_SIGNATURE, output_filter), args)
        request = build_predict_request(
            args.model_name, z, labels, version=args.version, output_filter=output_filter,
            options=options,
        )
    return _show(predict(request, args.host, args.port, timeout=args.timeout), args)


def _show(outputs, args):
    for name, value in sorted(outputs.items()):
        print(f"{name}: {value.dtype} {list(value.shape)}")
    if args.out and "images_uint8" in outputs:
        print(f"Wrote {save_grid(outputs['images_uint8'], args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
