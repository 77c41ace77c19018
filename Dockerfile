# One image for both entry points: `cloudops-operator` and `cloudops-shim` (see deploy/).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cloudops ./cloudops
COPY cloudops_operator ./cloudops_operator
COPY api_shim ./api_shim
COPY devcluster ./devcluster
RUN pip install --no-cache-dir . && useradd --uid 10001 cloudops
USER 10001
