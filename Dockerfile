# lstmviz as a self-contained demo: no network needed at run time.
FROM python:3.11-slim

# Exact versions (requirements.lock, written by tools/lock.py from a tested environment), not ranges.
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir --no-deps -r requirements.lock && pip check
COPY .streamlit .streamlit
COPY app.py .
COPY lstmviz lstmviz

# The server runs as an unprivileged user; the code stays root-owned, so it cannot rewrite itself.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin lstmviz
USER lstmviz

EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health').read() != b'ok')"
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0", "--server.headless=true", \
     "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
