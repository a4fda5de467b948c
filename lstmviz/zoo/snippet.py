"""Runnable code that builds a zoo layer in its own framework and asserts lstmviz's count."""

from __future__ import annotations

from lstmviz.zoo import ZooCount


def _keras(c: ZooCount) -> str:
    return _keras_conv(c) if c.record.conv_dims else _keras_cell(c)


def _keras_cell(c: ZooCount) -> str:
    o = c.options
    options = "" if o.bias else ", use_bias=False"
    if c.record.has_option("reset_after") and not o.reset_after:
        options += ", reset_after=False"
    return (
        'import os\n\nos.environ.setdefault("KERAS_BACKEND", "torch")\nimport keras\n\n'
        f"cell = keras.layers.{c.record.class_name}({o.units}{options})\n"
        "# one step: keras.layers.RNN loops it over time\n"
        f"model = keras.Sequential([keras.Input((None, {o.features})), keras.layers.RNN(cell)])\n"
        "for w in cell.weights:\n    print(w.path, tuple(w.shape))\n"
        f"assert model.count_params() == {c.total}, model.count_params()\n"
    )


def _keras_conv(c: ZooCount) -> str:
    o, d = c.options, c.record.conv_dims
    spatial = ", ".join(["8"] * d)
    bias = "" if o.bias else ", use_bias=False"
    return (
        'import os\n\nos.environ.setdefault("KERAS_BACKEND", "torch")\nimport keras\n\n'
        f"layer = keras.layers.{c.record.class_name}(\n"
        f'    filters={o.units}, kernel_size={o.kernel_size}, padding="same"{bias}\n)\n'
        f"# input: (batch, time, {'spatial ' * d}channels); the count does not depend on time or space\n"
        f"model = keras.Sequential([keras.Input((None, {spatial}, {o.features})), layer])\n"
        f"assert model.count_params() == {c.total}, model.count_params()\n"
    )


def _torch(c: ZooCount) -> str:
    o = c.options
    bias = "" if o.bias else ", bias=False"
    return (
        "import torch\n\n"
        f"cell = torch.nn.{c.record.class_name}({o.features}, {o.units}{bias})\n"
        "for name, p in cell.named_parameters():\n    print(name, tuple(p.shape))\n"
        f"assert sum(p.numel() for p in cell.parameters()) == {c.total}\n"
    )


def _linen(c: ZooCount) -> str:
    o, r = c.options, c.record
    if r.conv_dims:
        args = f"features={o.units}, kernel_size={o.kernel_size}" + ("" if o.bias else ", use_bias=False")
        shape = f"(1, {', '.join(['8'] * len(o.kernel_size))}, {o.features})"
    else:
        args = f"features={o.units}" + ("" if o.reset_gate else ", reset_gate=False")
        shape = f"(1, {o.features})"
    return (
        "import jax\nimport jax.numpy as jnp\nfrom flax import linen as nn\n\n"
        f"cell = nn.{r.class_name}({args})\n"
        f"x = jnp.zeros({shape})\n"
        "carry = cell.initialize_carry(jax.random.PRNGKey(0), x.shape)\n"
        'params = cell.init(jax.random.PRNGKey(0), carry, x)["params"]\n'
        "print(jax.tree_util.tree_map(jnp.shape, params))\n"
        f"assert sum(p.size for p in jax.tree_util.tree_leaves(params)) == {c.total}\n"
    )


def _nnx(c: ZooCount) -> str:
    o = c.options
    return (
        "import jax\nfrom flax import nnx\n\n"
        f"cell = nnx.{c.record.class_name}({o.features}, {o.units}, rngs=nnx.Rngs(0))\n"
        "params = nnx.state(cell, nnx.Param)\n"
        "print(jax.tree_util.tree_map(lambda p: p.shape, params))\n"
        f"assert sum(p.size for p in jax.tree_util.tree_leaves(params)) == {c.total}\n"
    )


def _tf1(c: ZooCount) -> str:
    o = c.options
    extra = ("" if not o.use_peepholes else ", use_peepholes=True") + (f", num_proj={o.num_proj}" if o.num_proj else "")
    return (
        'import os\n\nos.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.nn.rnn_cell lives in tf-keras\n'
        "import tensorflow as tf\n\ntf1 = tf.compat.v1\n"
        "with tf.Graph().as_default():\n"
        f"    cell = tf1.nn.rnn_cell.{c.record.class_name}({o.units}{extra})\n"
        f"    x = tf1.placeholder(tf.float32, [1, 5, {o.features}])  # (batch, time, features)\n"
        "    tf1.nn.dynamic_rnn(cell, x, dtype=tf.float32)  # creates the variables\n"
        "    for v in tf1.trainable_variables():\n        print(v.name, v.shape.as_list())\n"
        f"    assert sum(v.shape.num_elements() for v in tf1.trainable_variables()) == {c.total}\n"
    )


def _cudnn(c: ZooCount) -> str:
    o = c.options
    return (
        'import os\n\nos.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.keras is tf-keras\n'
        "import tensorflow as tf\n\nkeras1 = tf.compat.v1.keras\n"
        f"layer = keras1.layers.{c.record.class_name}({o.units})  # builds on a CPU; runs on a GPU only\n"
        f"model = keras1.Sequential([keras1.layers.InputLayer(input_shape=(None, {o.features})), layer])\n"
        f"assert model.count_params() == {c.total}, model.count_params()\n"
    )


_BY_GROUP = {
    "Keras 3": _keras,
    "PyTorch": _torch,
    "Flax linen": _linen,
    "Flax nnx": _nnx,
    "TensorFlow 1": _tf1,
    "tf-keras CuDNN": _cudnn,
}


def zoo_code(count: ZooCount) -> str:
    """Python that builds the layer in its framework, prints its tensors and asserts the count."""
    header = f"# {count.record.class_path}: {count.total:,} parameters, {count.substituted}\n"
    return header + _BY_GROUP[count.record.framework.label](count)
