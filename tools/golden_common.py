"""Shared helpers for the golden-output scripts in tools/.

Run with Debian's /usr/bin/python3 (torch 1.13.1, torchvision 0.14.1, onnx, numpy, opencv, PIL).

Contents:
- OnnxTorch: a small interpreter that turns an ONNX graph (the ops our test models and the shared
  MobileNet use) into a torch.nn.Module with one sub-module per ONNX node, so that PyTorch hooks,
  pytorch-grad-cam and TorchCAM can target any node by its ONNX name.
- deterministic weight randomisation, ONNX export, image preprocessing, .npy/manifest writing.
"""
import hashlib
import json
import os
import random
import subprocess

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

TOOLS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TOOLS)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared"))
if not os.path.isdir(SHARED):
    SHARED = "/work/shared"
BUILD = os.path.join(TOOLS, "build")
MODELS = os.path.join(ROOT, "testdata", "models")
GOLDEN = os.path.join(ROOT, "testdata", "golden")
MOBILENET = os.path.join(SHARED, "models", "mobilenet_v1_0.25_224_imagenet.onnx")
IMAGES = os.path.join(SHARED, "images")


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def setup_torch():
    # One thread: reductions then run in a fixed order, so reruns give the same bits.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def rel(path):
    return os.path.relpath(os.path.abspath(path), ROOT)


def versions():
    import torchvision
    return {"python": "%d.%d.%d" % tuple(__import__("sys").version_info[:3]),
            "torch": torch.__version__, "torchvision": torchvision.__version__,
            "onnx": onnx.__version__, "numpy": np.__version__}


def load_torch_weights(model, folder):
    """Loads a state dict saved as one .npy per parameter (tools/make_attribution_goldens.py's save_weights);
    returns the model in eval mode. BatchNorm's num_batches_tracked is not saved and keeps its value."""
    state = model.state_dict()
    for k in state:
        if k.endswith("num_batches_tracked"):
            continue
        state[k] = torch.from_numpy(np.load(os.path.join(folder, k + ".npy")))
    model.load_state_dict(state)
    return model.eval()


def save_float32(out, name, a):
    """Writes a tensor or array as out/name.npy in float32, C order; returns the file name for the manifest."""
    a = a.detach().numpy() if isinstance(a, torch.Tensor) else np.asarray(a)
    np.save(os.path.join(out, name + ".npy"), np.ascontiguousarray(a, dtype=np.float32))
    return name + ".npy"


def save_npy(path, array, dtype=np.float32):
    """Writes a C-order little-endian .npy and returns a manifest entry (path relative to its suite)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    a = np.ascontiguousarray(np.asarray(array, dtype=dtype))
    np.save(path, a)
    return a


def randomize_batchnorm(model, gen):
    """Random affine and running statistics for every BatchNorm2d (eval mode uses the running stats)."""
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            c = m.num_features
            with torch.no_grad():
                m.weight.copy_(torch.empty(c).uniform_(0.5, 1.5, generator=gen))
                m.bias.copy_(torch.empty(c).normal_(0.0, 0.1, generator=gen))
                m.running_mean.copy_(torch.empty(c).normal_(0.0, 0.1, generator=gen))
                m.running_var.copy_(torch.empty(c).uniform_(0.5, 1.5, generator=gen))


def export_onnx(model, example, path, keep_batchnorm):
    """Opset 13, initializers not inputs, constant folding on.  keep_batchnorm=False is torch's default
    eval export (BatchNormalization folded into the preceding Conv); True keeps BN as its own node
    (TrainingMode.PRESERVE on a model in eval mode) so that it stays a hookable layer."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    kwargs = {}
    if keep_batchnorm:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    model.eval()
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, example, path, opset_version=13, do_constant_folding=True,
                          keep_initializers_as_inputs=False, input_names=["input"],
                          output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, **kwargs)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return m


def last_node_of_module(onnx_model, module_path):
    """The ONNX node that produces a PyTorch module's output: the last node (topological order) whose
    scoped name lies inside /<module path with dots as in the exporter>/.  torch 1.13 names nodes
    like /layer2/layer2.1/relu_1/Relu, so module 'layer2' -> prefix '/layer2/'."""
    parts = module_path.split(".")
    # The exporter labels a scope by the attribute name, except numbered children (Sequential
    # items), which get the qualified name: layer2.1 -> /layer2/layer2.1/, features.transition1 ->
    # /features/transition1/.
    labels = [".".join(parts[:i + 1]) if p.isdigit() else p for i, p in enumerate(parts)]
    scoped = "/" + "/".join(labels) + "/"
    found = [n for n in onnx_model.graph.node if n.name.startswith(scoped)]
    if not found:
        raise KeyError("no ONNX node under " + scoped)
    n = found[-1]
    return {"onnx_node": n.name, "onnx_tensor": n.output[0], "op_type": n.op_type,
            "torch_module": module_path}


def node_info(onnx_model, node_name):
    for n in onnx_model.graph.node:
        if n.name == node_name:
            return {"onnx_node": n.name, "onnx_tensor": n.output[0], "op_type": n.op_type}
    raise KeyError(node_name)


# ---------------------------------------------------------------------------------------------
# ONNX -> torch interpreter (just the ops our models use)
# ---------------------------------------------------------------------------------------------

def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class Clamp(nn.Module):
    """ONNX Clip.  torch.clamp's backward passes the gradient where min <= x <= max."""

    def __init__(self, lo, hi):
        super().__init__()
        self.lo, self.hi = lo, hi

    def forward(self, x):
        return torch.clamp(x, self.lo, self.hi)

    def extra_repr(self):
        return "min=%s, max=%s" % (self.lo, self.hi)


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3), keepdim=True)


class AddN(nn.Module):
    def forward(self, *xs):
        out = xs[0]
        for x in xs[1:]:
            out = out + x
        return out


class ConcatN(nn.Module):
    def __init__(self, axis):
        super().__init__()
        self.axis = axis

    def forward(self, *xs):
        return torch.cat(xs, dim=self.axis)


class ZeroOrConstPad(nn.Module):
    def __init__(self, pad, value):
        super().__init__()
        self.pad, self.value = tuple(int(p) for p in pad), value

    def forward(self, x):
        return F.pad(x, self.pad, value=self.value)


class Reshape(nn.Module):
    def __init__(self, shape):
        super().__init__()
        self.shape = [int(s) for s in shape]

    def forward(self, x):
        shape = [x.shape[i] if s == 0 else s for i, s in enumerate(self.shape)]
        return x.reshape(shape)


class OnnxTorch(nn.Module):
    """Evaluates an ONNX graph with torch ops, one sub-module per node (in self.nodes, keyed n0, n1 ...
    in topological order; self.by_name maps the ONNX node name to its sub-module).  Asymmetric Conv /
    pool pads are applied with F.pad before the sub-module, so hooking a Conv sub-module gives the
    ONNX node's output exactly."""

    def __init__(self, path):
        super().__init__()
        m = onnx.load(path)
        g = m.graph
        const = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in g.initializer}
        self.input_name = [i.name for i in g.input if i.name not in const][0]
        self.output_name = g.output[0].name
        self.nodes = nn.ModuleDict()
        self.plan = []  # (key, node name, input names, output name, pre-pad or None, pad value)
        self.by_name = {}
        self.node_meta = {}
        for idx, node in enumerate(g.node):
            a = _attrs(node)
            op = node.op_type
            ins = list(node.input)
            if op == "Constant":
                const[node.output[0]] = torch.from_numpy(onnx.numpy_helper.to_array(a["value"]).copy())
                continue
            if op == "Identity" and ins[0] in const:
                const[node.output[0]] = const[ins[0]]
                continue
            prepad, padval = None, 0.0
            if op == "Conv":
                w = const[ins[1]]
                b = const[ins[2]] if len(ins) > 2 and ins[2] else None
                assert a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET"), "auto_pad unsupported"
                k = list(w.shape[2:])
                pads = list(a.get("pads", [0, 0, 0, 0]))
                groups = a.get("group", 1)
                if pads[0] == pads[2] and pads[1] == pads[3]:
                    padding = (pads[0], pads[1])
                else:
                    padding = (0, 0)
                    prepad = (pads[1], pads[3], pads[0], pads[2])  # F.pad: left, right, top, bottom
                mod = nn.Conv2d(w.shape[1] * groups, w.shape[0], k, stride=tuple(a.get("strides", [1, 1])),
                                padding=padding, dilation=tuple(a.get("dilations", [1, 1])), groups=groups,
                                bias=b is not None)
                with torch.no_grad():
                    mod.weight.copy_(w)
                    if b is not None:
                        mod.bias.copy_(b)
                data_ins = ins[:1]
            elif op == "BatchNormalization":
                c = const[ins[1]].numel()
                mod = nn.BatchNorm2d(c, eps=a.get("epsilon", 1e-5))
                with torch.no_grad():
                    mod.weight.copy_(const[ins[1]])
                    mod.bias.copy_(const[ins[2]])
                    mod.running_mean.copy_(const[ins[3]])
                    mod.running_var.copy_(const[ins[4]])
                mod.eval()
                data_ins = ins[:1]
            elif op == "Relu":
                mod, data_ins = nn.ReLU(), ins
            elif op == "Clip":
                lo = float(const[ins[1]]) if len(ins) > 1 and ins[1] else a.get("min", None)
                hi = float(const[ins[2]]) if len(ins) > 2 and ins[2] else a.get("max", None)
                mod, data_ins = Clamp(lo, hi), ins[:1]
            elif op in ("MaxPool", "AveragePool"):
                k = list(a["kernel_shape"])
                pads = list(a.get("pads", [0, 0, 0, 0]))
                if pads[0] == pads[2] and pads[1] == pads[3]:
                    padding = (pads[0], pads[1])
                else:
                    padding = (0, 0)
                    prepad = (pads[1], pads[3], pads[0], pads[2])
                    padval = float("-inf") if op == "MaxPool" else 0.0
                    assert op == "MaxPool", "asymmetric AveragePool pads unsupported"
                strides = tuple(a.get("strides", [1, 1]))
                ceil = bool(a.get("ceil_mode", 0))
                if op == "MaxPool":
                    mod = nn.MaxPool2d(k, strides, padding, dilation=tuple(a.get("dilations", [1, 1])),
                                       ceil_mode=ceil)
                else:
                    mod = nn.AvgPool2d(k, strides, padding, ceil_mode=ceil,
                                       count_include_pad=bool(a.get("count_include_pad", 0)))
                data_ins = ins
            elif op == "GlobalAveragePool":
                mod, data_ins = GlobalAvgPool(), ins
            elif op == "Flatten":
                mod, data_ins = nn.Flatten(a.get("axis", 1), -1), ins
                assert a.get("axis", 1) == 1
            elif op == "Gemm":
                w = const[ins[1]]
                assert a.get("alpha", 1.0) == 1.0 and a.get("beta", 1.0) == 1.0 and not a.get("transA", 0)
                if not a.get("transB", 0):
                    w = w.t()
                mod = nn.Linear(w.shape[1], w.shape[0], bias=len(ins) > 2)
                with torch.no_grad():
                    mod.weight.copy_(w)
                    if len(ins) > 2:
                        mod.bias.copy_(const[ins[2]].reshape(-1))
                data_ins = ins[:1]
            elif op in ("Add", "Sum"):
                mod, data_ins = AddN(), ins
            elif op == "Concat":
                mod, data_ins = ConcatN(a["axis"]), ins
            elif op in ("Identity", "Dropout"):
                mod, data_ins = nn.Identity(), ins[:1]
            elif op == "Pad":
                pads = const[ins[1]].tolist()
                assert a.get("mode", b"constant") in (b"constant", "constant") and len(pads) == 8
                assert pads[0] == pads[1] == pads[4] == pads[5] == 0, "Pad on batch/channel axes"
                value = float(const[ins[2]]) if len(ins) > 2 and ins[2] else 0.0
                mod, data_ins = ZeroOrConstPad((pads[3], pads[7], pads[2], pads[6]), value), ins[:1]
            elif op == "Reshape":
                mod, data_ins = Reshape(const[ins[1]].tolist()), ins[:1]
            else:
                raise NotImplementedError("ONNX op %s (node %s)" % (op, node.name))
            for i in data_ins:
                assert i not in const, "constant data input %s of %s" % (i, node.name)
            key = "n%d" % idx
            self.nodes[key] = mod
            self.by_name[node.name] = mod
            self.node_meta[node.name] = {"onnx_node": node.name, "onnx_tensor": node.output[0],
                                         "op_type": op}
            self.plan.append((key, node.name, data_ins, node.output[0], prepad, padval))
        self.eval()

    def module(self, node_name):
        return self.by_name[node_name]

    def forward(self, x):
        env = {self.input_name: x}
        for key, _, ins, out, prepad, padval in self.plan:
            xs = [env[i] for i in ins]
            if prepad is not None:
                xs[0] = F.pad(xs[0], prepad, value=padval)
            env[out] = self.nodes[key](*xs)  # looked up each call: PGC's AblationCAM swaps modules
        return env[self.output_name]


# ---------------------------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------------------------

PREPROCESS_DOC = {
    "decode": "PIL.Image.open(path).convert('RGB') (PIL %s; JPEG via libjpeg, so another decoder may "
              "differ by a few grey levels)",
    "crop": "centre crop of the largest square: side = min(W,H), left = (W-side)//2, top = (H-side)//2",
    "resize": "torch.nn.functional.interpolate(mode='bilinear', align_corners=False, antialias=False) "
              "on float32 pixels 0..255 (half-pixel centres, no antialiasing; same sampling as "
              "cv2.resize INTER_LINEAR), output 224x224",
    "value": "pixel / 127.5 - 1, computed in float32, RGB, NCHW",
}


def load_image_mobilenet(path, size=224, crop=True):
    """crop=False: the whole image is resized to size x size (aspect ratio not kept, 'squashed')."""
    from PIL import Image
    img = Image.open(path).convert("RGB")
    w, h = img.size
    if crop:
        side = min(w, h)
        left, top = (w - side) // 2, (h - side) // 2
        arr = np.asarray(img, dtype=np.float32)[top:top + side, left:left + side, :]
        box = [left, top, side, side]
    else:
        arr = np.asarray(img, dtype=np.float32)
        box = [0, 0, w, h]
    t = torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))[None]
    t = F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False, antialias=False)
    x = t / 127.5 - 1.0
    meta = {"image": os.path.basename(path), "image_sha256": sha256(path), "image_size_wh": [w, h],
            "crop_box_xywh": box, "squashed": not crop}
    return x.float(), meta


def imagenet_labels():
    with open(os.path.join(SHARED, "models", "imagenet_classes.txt")) as f:
        return [l.rstrip("\n") for l in f]


def git_head(path):
    try:
        return subprocess.check_output(["git", "-C", path, "rev-parse", "HEAD"], text=True,
                                       stderr=subprocess.DEVNULL).strip()
    except Exception:
        return None


def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# small seeded test models (their ONNX files are committed under testdata/models/)
# ---------------------------------------------------------------------------------------------

class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock layout (same module names), any width."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu_1 = nn.ReLU()  # separate module so each ReLU is one hookable layer
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu_1(y + idt)


class TinyResNet(nn.Module):
    """resnet18-shaped (stem conv7/2 + maxpool, 4 stages x 2 BasicBlocks, GAP, fc) at widths 8..64."""

    def __init__(self, widths=(8, 16, 32, 64), num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        cin = widths[0]
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            setattr(self, "layer%d" % (i + 1), nn.Sequential(BasicBlock(cin, w, stride), BasicBlock(w, w, 1)))
            cin = w
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, num_classes)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


class TinyVgg(nn.Module):
    """vgg11_bn-shaped (8 conv-BN-ReLU, 5 max-pools, 3-layer FC head on the flattened features) at widths 8..64."""

    def __init__(self, cfg=(8, "M", 16, "M", 32, 32, "M", 64, 64, "M", 64, 64, "M"), num_classes=10, flat=64 * 2 * 2):
        super().__init__()
        layers, cin = [], 3
        for v in cfg:
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(cin, v, 3, padding=1), nn.BatchNorm2d(v), nn.ReLU()]
                cin = v
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Linear(flat, 64), nn.ReLU(), nn.Dropout(), nn.Linear(64, 64), nn.ReLU(),
                                        nn.Dropout(), nn.Linear(64, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class MicroCnn(nn.Module):
    """conv-BN-ReLU, max-pool, conv-BN-ReLU (8 channels at 16x16 for a 32x32 input), GAP, fc: small
    enough that the per-channel noise SS-CAM draws at input resolution can be stored."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2, 2),
                                      nn.Conv2d(8, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(8, num_classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)), 1))


TINY_MODELS = {
    # name: (constructor, seed, input shape of one image)
    "tiny_resnet": (TinyResNet, 101, (3, 128, 128)),
    "tiny_vgg": (TinyVgg, 102, (3, 64, 64)),
    "micro_cnn": (MicroCnn, 103, (3, 32, 32)),
}


def build_tiny(name):
    ctor, seed, _ = TINY_MODELS[name]
    torch.manual_seed(seed)
    model = ctor()
    gen = torch.Generator().manual_seed(seed + 1000)
    randomize_batchnorm(model, gen)
    # Default init gives logits of ~0.1, so score-based weights (softmax over channels) would be
    # nearly uniform; a larger last layer makes the classes, and the CAM weights, more distinct.
    last = [m for m in model.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.weight.mul_(LAST_LAYER_GAIN)
        last.bias.mul_(LAST_LAYER_GAIN)
    return model.eval()


LAST_LAYER_GAIN = 10.0


def tiny_onnx_path(name):
    return os.path.join(MODELS, name + ".onnx")
