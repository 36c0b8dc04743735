#!/usr/bin/env python3
"""A segmentation net from the shared MobileNet (for the README's segmentation picture, issue 13).

The classifier is made fully convolutional, as Long et al. (FCN, 2015) convolutionalise classifiers: its
Gemm head (1000 x 256) becomes a 1x1 convolution over conv_pw_13_relu, giving 1000 class logits at each
of the 7x7 positions, and a bilinear Resize (x32, half_pixel) brings them to 224x224. The weights are the
real ImageNet ones, so the per-pixel logits of a class are meaningful where that class is.

Usage: /usr/bin/python3 tools/make_fcn_mobilenet.py ../shared/models/mobilenet_v1_0.25_224_imagenet.onnx OUT.onnx
The output is written outside the repository (a derived model is never committed).
"""
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

src, out = sys.argv[1], sys.argv[2]
m = onnx.load(src)
g = m.graph
inits = {t.name: t for t in g.initializer}
w = numpy_helper.to_array(inits["fc.weight"]).reshape(1000, 256, 1, 1)
b = numpy_helper.to_array(inits["fc.bias"])
head = [n for n in g.node if n.op_type in ("GlobalAveragePool", "Flatten", "Gemm")]
for n in head:
    g.node.remove(n)
for name in ("fc.weight", "fc.bias"):
    g.initializer.remove(inits[name])
g.initializer.extend([numpy_helper.from_array(w.astype(np.float32), "fcn.weight"),
                      numpy_helper.from_array(b.astype(np.float32), "fcn.bias"),
                      numpy_helper.from_array(np.array([1, 1, 32, 32], dtype=np.float32), "fcn.scales")])
g.node.extend([
    helper.make_node("Conv", ["conv_pw_13_relu", "fcn.weight", "fcn.bias"], ["class_logits"], name="fcn_head"),
    helper.make_node("Resize", ["class_logits", "", "fcn.scales"], ["seg_logits"], name="fcn_upsample",
                     mode="linear", coordinate_transformation_mode="half_pixel"),
])
del g.output[:]
g.output.extend([helper.make_tensor_value_info("seg_logits", onnx.TensorProto.FLOAT, [1, 1000, 224, 224])])
onnx.checker.check_model(m)
onnx.save(m, out)
print("wrote", out)
