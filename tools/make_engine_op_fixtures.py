#!/usr/bin/env python3
"""Writes small one-operator ONNX models with inputs and ONNX Runtime's outputs (as .npy) to
Tests/EngineTests/OpFixtures/, so the engine's tests check operator semantics (padding, ceil mode,
count_include_pad, broadcasting, axes, transposes) against ONNX Runtime rather than against its own
reading of the specification. Run from the repository root; deterministic (fixed seed)."""
import os

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join("Tests", "EngineTests", "OpFixtures")
rng = np.random.default_rng(20240611)


def const(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def save(name, nodes, input_shape, initializers=(), batch=2, opset=17):
    graph = helper.make_graph(
        nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch"] + list(input_shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="op-fixtures")
    model.ir_version = 8
    x = rng.standard_normal((batch,) + tuple(input_shape)).astype(np.float32)
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    y = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    onnx.save(model, os.path.join(OUT, f"{name}.onnx"))
    np.save(os.path.join(OUT, f"{name}.input.npy"), x)
    np.save(os.path.join(OUT, f"{name}.output.npy"), y.astype(np.float32))
    print(f"{name}: {x.shape} -> {y.shape}")


def w(*shape):
    return (rng.standard_normal(shape) * 0.3).astype(np.float32)


os.makedirs(OUT, exist_ok=True)
save("conv_asymmetric_dilated", [helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], strides=[2, 1],
     dilations=[1, 2], pads=[1, 0, 2, 1])], [5, 9, 11], [const("w", w(7, 5, 3, 3)), const("b", w(7))])
save("conv_grouped", [helper.make_node("Conv", ["x", "w"], ["y"], group=3, kernel_shape=[3, 2], pads=[1, 1, 1, 0])],
     [6, 7, 6], [const("w", w(9, 2, 3, 2))])
save("conv_depthwise_5x5_stride2", [helper.make_node("Conv", ["x", "w", "b"], ["c"], group=24, kernel_shape=[5, 5],
     strides=[2, 2], pads=[1, 2, 2, 1]), helper.make_node("Clip", ["c", "lo", "hi"], ["y"])], [24, 13, 12],
     [const("w", w(24, 1, 5, 5)), const("b", w(24)), const("lo", np.float32(0)), const("hi", np.float32(6))])
save("conv_same_upper", [helper.make_node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER", kernel_shape=[4, 4],
     strides=[2, 2])], [3, 9, 8], [const("w", w(4, 3, 4, 4))])
save("maxpool_ceil", [helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
     ceil_mode=1)], [3, 8, 9])
save("avgpool_include_pad", [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
     pads=[1, 1, 1, 1], count_include_pad=1)], [4, 9, 7])
save("avgpool_exclude_pad_ceil", [helper.make_node("AveragePool", ["x"], ["y"], kernel_shape=[2, 3], strides=[2, 2],
     pads=[0, 1, 1, 0], ceil_mode=1)], [4, 9, 8])
save("global_max_pool", [helper.make_node("GlobalMaxPool", ["x"], ["y"])], [5, 4, 3])
save("reduce_mean_channels", [helper.make_node("ReduceMean", ["x"], ["y"], axes=[1], keepdims=1)], [6, 3, 4])
save("softmax_last_axis", [helper.make_node("Softmax", ["x"], ["y"], axis=-1)], [3, 5])
save("gemm_transposed", [helper.make_node("Flatten", ["x"], ["f"], axis=1),
     helper.make_node("Gemm", ["w", "f", "c"], ["g"], transA=1, transB=1, alpha=0.7, beta=0.5),
     helper.make_node("Transpose", ["g"], ["y"], perm=[1, 0])], [3, 2, 2], [const("w", w(12, 4)), const("c", w(4, 1))])
save("matmul_batched_left", [helper.make_node("MatMul", ["x", "m"], ["y"])], [3, 4], [const("m", w(4, 5))])
save("activations", [helper.make_node("HardSwish", ["x"], ["a"]), helper.make_node("LeakyRelu", ["a"], ["b"], alpha=0.3),
     helper.make_node("Erf", ["b"], ["c"]), helper.make_node("HardSigmoid", ["c"], ["d"], alpha=0.4, beta=0.45),
     helper.make_node("Tanh", ["x"], ["e"]), helper.make_node("Sigmoid", ["e"], ["f"]),
     helper.make_node("Add", ["d", "f"], ["y"])], [3, 4, 5])
save("batchnorm_then_relu", [helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["n"], epsilon=1e-3),
     helper.make_node("Relu", ["n"], ["y"])], [4, 3, 3],
     [const("s", w(4)), const("b", w(4)), const("m", w(4)), const("v", np.abs(w(4)) + 0.5)])
save("concat_spatial", [helper.make_node("Conv", ["x", "w"], ["a"], pads=[1, 1, 1, 1]),
     helper.make_node("Concat", ["a", "x"], ["y"], axis=2)], [3, 4, 5], [const("w", w(3, 3, 3, 3))])
save("reshape_squeeze_unsqueeze", [helper.make_node("Reshape", ["x", "shape"], ["r"]),
     helper.make_node("Unsqueeze", ["r", "axes"], ["u"]), helper.make_node("Squeeze", ["u", "axes"], ["s"]),
     helper.make_node("Flatten", ["s"], ["y"], axis=2)], [4, 3, 2],
     [const("shape", np.array([0, 3, -1, 2], np.int64)), const("axes", np.array([1], np.int64))])
save("broadcast_arithmetic", [helper.make_node("Conv", ["x", "w"], ["c"]), helper.make_node("Add", ["c", "perChannel"], ["a"]),
     helper.make_node("Mul", ["a", "row"], ["m"]), helper.make_node("Div", ["m", "two"], ["d"]),
     helper.make_node("Sub", ["scalar", "d"], ["y"])], [3, 4, 5],
     [const("w", w(6, 3, 1, 1)), const("perChannel", w(6, 1, 1)), const("row", w(5)), const("two", np.float32(2)),
      const("scalar", np.float32(0.25))])
save("shape_arithmetic", [helper.make_node("Shape", ["x"], ["s"]), helper.make_node("Gather", ["s", "zero"], ["n"], axis=0),
     helper.make_node("Unsqueeze", ["n", "axes"], ["n1"]), helper.make_node("Concat", ["n1", "minus"], ["t"], axis=0),
     helper.make_node("Reshape", ["x", "t"], ["y"])], [2, 3, 4],
     [const("zero", np.array(0, np.int64)), const("axes", np.array([0], np.int64)), const("minus", np.array([-1], np.int64))])
