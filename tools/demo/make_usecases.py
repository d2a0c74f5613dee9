"""Writes the demo's use-case material to examples/digits/:

- groups.tsv: a group file for the fairness use case. The embedded digits CNN is less accurate on
  curved digits than on straight ones (test accuracy about 0.92 on 3, 8, 9 against 1.00 on 1, 4, 7),
  so images of 1, 4 and 7 form the group "straight" and images of 3, 8 and 9 the group "curved";
  the other images are in no group. `nshap run --metric gap:straight,curved --groups ...` then asks
  which filters make the gap.
- adversarial/CLASS/NAME.png and targets.tsv: a small set of adversarial images for the robustness
  use case. Each comes from a demo test image of class CLASS, attacked with targeted projected
  gradient descent (L-infinity radius 0.3 of the pixel range, 40 steps) towards the target class
  (CLASS + 1) mod 10, on the network rebuilt in torch from the ONNX weights. The attack runs on the
  16x16 input the model sees (the 8x8 image upscaled as the sidecar does), and each image is stored
  as a 16x16 8-bit PNG, which the sidecar's preprocessing leaves as it is; only images that still
  reach their target after rounding to 8 bits (checked with ONNX Runtime) are kept.

Reproduce (CPU, seconds):
    pip install torch==2.13.0 pillow onnx onnxruntime
    python3 tools/demo/make_usecases.py
"""
import os
import shutil
import sys

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import numpy_helper
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_demo import Net  # noqa: E402  (the demo's own architecture)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "Sources", "NeuronShapley", "Resources", "demo")
OUT = os.path.join(ROOT, "examples", "digits")
STRAIGHT, CURVED = {1, 4, 7}, {3, 8, 9}
PER_CLASS = 20
EPSILON, STEPS, STEP = 0.3, 40, 0.02


def images():
    """(relative name, class, 16x16 float image in [0, 1]) of every demo test image, sorted."""
    out = []
    for c in sorted(os.listdir(os.path.join(DEMO, "images")), key=int):
        for f in sorted(os.listdir(os.path.join(DEMO, "images", c))):
            im = Image.open(os.path.join(DEMO, "images", c, f))
            up = np.asarray(im.resize((16, 16), Image.BILINEAR)).astype(np.float32) / 255
            out.append((f"{c}/{f}", int(c), up))
    return out


def network():
    net = Net()
    weights = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy())
               for t in onnx.load(os.path.join(DEMO, "digits-cnn.onnx")).graph.initializer}
    net.load_state_dict(weights)
    net.eval()
    return net


def attack(net, x01, target):
    """Targeted L-infinity PGD in pixel space [0, 1]; the network sees (x - 0.5) / 0.5."""
    x0 = torch.from_numpy(x01)[None, None]
    x = x0.clone()
    t = torch.tensor([target])
    for _ in range(STEPS):
        x.requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(net((x - 0.5) / 0.5), t)
        grad, = torch.autograd.grad(loss, x)
        x = (x.detach() - STEP * grad.sign()).clamp(x0 - EPSILON, x0 + EPSILON).clamp(0, 1)
    return (x[0, 0].numpy() * 255).round().astype(np.uint8)


def main():
    torch.manual_seed(0)
    data = images()
    with open(os.path.join(OUT, "groups.tsv"), "w") as f:
        f.write("image\tgroup\n")
        for name, c, _ in data:
            if c in STRAIGHT or c in CURVED:
                f.write(f"{name}\t{'straight' if c in STRAIGHT else 'curved'}\n")
    net = network()
    session = ort.InferenceSession(os.path.join(DEMO, "digits-cnn.onnx"), providers=["CPUExecutionProvider"])
    folder = os.path.join(OUT, "adversarial")
    shutil.rmtree(folder, ignore_errors=True)
    kept, tried = [], 0
    for c in range(10):
        chosen = [d for d in data if d[1] == c][:PER_CLASS]
        for name, label, x in chosen:
            tried += 1
            target = (label + 1) % 10
            adv = attack(net, x, target)
            logits = session.run(None, {"input": ((adv.astype(np.float32) / 255 - 0.5) / 0.5)[None, None]})[0]
            if int(logits.argmax()) != target:
                continue
            os.makedirs(os.path.join(folder, str(label)), exist_ok=True)
            Image.fromarray(adv, "L").save(os.path.join(folder, name))
            kept.append((name, target))
    with open(os.path.join(OUT, "targets.tsv"), "w") as f:
        f.write("image\ttarget\n")
        for name, target in kept:
            f.write(f"{name}\t{target}\n")
    print(f"groups.tsv written; {len(kept)} of {tried} adversarial images reach their target after 8-bit rounding")


if __name__ == "__main__":
    main()
