"""The floor for the benchmarks: a bare Streamlit app with one slider, one metric and one 8×5 Plotly heatmap."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

n = st.slider("Points", 1, 1000, 40, key="points")
st.metric("Points", n)
st.plotly_chart(go.Figure(go.Heatmap(z=[[(n * (r + 1) + c) % 17 for c in range(5)] for r in range(8)])), key="chart")
