"""The host line every zoo card and benchmark records."""

import os
import platform
import subprocess


def host():
    """`lscpu`'s model name and the core count, e.g. "AMD EPYC, 2 CPU cores"."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("Model name"))
    except (OSError, subprocess.CalledProcessError, StopIteration):
        model = platform.processor() or platform.machine()
    return f"{model}, {os.cpu_count()} CPU cores"
