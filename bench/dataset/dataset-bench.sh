#!/usr/bin/env bash
# Decoding + preprocessing of ../shared/data/imagenet-sample with EfficientNet-Lite0's sidecar:
# our Swift pipeline (1 and 2 threads) against Pillow + numpy doing the same steps (1 process),
# side by side in one run, plus the largest difference between the two tensors.
#   bash bench/dataset/dataset-bench.sh [REPEATS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="$root/../shared"
repeats="${1:-5}"
out="$root/bench/out"
mkdir -p "$out"
swift build -c release --package-path "$root" --product dataset-bench >&2
bin="$(swift build -c release --package-path "$root" --show-bin-path)/dataset-bench"

python3 - "$shared" "$out/pillow-inputs.npy" "$repeats" <<'PY'
import glob, json, os, statistics, sys, time
import numpy as np
from PIL import Image
import PIL
shared, target, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
files = sorted(glob.glob(os.path.join(shared, "data/imagenet-sample/*/*")))
def load(path):
    im = Image.open(path).convert("RGB")
    w, h = im.size
    if w <= h: nw, nh = 256, int(256 * h / w)
    else: nh, nw = 256, int(256 * w / h)
    im = im.resize((nw, nh), Image.BICUBIC)
    left, top = int(round((nw - 224) / 2.0)), int(round((nh - 224) / 2.0))
    x = np.asarray(im.crop((left, top, left + 224, top + 224))).astype(np.float32) / np.float32(255)
    return ((x - np.float32(0.5)) / np.float32(0.5)).transpose(2, 0, 1)
times, cpu = [], []
for _ in range(repeats):
    start, start_cpu = time.perf_counter(), time.process_time()
    tensor = np.stack([load(f) for f in files])
    times.append(time.perf_counter() - start)
    cpu.append(time.process_time() - start_cpu)
np.save(target, tensor)
med = statistics.median(times)
print(f"Pillow {PIL.__version__} + numpy, 1 process: {med:.3f} s for {len(files)} images, "
      f"{med / len(files) * 1e3:.3f} ms/image (median of {repeats}; min {min(times):.3f}, max {max(times):.3f}), "
      f"{statistics.median(cpu):.3f} s of CPU time")
PY
"$bin" "$shared/models/efficientnet-lite0.json" "$shared/data/imagenet-sample" --repeats "$repeats" --compare "$out/pillow-inputs.npy"
