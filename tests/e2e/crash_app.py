"""A page that always fails, to check what a visitor sees under the project's .streamlit/config.toml."""

raise RuntimeError("internal detail /srv/secret/path that no visitor may read")
