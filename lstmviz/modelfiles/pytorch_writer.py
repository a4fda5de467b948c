"""Write converted layers as one PyTorch state dict in `.safetensors`, and the code that loads it.

Keys are `<layer name>.<parameter name>` (e.g. `lstm.weight_ih_l0`,
`bidirectional.weight_hh_l0_reverse`), so each layer's part loads with
`load_state_dict(..., strict=True)` into the nn.LSTM / nn.GRU / nn.RNN the code builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import save

from lstmviz.conventions import PYTORCH, class_name
from lstmviz.spec import RecurrentSpec, convention_of


def module_name(name: str) -> str:
    """The key prefix for a layer: its name with dots (which would nest in a state dict) made underscores."""
    cleaned = re.sub(r"[^0-9A-Za-z_]", "_", name.replace(".", "_"))
    return cleaned or "rnn"


def state_dict_bytes(modules: Sequence[tuple[str, RecurrentSpec, Mapping[str, NDArray[np.generic]]]]) -> bytes:
    """The .safetensors bytes of every (name, PyTorch spec, weights keyed by parameter name) module."""
    tensors: dict[str, NDArray[np.float32]] = {}
    for name, spec, weights in modules:
        if convention_of(spec).framework is not PYTORCH:
            raise ValueError(f"{name}: a state dict holds PyTorch layers, not {spec.framework} ones")
        prefix = module_name(name)
        for key, value in weights.items():
            full = f"{prefix}.{key}"
            if full in tensors:
                raise ValueError(f"two layers would both write {full!r}; rename one of them")
            tensors[full] = np.ascontiguousarray(value, dtype=np.float32)
    return save(tensors, metadata={"format": "pt", "written_by": "lstmviz convert"})


def _constructor(spec: RecurrentSpec) -> str:
    args = [str(spec.features), str(spec.units)]
    if spec.layers != 1:
        args.append(f"num_layers={spec.layers}")
    if not spec.bias:
        args.append("bias=False")
    if spec.bidirectional:
        args.append("bidirectional=True")
    args.append("batch_first=True")
    return f"nn.{class_name('pytorch', spec.cell)}({', '.join(args)})"


def pytorch_code(modules: Sequence[tuple[str, RecurrentSpec]], filename: str) -> str:
    """Python that builds each module, loads its part of `filename` strictly and runs it once."""
    entries = "\n".join(f"    {module_name(name)!r}: {_constructor(spec)}," for name, spec in modules)
    name, first = module_name(modules[0][0]), modules[0][1]
    return (
        "import torch\n"
        "from safetensors.torch import load_file\n"
        "from torch import nn\n\n"
        f"state = load_file({filename!r})\n"
        "modules = {\n"
        f"{entries}\n"
        "}\n"
        "for name, module in modules.items():\n"
        '    part = {k.removeprefix(name + "."): v for k, v in state.items() if k.startswith(name + ".")}\n'
        "    module.load_state_dict(part, strict=True)\n\n"
        "# Each module maps (batch, T, features) to every timestep's output, as the Keras layer does\n"
        "# with return_sequences=True (with False, Keras keeps the last step of a forward layer):\n"
        f"outputs, _ = modules[{name!r}](torch.randn(2, 40, {first.features}))\n"
    )
