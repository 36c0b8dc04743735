"""A small ONNX -> PyTorch interpreter for the shared MobileNet (Debian's onnx 1.12 has no reference evaluator)."""
import onnx
from onnx import numpy_helper
import torch
import torch.nn.functional as F


class OnnxTorch:
    """Evaluates the ops of the shared MobileNet (Conv, BatchNormalization, Clip, GlobalAveragePool,
    Flatten, Gemm) with torch functional ops, following the ONNX operator definitions."""

    def __init__(self, path):
        m = onnx.load(path)
        self.graph = m.graph
        self.init = {t.name: torch.from_numpy(numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
        self.input = m.graph.input[0].name
        self.output = m.graph.output[0].name

    @staticmethod
    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def __call__(self, x):
        env = dict(self.init)
        env[self.input] = x
        for n in self.graph.node:
            a = self.attrs(n)
            i = [env[k] if k else None for k in n.input]
            if n.op_type == "Conv":
                pads = a.get("pads", [0, 0, 0, 0])  # [top, left, bottom, right]
                xin = F.pad(i[0], (pads[1], pads[3], pads[0], pads[2]))
                y = F.conv2d(xin, i[1], i[2] if len(i) > 2 else None, stride=a.get("strides", [1, 1]),
                             dilation=a.get("dilations", [1, 1]), groups=a.get("group", 1))
            elif n.op_type == "BatchNormalization":
                y = F.batch_norm(i[0], i[3], i[4], i[1], i[2], training=False, eps=a.get("epsilon", 1e-5))
            elif n.op_type == "Clip":
                y = torch.clamp(i[0], min=float(i[1]), max=float(i[2]))
            elif n.op_type == "GlobalAveragePool":
                y = i[0].mean(dim=(2, 3), keepdim=True)
            elif n.op_type == "Flatten":
                y = torch.flatten(i[0], a.get("axis", 1))
            elif n.op_type == "Gemm":
                b = i[1].t() if a.get("transB", 0) else i[1]
                aa = i[0].t() if a.get("transA", 0) else i[0]
                y = a.get("alpha", 1.0) * (aa @ b) + a.get("beta", 1.0) * i[2]
            else:
                raise SystemExit("unsupported op " + n.op_type)
            env[n.output[0]] = y
        return env[self.output]
