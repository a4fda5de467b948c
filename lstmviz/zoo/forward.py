"""A NumPy forward pass for every zoo class, step by step from a zero state, as its framework computes it.

Checked against the frameworks' own outputs (tests/data/golden_zoo_forward.npz) to 1e-5. Each class
contributes only how its tensors make the gates' pre-activations (`_PRE`); the LSTM, GRU, MGU and
RNN updates are written once. Convolutions are stride 1 with "same" padding (Flax's default;
lstmviz asks Keras for padding="same").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from lstmviz.zoo import ZooCount

Array = np.ndarray
Weights = dict[str, Array]


@dataclass(frozen=True)
class ZooRun:
    """Outputs of a run: h_t (or the projection) per step, the final cell state, each gate per step."""

    outputs: Array  # (T, B, ...)
    final_c: Array | None
    gates: dict[str, Array]  # symbol -> (T, B, ...) after its activation


def _sigmoid(z: Array) -> Array:
    result: Array = 1.0 / (1.0 + np.exp(-z))
    return result


def conv_same(x: Array, kernel: Array) -> Array:
    """Stride-1 'same' cross-correlation: (B, *S, cin) with (*K, cin, cout) -> (B, *S, cout)."""
    sides = kernel.shape[:-2]
    pads = [(0, 0)] + [((k - 1) // 2, k - 1 - (k - 1) // 2) for k in sides] + [(0, 0)]
    padded = np.pad(x, pads)
    out = np.zeros((*x.shape[:-1], kernel.shape[-1]), dtype=np.float64)
    size = x.shape[1:-1]
    for offset in np.ndindex(*sides):
        window = padded[(slice(None), *(slice(o, o + s) for o, s in zip(offset, size, strict=True)))]
        out += window @ kernel[offset]
    return out


def _split(z: Array, symbols: str) -> dict[str, Array]:
    """Gate blocks stacked along the last axis, in the framework's order."""
    return dict(zip(symbols, np.split(z, len(symbols), axis=-1), strict=True))


Pre = Callable[[ZooCount, Weights, Array, Array], dict[str, Array]]


def _dense(w: Weights, name: str, v: Array) -> Array:
    """v @ kernel (+ bias if the tensor exists): a Flax Dense / nnx Linear."""
    out = v @ w[f"{name}/kernel"]
    return out + w[f"{name}/bias"] if f"{name}/bias" in w else out


def _pre_keras_conv(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    z = conv_same(x, w["kernel"]) + conv_same(h, w["recurrent_kernel"])  # (B, *S, 4h)
    return _split(z + w["bias"] if "bias" in w else z, "ifco")


def _pre_keras_cell(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    bias = w.get("bias", np.zeros(c.options.units * len(c.record.gates)))
    b_in, b_rec = (bias[0], bias[1]) if bias.ndim == 2 else (bias, 0.0 * bias)
    xi, hh = x @ w["kernel"] + b_in, h @ w["recurrent_kernel"] + b_rec  # (B, x)@(x, G·h) -> (B, G·h)
    if c.record.cell == "gru":  # reset after: h̃ = tanh(x W_h + b_h + r * (h U_h + b'_h))
        xs, hs = _split(xi, "zrh"), _split(hh, "zrh")
        return {"z": xs["z"], "r": xs["r"], "n": xs["h"], "hz": hs["z"], "hr": hs["r"], "hn": hs["h"]}
    return _split(xi + hh, "".join(g.symbol for g in c.record.gates))


def _pre_torch(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    symbols = "".join(g.symbol for g in c.record.gates)
    xi = x @ w["weight_ih"].T + (w["bias_ih"] if "bias_ih" in w else 0.0)  # (B, x)@(x, G·h) -> (B, G·h)
    hh = h @ w["weight_hh"].T + (w["bias_hh"] if "bias_hh" in w else 0.0)
    if c.record.cell == "gru":  # n = tanh(x W_in + b_in + r * (h W_hn + b_hn))
        return {
            **_split(xi, "rzn"),
            "hn": _split(hh, "rzn")["n"],
            "hr": _split(hh, "rzn")["r"],
            "hz": _split(hh, "rzn")["z"],
        }
    return _split(xi + hh, symbols)


def _pre_linen_lstm(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    return {g: x @ w[f"i{g}/kernel"] + _dense(w, f"h{g}", h) for g in "ifgo"}


def _pre_nnx_lstm(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    return {g: x @ w[f"{'if_' if g == 'f' else 'i' + g}/kernel"] + _dense(w, f"h{g}", h) for g in "ifgo"}


def _pre_nnx_fused(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    symbols = "".join(g.symbol for g in c.record.gates)
    xi, hh = _dense(w, "dense_i", x), _dense(w, "dense_h", h)
    if c.record.cell == "gru":  # n = tanh(x_n + r * h_n), h_n without bias
        hs = _split(hh, symbols)
        return {**_split(xi, symbols), "hr": hs["r"], "hz": hs["z"], "hn": hs["n"]}
    return _split(xi + hh, symbols)


def _pre_linen_gru(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    pre = {g: _dense(w, f"i{g}", x) for g in "rzn"}
    return {**pre, "hr": h @ w["hr/kernel"], "hz": h @ w["hz/kernel"], "hn": _dense(w, "hn", h)}


def _pre_linen_simple(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    return {"h": _dense(w, "i", x) + h @ w["h/kernel"]}


def _pre_linen_mgu(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    return {"f": _dense(w, "if", x) + h @ w["hf/kernel"], "n": _dense(w, "in", x), "hn": _dense(w, "hn", h)}


def _pre_linen_conv(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    z = conv_same(x, w["ih/kernel"]) + conv_same(h, w["hh/kernel"])
    if "ih/bias" in w:
        z = z + w["ih/bias"] + w["hh/bias"]
    pre = _split(z, "igfo")
    pre["f"] = pre["f"] + 1.0  # Flax adds 1 to the forget gate at run time
    return pre


def _tf1_prefix(c: ZooCount) -> str:
    return c.tensors[0].name.rsplit("/", 1)[0] + "/"


def _pre_tf1_lstm(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    s = _tf1_prefix(c)
    pre = _split(np.concatenate([x, h], axis=-1) @ w[f"{s}kernel:0"] + w[f"{s}bias:0"], "ijfo")
    pre["f"] = pre["f"] + 1.0  # forget_bias=1.0, added at run time
    return pre


def _pre_tf1_rnn(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    s = _tf1_prefix(c)
    return {"h": np.concatenate([x, h], axis=-1) @ w[f"{s}kernel:0"] + w[f"{s}bias:0"]}


def _cudnn_blocks(count: ZooCount, w: Weights) -> tuple[Array, Array, Array, Array]:
    """CuDNN weights in Keras's layout: each gate's cuDNN block un-transposed, as tf-keras's loader does."""
    prefix = count.tensors[0].name.rsplit("/", 1)[0]
    gates = len(count.record.gates)
    kernel = np.hstack([b.T.reshape(b.shape, order="F") for b in np.hsplit(w[f"{prefix}/kernel:0"], gates)])
    recurrent = np.hstack([b.T for b in np.hsplit(w[f"{prefix}/recurrent_kernel:0"], gates)])
    input_bias, recurrent_bias = np.split(w[f"{prefix}/bias:0"], 2)
    return kernel, recurrent, input_bias, recurrent_bias


def _pre_cudnn(c: ZooCount, w: Weights, x: Array, h: Array) -> dict[str, Array]:
    kernel, recurrent, input_bias, recurrent_bias = _cudnn_blocks(c, w)
    xi, hh = x @ kernel + input_bias, h @ recurrent + recurrent_bias  # (B, x)@(x, G·h) -> (B, G·h)
    if c.record.cell == "gru":  # reset after: h̃ = tanh(x W_h + b_h + r * (h U_h + b'_h))
        xs, hs = _split(xi, "zrh"), _split(hh, "zrh")
        return {"z": xs["z"], "r": xs["r"], "n": xs["h"], "hz": hs["z"], "hr": hs["r"], "hn": hs["h"]}
    return _split(xi + hh, "ifco")


_PRE: dict[str, Pre] = {
    "tf.compat.v1.keras.layers.CuDNNLSTM": _pre_cudnn,
    "tf.compat.v1.keras.layers.CuDNNGRU": _pre_cudnn,
    "keras.layers.ConvLSTM1D": _pre_keras_conv,
    "keras.layers.ConvLSTM2D": _pre_keras_conv,
    "keras.layers.ConvLSTM3D": _pre_keras_conv,
    "keras.layers.LSTMCell": _pre_keras_cell,
    "keras.layers.GRUCell": _pre_keras_cell,
    "keras.layers.SimpleRNNCell": _pre_keras_cell,
    "torch.nn.LSTMCell": _pre_torch,
    "torch.nn.GRUCell": _pre_torch,
    "torch.nn.RNNCell": _pre_torch,
    "flax.linen.LSTMCell": _pre_linen_lstm,
    "flax.linen.OptimizedLSTMCell": _pre_linen_lstm,
    "flax.linen.GRUCell": _pre_linen_gru,
    "flax.linen.SimpleCell": _pre_linen_simple,
    "flax.linen.MGUCell": _pre_linen_mgu,
    "flax.linen.ConvLSTMCell": _pre_linen_conv,
    "flax.nnx.LSTMCell": _pre_nnx_lstm,
    "flax.nnx.OptimizedLSTMCell": _pre_nnx_fused,
    "flax.nnx.GRUCell": _pre_nnx_fused,
    "flax.nnx.SimpleCell": _pre_nnx_fused,
    "tf.compat.v1.nn.rnn_cell.LSTMCell": _pre_tf1_lstm,
    "tf.compat.v1.nn.rnn_cell.BasicLSTMCell": _pre_tf1_lstm,
    "tf.compat.v1.nn.rnn_cell.BasicRNNCell": _pre_tf1_rnn,
}


def _lstm_step(count: ZooCount, w: Weights, pre: dict[str, Array], c: Array) -> tuple[Array, Array, dict[str, Array]]:
    gates = {g.symbol: (_sigmoid if g.activation == "sigmoid" else np.tanh)(pre[g.symbol]) for g in count.record.gates}
    candidate = next(g.symbol for g in count.record.gates if g.activation == "tanh")
    i, f, o = pre["i"], pre["f"], pre["o"]
    if count.options.use_peepholes:  # TF1: the gates also see c (i, f the old one, o the new one)
        s = _tf1_prefix(count)
        gates["i"] = _sigmoid(i + w[f"{s}w_i_diag:0"] * c)
        gates["f"] = _sigmoid(f + w[f"{s}w_f_diag:0"] * c)
    new_c = gates["f"] * c + gates["i"] * gates[candidate]
    if count.options.use_peepholes:
        gates["o"] = _sigmoid(o + w[f"{_tf1_prefix(count)}w_o_diag:0"] * new_c)
    h = gates["o"] * np.tanh(new_c)
    return h, new_c, gates


def zoo_forward(count: ZooCount, weights: Weights, xs: Array) -> ZooRun:
    """Run the class over xs (T, B, ...) from a zero state."""
    path, o = count.record.class_path, count.options
    w = {k: np.asarray(v, dtype=np.float64) for k, v in weights.items()}
    xs = np.asarray(xs, dtype=np.float64)
    batch_space = xs.shape[1:-1]
    h = np.zeros((*batch_space, o.hidden_out))
    c = np.zeros((*batch_space, o.units))
    family = count.record.cell
    outputs, per_gate = [], {g.symbol: [] for g in count.record.gates}  # type: ignore[var-annotated]
    for x in xs:
        if path == "tf.compat.v1.nn.rnn_cell.GRUCell":
            h, gates = _tf1_gru_step(count, w, x, h)
        elif path == "keras.layers.GRUCell" and not o.reset_after:
            h, gates = _keras_gru_before_step(w, x, h)
        else:
            pre = _PRE[path](count, w, x, h)
            if family == "lstm":
                h, c, gates = _lstm_step(count, w, pre, c)
                if o.num_proj:
                    h = h @ w[f"{_tf1_prefix(count)}projection/kernel:0"]  # (B, h)@(h, p) -> (B, p)
            elif family == "gru":
                r, z = _sigmoid(pre["r"] + pre["hr"]), _sigmoid(pre["z"] + pre["hz"])
                n = np.tanh(pre["n"] + r * pre["hn"])
                h = (1.0 - z) * n + z * h
                reset, update, candidate = (_symbol(count, name) for name in ("reset", "update", "tanh"))
                gates = {reset: r, update: z, candidate: n}
            elif family == "mgu":
                f = _sigmoid(pre["f"])
                n = np.tanh(pre["n"] + (f * pre["hn"] if o.reset_gate else pre["hn"]))
                h = (1.0 - f) * n + f * h
                gates = {"f": f, "n": n}
            else:
                h = np.tanh(pre["h"])
                gates = {"h": h}
        outputs.append(h)
        for symbol, value in gates.items():
            per_gate[symbol].append(value)
    return ZooRun(
        np.stack(outputs), c if count.record.has_cell_state else None, {k: np.stack(v) for k, v in per_gate.items()}
    )


def _symbol(count: ZooCount, role: str) -> str:
    """The record's symbol of its reset or update gate, or of its tanh candidate."""
    return next(g.symbol for g in count.record.gates if role in (g.name, g.activation))


def _tf1_gru_step(count: ZooCount, w: Weights, x: Array, h: Array) -> tuple[Array, dict[str, Array]]:
    """TF1 GRUCell: r, u from one dense layer over [x, h]; the candidate over [x, r·h]; h' = u·h + (1 − u)·c."""
    s = _tf1_prefix(count).removesuffix("gates/")
    ru = _sigmoid(np.concatenate([x, h], axis=-1) @ w[f"{s}gates/kernel:0"] + w[f"{s}gates/bias:0"])
    r, u = np.split(ru, 2, axis=-1)
    cand = np.tanh(np.concatenate([x, r * h], axis=-1) @ w[f"{s}candidate/kernel:0"] + w[f"{s}candidate/bias:0"])
    return u * h + (1.0 - u) * cand, {"r": r, "u": u, "c": cand}


def _keras_gru_before_step(w: Weights, x: Array, h: Array) -> tuple[Array, dict[str, Array]]:
    """Keras GRUCell(reset_after=False): h̃ = tanh(x W_h + b_h + (r ⊙ h) U_h); h' = z·h + (1 − z)·h̃."""
    kernel, recurrent = w["kernel"], w["recurrent_kernel"]  # (x, 3h), (h, 3h): blocks z, r, h
    units = recurrent.shape[0]
    bias = w.get("bias", np.zeros(3 * units))
    xi = x @ kernel + bias  # (B, x)@(x, 3h) -> (B, 3h)
    z = _sigmoid(xi[..., :units] + h @ recurrent[:, :units])
    r = _sigmoid(xi[..., units : 2 * units] + h @ recurrent[:, units : 2 * units])
    cand = np.tanh(xi[..., 2 * units :] + (r * h) @ recurrent[:, 2 * units :])
    return z * h + (1.0 - z) * cand, {"z": z, "r": r, "h": cand}
