# newsradar: one image for every service (Airflow api-server, scheduler, dag-processor, triggerer,
# Celery workers, the dashboard). Built from uv.lock, so the image has exactly the tested versions.
FROM python:3.11-slim-bookworm

ARG UV_VERSION=0.13.9
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/newsradar/.venv \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/newsradar/.venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/newsradar/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=false \
    NEWSRADAR_DATA_DIR=/data \
    NEWSRADAR_SOURCES=/opt/newsradar/sources.yaml

RUN apt-get update \
    && apt-get install -y --no-install-recommends tini ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir "uv==${UV_VERSION}" \
    && groupadd --gid 50000 newsradar \
    && useradd --uid 50000 --gid 50000 --create-home --home-dir /home/newsradar newsradar

WORKDIR /opt/newsradar

# Dependencies first (cached layer), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra airflow --extra dashboard --no-install-project
COPY newsradar ./newsradar
COPY spiders ./spiders
COPY warehouse ./warehouse
COPY dags ./dags
COPY dashboard ./dashboard
COPY sources.yaml ./sources.yaml
RUN uv sync --frozen --no-dev --extra airflow --extra dashboard \
    && mkdir -p /data /opt/airflow \
    && chown -R newsradar:newsradar /data /opt/airflow /opt/newsradar/warehouse

USER newsradar
VOLUME ["/data"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["newsradar", "--help"]
