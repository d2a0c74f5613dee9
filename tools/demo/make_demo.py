"""Trains the embedded demo model and writes it, with its sidecar and test images, to
Sources/NeuronShapley/Resources/demo/.

The data are scikit-learn's 8x8 handwritten digits (1,797 images, 10 classes). Each image is
stored as an 8-bit gray PNG (values 0..16 scaled by 255/16 and rounded); the model's
preprocessing upscales it to 16x16 with Pillow's bilinear filter, divides by 255 and normalises
with mean 0.5, std 0.5. Training applies exactly that pipeline to the same 8-bit images, so the
Swift preprocessing (which reproduces Pillow bit for bit) sees what the network was trained on.

The network: four 3x3 convolutions (24, 48, 64 and 96 filters, 232 in all) with ReLU, a 2x2
max-pool after the second and the fourth, global average pooling and one fully connected layer.
The ONNX graph is written by hand with onnx.helper (opset 17) so that it holds only Conv, Relu,
MaxPool, GlobalAveragePool, Flatten and Gemm, with stable node names conv1..conv4.

Reproduce (CPU, about a minute; same seed, same files up to floating-point summation order):
    pip install torch==2.13.0 scikit-learn pillow onnx onnxruntime
    python3 tools/demo/make_demo.py
"""
import json
import os
import shutil
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from sklearn.datasets import load_digits

SEED = 0
SIZE = 16
WIDTHS = [24, 48, 64, 96]
EPOCHS = 40
TEST_FRACTION = 0.25
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Sources", "NeuronShapley", "Resources", "demo")
MODEL = "digits-cnn.onnx"


def preprocess(images_u8):
    """8x8 uint8 images -> float32 [N, 1, 16, 16], as the sidecar prescribes."""
    out = np.empty((len(images_u8), 1, SIZE, SIZE), np.float32)
    for i, image in enumerate(images_u8):
        up = Image.fromarray(image, "L").resize((SIZE, SIZE), Image.BILINEAR)
        x = np.asarray(up).astype(np.float32) / np.float32(255)
        out[i, 0] = (x - np.float32(0.5)) / np.float32(0.5)
    return out


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        a, b, c, d = WIDTHS
        self.conv1 = torch.nn.Conv2d(1, a, 3, padding=1)
        self.conv2 = torch.nn.Conv2d(a, b, 3, padding=1)
        self.conv3 = torch.nn.Conv2d(b, c, 3, padding=1)
        self.conv4 = torch.nn.Conv2d(c, d, 3, padding=1)
        self.fc = torch.nn.Linear(d, 10)

    def forward(self, x, mask=None):
        relu, pool = torch.relu, torch.nn.functional.max_pool2d
        x = relu(self.conv1(x))
        x = pool(relu(self.conv2(x)), 2)
        x = relu(self.conv3(x))
        x = pool(relu(self.conv4(x)), 2)
        return self.fc(x.mean(dim=(2, 3)))


def split(labels, fraction, rng):
    """Stratified: the same share of every class goes to the test part."""
    test = []
    for k in range(10):
        members = np.flatnonzero(labels == k)
        rng.shuffle(members)
        test.extend(members[: int(round(len(members) * fraction))])
    test = np.sort(np.array(test))
    train = np.setdiff1d(np.arange(len(labels)), test)
    return train, test


def train(x, y):
    torch.manual_seed(SEED)
    net = Net()
    optimiser = torch.optim.Adam(net.parameters(), lr=2e-3, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, EPOCHS)
    generator = torch.Generator().manual_seed(SEED)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for epoch in range(EPOCHS):
        net.train()
        order = torch.randperm(len(xt), generator=generator)
        for start in range(0, len(xt), 64):
            batch = order[start:start + 64]
            inputs = xt[batch]
            # One-pixel random shifts (at 16x16) for a little robustness.
            dx, dy = torch.randint(-1, 2, (2,), generator=generator).tolist()
            inputs = torch.roll(inputs, shifts=(dy, dx), dims=(2, 3))
            loss = torch.nn.functional.cross_entropy(net(inputs), yt[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        schedule.step()
    net.eval()
    return net


def export(net, path):
    """Writes the network as an ONNX graph of Conv/Relu/MaxPool/GlobalAveragePool/Flatten/Gemm."""
    inits, nodes = [], []
    previous = "input"
    for i, conv in enumerate([net.conv1, net.conv2, net.conv3, net.conv4], start=1):
        w = f"conv{i}.weight"
        b = f"conv{i}.bias"
        inits.append(numpy_helper.from_array(conv.weight.detach().numpy().astype(np.float32), w))
        inits.append(numpy_helper.from_array(conv.bias.detach().numpy().astype(np.float32), b))
        nodes.append(helper.make_node("Conv", [previous, w, b], [f"conv{i}_out"], name=f"conv{i}",
                                      kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]))
        nodes.append(helper.make_node("Relu", [f"conv{i}_out"], [f"relu{i}_out"], name=f"relu{i}"))
        previous = f"relu{i}_out"
        if i in (2, 4):
            nodes.append(helper.make_node("MaxPool", [previous], [f"pool{i}_out"], name=f"pool{i}",
                                          kernel_shape=[2, 2], strides=[2, 2]))
            previous = f"pool{i}_out"
    nodes.append(helper.make_node("GlobalAveragePool", [previous], ["gap_out"], name="gap"))
    nodes.append(helper.make_node("Flatten", ["gap_out"], ["flat_out"], name="flatten", axis=1))
    inits.append(numpy_helper.from_array(net.fc.weight.detach().numpy().astype(np.float32), "fc.weight"))
    inits.append(numpy_helper.from_array(net.fc.bias.detach().numpy().astype(np.float32), "fc.bias"))
    nodes.append(helper.make_node("Gemm", ["flat_out", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1))
    graph = helper.make_graph(
        nodes, "digits-cnn",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 1, SIZE, SIZE])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", 10])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="nshap tools/demo/make_demo.py")
    model.ir_version = 8
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, path)


def ablate(net, x, y, removed):
    """Accuracy with the given (layer, channel) filters' outputs replaced by their mean over x."""
    convs = [net.conv1, net.conv2, net.conv3, net.conv4]
    means, hooks = {}, []
    with torch.no_grad():
        acts = {}
        for i, conv in enumerate(convs):
            hooks.append(conv.register_forward_hook(lambda m, a, o, i=i: acts.__setitem__(i, o)))
        net(torch.from_numpy(x))
        for h in hooks:
            h.remove()
        for i in acts:
            means[i] = acts[i].mean(dim=(0, 2, 3))
        hooks = []
        for i, conv in enumerate(convs):
            channels = [c for (layer, c) in removed if layer == i]
            if channels:
                def hook(m, a, o, i=i, channels=channels):
                    o = o.clone()
                    o[:, channels] = means[i][channels].view(1, -1, 1, 1)
                    return o
                hooks.append(conv.register_forward_hook(hook))
        predictions = net(torch.from_numpy(x)).argmax(1).numpy()
        for h in hooks:
            h.remove()
    return float((predictions == y).mean())


def taylor_scores(net, x, y):
    """|mean over images and positions of activation x dLoss/dactivation| for every conv filter."""
    convs = [net.conv1, net.conv2, net.conv3, net.conv4]
    outputs = {}

    def keep(i):
        def hook(module, args, output):
            output.retain_grad()
            outputs[i] = output
        return hook

    hooks = [conv.register_forward_hook(keep(i)) for i, conv in enumerate(convs)]
    net.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    for h in hooks:
        h.remove()
    scores = [(outputs[i] * outputs[i].grad).mean(dim=(0, 2, 3)).abs().detach().numpy() for i in range(len(convs))]
    net.zero_grad()
    return np.concatenate(scores)


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    digits = load_digits()
    images = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    labels = digits.target.astype(np.int64)
    train_idx, test_idx = split(labels, TEST_FRACTION, np.random.default_rng(SEED))
    x = preprocess(images)
    started = time.time()
    net = train(x[train_idx], labels[train_idx])
    print(f"trained in {time.time() - started:.0f} s")

    if os.path.isdir(OUT):
        for item in os.listdir(OUT):
            path = os.path.join(OUT, item)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    os.makedirs(OUT, exist_ok=True)
    export(net, os.path.join(OUT, MODEL))
    for i in test_idx:
        folder = os.path.join(OUT, "images", str(labels[i]))
        os.makedirs(folder, exist_ok=True)
        Image.fromarray(images[i], "L").save(os.path.join(folder, f"{i:04d}.png"), optimize=True)

    # Check: ONNX Runtime on the PNG files read back, through the sidecar's preprocessing.
    files = sorted(os.path.relpath(os.path.join(d, f), os.path.join(OUT, "images"))
                   for d, _, fs in os.walk(os.path.join(OUT, "images")) for f in fs)
    back = np.stack([np.asarray(Image.open(os.path.join(OUT, "images", f)).convert("L")) for f in files])
    truth = np.array([int(f.split(os.sep)[0]) for f in files])
    session = ort.InferenceSession(os.path.join(OUT, MODEL), providers=["CPUExecutionProvider"])
    logits = session.run(None, {"input": preprocess(back)})[0]
    with torch.no_grad():
        torch_logits = net(torch.from_numpy(preprocess(back))).numpy()
    accuracy = float((logits.argmax(1) == truth).mean())
    train_accuracy = float((session.run(None, {"input": x[train_idx]})[0].argmax(1) == labels[train_idx]).mean())

    # How much the accuracy depends on a few filters: rank them by a first-order (Taylor) estimate
    # of the loss change when removed, |mean(activation x gradient)| over the training part, then
    # compare the test accuracy without the top 10 with that without 10 random filters (mean removal).
    players = [(layer, c) for layer, width in enumerate(WIDTHS) for c in range(width)]
    scores = taylor_scores(net, x[train_idx], labels[train_idx])
    top = [players[i] for i in np.argsort(-scores, kind="stable")[:10]]
    rng = np.random.default_rng(SEED)
    xt, yt = preprocess(back), truth
    without_top = ablate(net, xt, yt, top)
    without_random = [ablate(net, xt, yt, [players[i] for i in rng.choice(len(players), 10, replace=False)])
                      for _ in range(5)]

    sidecar = {
        "model": MODEL,
        "source": "A 4-layer CNN trained by tools/demo/make_demo.py (seed 0) on scikit-learn's 8x8 digits "
                  "(UCI ML hand-written digits, 1,797 images); the test images are the stratified 25% held out, "
                  "stored as 8x8 gray PNGs under images/CLASS/, upscaled to 16x16 by the preprocessing.",
        "input": {"name": "input", "layout": "NCHW", "channels": "L", "size": SIZE},
        "preprocess": {"resize_short_side": SIZE, "interpolation": "bilinear", "center_crop": SIZE,
                       "scale": "x / 255", "mean": [0.5], "std": [0.5]},
        "output": {"name": "logits", "classes": 10, "labels": [str(k) for k in range(10)]},
        "filters": {"conv_layers": 4, "conv_output_channels": sum(WIDTHS)},
        "reference": {
            "test images": len(files),
            "test top-1 (onnxruntime)": round(accuracy, 4),
            "train top-1 (onnxruntime)": round(train_accuracy, 4),
            "test top-1 without the 10 filters of largest Taylor score (mean removal)": round(without_top, 4),
            "test top-1 without 10 random filters (mean removal, 5 draws)": [round(a, 4) for a in without_random],
        },
    }
    with open(os.path.join(OUT, "digits-cnn.json"), "w") as f:
        json.dump(sidecar, f, indent=1)
        f.write("\n")
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write("# Embedded demo model\n\n"
                "`digits-cnn.onnx` (4 conv layers, 232 filters) with its preprocessing sidecar `digits-cnn.json` and "
                f"its {len(files)} test images (8x8 gray PNGs in class folders under `images/`), trained on "
                "scikit-learn's 8x8 digits. Regenerate everything here with `python3 tools/demo/make_demo.py` "
                "(needs torch 2.13, scikit-learn, pillow, onnx, onnxruntime); see that script for the details.\n")

    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(OUT) for f in fs)
    print(f"test top-1 (onnxruntime, {len(files)} PNGs): {accuracy:.4f}   train top-1: {train_accuracy:.4f}")
    print(f"max |onnxruntime - torch| logits: {np.abs(logits - torch_logits).max():.2e}")
    print(f"without the top-10 Taylor filters: {without_top:.4f}; without 10 random: {without_random}")
    print(f"top-10 filters (layer index, channel): {top}")
    print(f"demo folder: {total} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
