"""The floor for bench_app.py: a bare Streamlit app with one slider and one small Plotly chart."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

n = st.slider("Points", 1, 1000, 40, key="points")
st.plotly_chart(go.Figure(go.Scatter(x=list(range(n % 50 + 2)), y=[i * i for i in range(n % 50 + 2)])), key="chart")
