"""Checks a model written by `nshap prune` with ONNX Runtime.

    nshap prune MODEL.onnx --remove UNITS --data DIR -o OUT.onnx --check-dir CHECK
    python3 tools/check_pruned.py OUT.onnx CHECK [--tolerance 1e-3]

Loads OUT.onnx with onnx (full checker) and ONNX Runtime, runs it on CHECK/input.npy and compares
its logits with CHECK/masked.npy, the logits of nshap's engine running the original model with the
same filters masked. Prints the largest absolute difference; exits 1 above the tolerance, 2 when
onnx or onnxruntime is not installed.
"""
import argparse
import sys

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("check_dir")
    parser.add_argument("--tolerance", type=float, default=1e-3)
    args = parser.parse_args()
    try:
        import onnx
        import onnxruntime as ort
    except ImportError as error:
        print(f"skipped: {error}")
        return 2
    onnx.checker.check_model(onnx.load(args.model), full_check=True)
    x = np.load(f"{args.check_dir}/input.npy")
    expected = np.load(f"{args.check_dir}/masked.npy")
    session = ort.InferenceSession(args.model, providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    difference = float(np.max(np.abs(got.reshape(expected.shape) - expected)))
    same_top1 = float(np.mean(got.reshape(len(x), -1).argmax(1) == expected.reshape(len(x), -1).argmax(1)))
    print(f"onnxruntime {ort.__version__}: {len(x)} images, max |logit difference| {difference:.3g}, same top-1 on {same_top1:.0%}")
    return 0 if difference <= args.tolerance else 1


if __name__ == "__main__":
    sys.exit(main())
