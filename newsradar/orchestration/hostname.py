"""``[core] hostname_callable`` for Airflow: tells workers on one host apart.

Set ``AIRFLOW__CORE__HOSTNAME_CALLABLE=newsradar.orchestration.hostname.worker_hostname`` (a dotted
path: ``module.function``; ``module:function`` crashes the scheduler) and give each worker
``NEWSRADAR_WORKER_NAME``; ``task_instance.hostname`` then names the worker that ran a task.
"""

from __future__ import annotations

import os
import socket


def worker_hostname() -> str:
    """``NEWSRADAR_WORKER_NAME`` when set (``w1@host``), else the machine's fully qualified name."""
    name = os.environ.get("NEWSRADAR_WORKER_NAME", "").strip()
    if name:
        return name
    return socket.getfqdn()
