"""A non-recurrent layer's count explained from the tensor shapes the file holds (its class name is a hint)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

Shape = tuple[int, ...]
Tensors = Sequence[tuple[str, Shape]]  # (tensor name as the file has it, shape), in file order

# Tensor names the frameworks give a layer's variables (the last path part, ":0" dropped).
_KERNEL = ("kernel", "weight", "w")
_BIAS = ("bias", "b")
LISTED = 6  # tensors named in a listing
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def short_name(path: str) -> str:
    """'embedding/embeddings:0' -> 'embeddings'; 'fc.weight' -> 'weight'."""
    return re.split(r"[/.]", re.sub(r":\d+$", "", path))[-1]


def class_from_name(name: str) -> str:
    """A class guessed from a layer name Keras gave it ('batch_normalization_1' -> 'batchnormalization')."""
    return re.sub(r"(_\d+)+$", "", name.rsplit("/", 1)[-1].rsplit(".", 1)[-1]).replace("_", "").lower()


def explain(tensors: Tensors, class_name: str = "", pytorch: bool = False, hint: str = "") -> str:
    """'Embedding 800 × 16 = 12,800', 'Linear 16 × 5 + 5 = 85', …; else 'N values in tensors a (…), b (…)'.

    class_name is the file's own class (a config's), which a formula must fit; hint is a class guessed
    from a layer's name. Shapes decide: a formula is given only when it adds up to the tensors' sizes.
    """
    total = sum(math.prod(shape) for _, shape in tensors)
    cls = class_name.replace("_", "").lower()
    if cls and not any(word in cls for word in _KNOWN):
        return _generic(tensors, total)
    named = {short_name(n): tuple(s) for n, s in tensors}
    shapes = [tuple(s) for _, s in tensors]
    for rule in (_embedding, _norm, _dense_or_conv):
        found = rule(cls or hint.replace("_", "").lower(), named, shapes, pytorch)
        if found is not None and found[1] == total:
            expression, form = found[0].split(" (", 1)
            return f"{expression} = {total:,} ({form}"
    return _generic(tensors, total)


_KNOWN = ("embedding", "dense", "linear", "conv", "normalization", "norm")


def listing(tensors: Tensors) -> str:
    """'N values in tensors a (…), b (…)': what a layer holds, with no formula claimed."""
    return _generic(tensors, sum(math.prod(shape) for _, shape in tensors))


def _generic(tensors: Tensors, total: int) -> str:
    # A file may hold thousands of tensors under one name: the row names the first few.
    listed = ", ".join(f"{re.sub(r':[0-9]+$', '', n)[:80]} {tuple(s)}" for n, s in tensors[:LISTED])
    listed += f" and {len(tensors) - LISTED:,} more" if len(tensors) > LISTED else ""
    word = "tensor" if len(tensors) == 1 else "tensors"
    return f"{total:,} values in {word} {listed}" if tensors else "no weights"


def _embedding(cls: str, named: dict[str, Shape], shapes: list[Shape], pytorch: bool) -> tuple[str, int] | None:
    if len(shapes) != 1 or len(shapes[0]) != 2:
        return None
    if "emb" in cls or "embeddings" in named:
        vocab, dim = shapes[0]
        return f"Embedding {vocab:,} × {dim:,} (vocab × dim)", vocab * dim
    return None


_NORMS = {
    "batchnormalization": "BatchNormalization",
    "batchnorm": "BatchNorm",
    "batchnorm1d": "BatchNorm1d",
    "batchnorm2d": "BatchNorm2d",
    "layernormalization": "LayerNormalization",
    "layernorm": "LayerNorm",
}


def _norm(cls: str, named: dict[str, Shape], shapes: list[Shape], pytorch: bool) -> tuple[str, int] | None:
    """BatchNorm: scale, offset and two moving statistics per channel; LayerNorm: scale and offset."""
    vectors = [s for s in shapes if len(s) == 1]
    stats = [n for n in named if n in ("moving_mean", "moving_variance", "running_mean", "running_var")]
    label = _NORMS.get(cls) or ("BatchNorm" if stats else "LayerNorm" if cls in ("ln", "norm") else None)
    if label is None and {"gamma", "beta"} <= set(named) and len(shapes) == 2:
        label = "LayerNormalization"
    if label is None or not vectors or len({s[0] for s in vectors}) != 1:
        return None
    channels = vectors[0][0]
    scalars = [s for s in shapes if len(s) == 0]  # PyTorch's num_batches_tracked
    if len(vectors) + len(scalars) != len(shapes):
        return None
    count = len(vectors) * channels + len(scalars)
    batch = label.startswith("Batch")
    if batch and len(vectors) == 4:
        what = (
            "weight, bias trained; running_mean and running_var are buffers, not trained, but the state dict holds them"
            if pytorch
            else "γ, β trained; the moving mean and variance are statistics, not trained, but the file holds them"
        )
    elif batch and len(vectors) < 4:
        what = f"{len(vectors) - 2} trained + 2 moving statistics" if len(vectors) >= 2 else "statistics"
    else:
        what = "γ, β" if len(vectors) == 2 else "γ" if len(vectors) == 1 else f"{len(vectors)} vectors"
    tracked = " + 1" if scalars else ""
    what += "; + 1: num_batches_tracked, a step counter" if scalars else ""
    return f"{label} {len(vectors)} × {channels:,}{tracked} ({what})", count


def _dense_or_conv(cls: str, named: dict[str, Shape], shapes: list[Shape], pytorch: bool) -> tuple[str, int] | None:
    if "norm" in cls or "emb" in cls:
        return None
    kernel = next((named[k] for k in _KERNEL if k in named), None)
    bias = next((named[k] for k in _BIAS if k in named), None)
    if kernel is None and len(shapes) in (1, 2) and len(shapes[0]) >= 2:
        kernel, bias = shapes[0], shapes[1] if len(shapes) == 2 else None
    if kernel is None or len(shapes) != 1 + (bias is not None) or len(kernel) < 2:
        return None
    if bias is not None and len(bias) != 1:
        return None
    if pytorch:  # nn.Linear (out, in); nn.ConvNd (c_out, c_in/groups, k...)
        c_out, c_in, window = kernel[0], kernel[1], kernel[2:]
    else:  # Keras Dense (in, out); ConvND (k..., c_in, c_out)
        c_in, c_out, window = kernel[-2], kernel[-1], kernel[:-2]
    if bias is not None and bias[0] != c_out:
        return None
    plus = f" + {c_out:,}" if bias is not None else ""
    count = math.prod(kernel) + (c_out if bias is not None else 0)
    if not window:
        label = "Linear" if pytorch else "Dense"
        form = "in × out + out" if bias is not None else "in × out, no bias"
        if pytorch and bias is None and "linear" not in cls:
            # One (rows, cols) weight is an nn.Embedding(rows, cols) too: a state dict names no class.
            form += f"; or an Embedding {c_out:,} × {c_in:,}, the same count: a state dict names no class"
        return f"{label} {c_in:,} × {c_out:,}{plus} ({form})", count
    d = len(window)
    label = f"Conv{d}{'d' if pytorch else 'D'}"
    if len(set(window)) == 1 and d > 1:
        size = f"{window[0]}{str(d).translate(_SUPERSCRIPT)}"
    else:
        size = "×".join(str(k) for k in window)
    form = "k^d·c_in·c_out" + (" + c_out" if bias is not None else ", no bias")
    return f"{label} {size}·{c_in:,}·{c_out:,}{plus} ({form})", count
