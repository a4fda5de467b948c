"""The zoo's page pieces, without Streamlit: tables add up, figures draw what the record says."""

from __future__ import annotations

import numpy as np
import pytest

from lstmviz.figures.zoo import zoo_cell_figure, zoo_cell_key, zoo_gate_bars, zoo_heatmap, zoo_run_figure
from lstmviz.zoo import RECORDS, Convention, ZooOptions, find_zoo, zoo_count
from lstmviz.zoo.forward import zoo_forward
from lstmviz.zoo.tables import (
    default_options,
    differences,
    gate_shares,
    other_conventions_rows,
    seeded_weights,
    sine_inputs,
    tensor_rows,
)

PATHS = [r.class_path for r in RECORDS]


def record(path: str) -> Convention:
    found = find_zoo(path)
    assert found is not None
    return found


@pytest.mark.parametrize("path", PATHS)
def test_gate_shares_and_bars_add_up_to_the_total(path: str) -> None:
    count = zoo_count(record(path), default_options(record(path), 5, 4))
    assert sum(s.params for s in gate_shares(count)) == count.total
    bars = zoo_gate_bars(count)
    assert sum(sum(trace.x) for trace in bars.data) == count.total
    assert [r["tensor"] for r in tensor_rows(count)] == [t.name for t in count.tensors]


@pytest.mark.parametrize("path", PATHS)
def test_heatmap_has_one_panel_per_tensor_and_the_run_draws(path: str) -> None:
    count = zoo_count(record(path), default_options(record(path), 3, 2))
    weights = seeded_weights(count)
    assert {k: v.shape for k, v in weights.items()} == {t.name: t.shape for t in count.tensors}
    figure = zoo_heatmap(count, weights)
    assert len(figure.data) == len(count.tensors)
    if record(path).conv_dims:
        assert all("taps" in a.text for a in figure.layout.annotations if "kernel" in a.text)
    run = zoo_forward(count, weights, sine_inputs(count, 5))
    assert np.isfinite(run.outputs).all()
    assert len(zoo_run_figure(count, run).data) == len(run.gates) + 1


def test_the_cell_draws_peepholes_and_the_projection() -> None:
    tf1 = record("tf.compat.v1.nn.rnn_cell.LSTMCell")
    plain = zoo_cell_figure(zoo_count(tf1, ZooOptions(3, 4)))
    both = zoo_cell_figure(zoo_count(tf1, ZooOptions(3, 4, use_peepholes=True, num_proj=2)))
    dotted = [s for s in both.layout.shapes if s.line.dash == "dot"]
    assert len(dotted) == 3 and not [s for s in plain.layout.shapes if s.line.dash == "dot"]
    assert any("proj" in a.text for a in both.layout.annotations)
    assert not any("proj" in a.text for a in plain.layout.annotations)
    key = zoo_cell_key(zoo_count(tf1, ZooOptions(3, 4, use_peepholes=True, num_proj=2)))
    assert "peepholes" in key and "projection kernel (4, 2)" in key
    conv = zoo_cell_figure(zoo_count(record("keras.layers.ConvLSTM2D"), ZooOptions(2, 3, (3, 3))))
    assert "conv 3×3" in conv.layout.title.text


def test_differences_name_the_counts_and_flax_conv_second_bias() -> None:
    count = zoo_count(record("flax.linen.ConvLSTMCell"), ZooOptions(2, 3, (3, 3)))
    sentences = differences(count)
    assert sentences[0].startswith("flax.linen.ConvLSTMCell has 564 parameters")
    assert any("keras.layers.ConvLSTM2D with the same kernel has 552: 12 fewer" in s for s in sentences)


def test_other_conventions_lists_every_class_with_its_count() -> None:
    rows = other_conventions_rows(3, 2)
    assert [r["class"] for r in rows] == PATHS
    assert all(
        r["parameters"] == zoo_count(record(r["class"]), default_options(record(r["class"]), 3, 2)).total for r in rows
    )
