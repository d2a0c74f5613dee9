#!/usr/bin/env python3
"""Times ONNX Runtime (CPU) on a model: the same batch the engine benchmark uses (the images of
INPUT cycled to BATCH), with a fixed number of intra-op threads. Prints one `ms_per_image X` line
per timed iteration (with the process CPU time per image), after one warm-up run. `--no-spinning`
stops idle intra-op threads from spinning (fairer when other processes compete for the cores)."""
import argparse
import time

import numpy as np
import onnxruntime as ort

parser = argparse.ArgumentParser()
parser.add_argument("--model", required=True)
parser.add_argument("--input", required=True)
parser.add_argument("--batch", type=int, default=32)
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--iterations", type=int, default=5)
parser.add_argument("--no-spinning", action="store_true")
args = parser.parse_args()

options = ort.SessionOptions()
options.intra_op_num_threads = args.threads
options.inter_op_num_threads = 1
options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
if args.no_spinning:
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
session = ort.InferenceSession(args.model, options, providers=["CPUExecutionProvider"])
name = session.get_inputs()[0].name
source = np.load(args.input).astype(np.float32)
batch = source[np.arange(args.batch) % source.shape[0]]
session.run(None, {name: batch})
for _ in range(args.iterations):
    start, cpu = time.perf_counter(), time.process_time()
    session.run(None, {name: batch})
    wall = (time.perf_counter() - start) * 1000 / args.batch
    print(f"ms_per_image {wall:.3f} cpu_ms_per_image {(time.process_time() - cpu) * 1000 / args.batch:.3f}", flush=True)
