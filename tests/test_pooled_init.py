"""The max-size heatmap's stand-in for an orthogonal kernel: its pooled means match the real ones' distribution."""

from __future__ import annotations

import numpy as np
import pytest

import lstmviz
from lstmviz.figures.heatmap import heatmap_data, pool_factors, weight_heatmap
from lstmviz.spec import RecurrentSpec
from lstmviz.weights import init_layer, means_only


def standardised_means(spec: RecurrentSpec, seed: int, stand_in: bool) -> np.ndarray:
    """The recurrent kernel's pooled cells, each divided by its predicted spread sqrt(1 / (n · max(r, c)))."""
    layer = lstmviz.breakdown(spec).layers[0]
    pooling = pool_factors(layer)
    values = init_layer(layer, seed, pooling if stand_in else None)
    data = heatmap_data(layer, {t.key: values[t.name] for t in layer.tensors})
    rows, cols = layer.tensors[1].shape
    out = []
    for block in data.blocks:
        if block.tensor.role != "recurrent":
            continue
        # Bucket sizes: along the stack to the tensor's end, along the gate to the gate block's end.
        h, start = layer.units, block.gate_index * layer.units
        if layer.gates_in_columns:
            row_n, col_n = np.diff(np.append(block.rows, rows)), np.diff(np.append(block.cols, start + h))
        else:
            row_n, col_n = np.diff(np.append(block.rows, start + h)), np.diff(np.append(block.cols, cols))
        out.append((block.values * np.sqrt(np.outer(row_n, col_n) * max(rows, cols))).ravel())
    return np.concatenate(out)


# 257 units: a 4h of 1028 pools by 3 along the gates, and 257 = 3 · 85 + 2 leaves a ragged last bucket.
@pytest.mark.parametrize("spec", [RecurrentSpec(units=257), RecurrentSpec(cell="gru", features=300, units=200)])
def test_stand_in_pooled_means_follow_the_real_orthogonal_distribution(spec: RecurrentSpec) -> None:
    real = np.concatenate([standardised_means(spec, seed, stand_in=False) for seed in range(3)])
    stand_in = np.concatenate([standardised_means(spec, seed, stand_in=True) for seed in range(3)])
    for values in (real, stand_in):
        assert abs(values.mean()) < 0.05
        assert 0.95 < values.std() < 1.05
    quantiles = (0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99)
    assert np.allclose(np.quantile(real, quantiles), np.quantile(stand_in, quantiles), atol=0.08)


def test_only_a_pooled_keras_orthogonal_kernel_is_a_stand_in_and_the_figure_says_so() -> None:
    big, small = (lstmviz.breakdown(RecurrentSpec(units=u)).layers[0] for u in (1000, 8))
    assert means_only(big, pool_factors(big)) == ("recurrent_kernel",)
    assert means_only(small, pool_factors(small)) == ()
    torch = lstmviz.breakdown(RecurrentSpec(framework="pytorch", units=1000)).layers[0]
    assert means_only(torch, pool_factors(torch)) == ()
    from lstmviz.ui import cached

    title = weight_heatmap(cached.heatmap_blocks(big, 0)).layout.title.text
    assert "recurrent_kernel: each cell drawn from the distribution of an orthogonal matrix's pooled mean" in title
    assert "orthogonal" not in weight_heatmap(cached.heatmap_blocks(small, 0)).layout.title.text
