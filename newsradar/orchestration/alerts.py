"""Spike alerts: one notification per topic and day, sent through an Airflow notifier.

``WebhookNotifier`` is a ``BaseNotifier`` that POSTs a JSON document to a webhook URL taken from an
Airflow connection (``newsradar_alerts`` by default: ``http``/``https`` connection whose host is the
full URL, or whose ``host``/``port``/``schema`` build it) or from ``NEWSRADAR_ALERT_WEBHOOK``.
E-mail goes through the SMTP provider's ``SmtpNotifier`` (``email_notifier``): an Airflow SMTP
connection (``newsradar_alerts_smtp`` by default) and the recipients in ``NEWSRADAR_ALERT_EMAIL_TO``.

Deduplication uses an ``AlertLedger`` in the data directory: before sending, the task claims the key
(topic, day) by creating ``alerts/sent/<topic>/<day>.json`` exclusively (``O_EXCL``, atomic on a local
or shared volume). A re-run of the same day finds the claim and sends nothing; a failed send releases
the claim so the retry sends it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from airflow.sdk import BaseNotifier

log = logging.getLogger(__name__)

_KEY_RE = re.compile(r"^[A-Za-z0-9_.-]+$")


class AlertError(RuntimeError):
    """The alert could not be delivered (no target configured, or the endpoint refused it)."""


@dataclass(frozen=True)
class SpikeAlert:
    topic_id: str
    label: str
    day: str
    spike_score: float
    spike_threshold: float
    matching_articles: int
    total_articles: int
    share: float

    def text(self) -> str:
        return (
            f"newsradar: spike in '{self.label}' on {self.day}: {self.matching_articles} of "
            f"{self.total_articles} articles ({self.share:.1%}), spike score {self.spike_score:.1f} "
            f">= threshold {self.spike_threshold:g}"
        )


def resolve_webhook_url(conn_id: str) -> str:
    """The webhook URL: ``NEWSRADAR_ALERT_WEBHOOK`` if set, else the Airflow connection ``conn_id``."""
    url = os.environ.get("NEWSRADAR_ALERT_WEBHOOK", "").strip()
    if url:
        return url
    from airflow.sdk import Connection

    try:
        conn = Connection.get(conn_id)
    except Exception as exc:  # the SDK raises its own not-found error types
        raise AlertError(
            f"no alert target: set NEWSRADAR_ALERT_WEBHOOK or create the Airflow connection {conn_id!r} ({exc})"
        ) from None
    host = conn.host or ""
    if host.startswith(("http://", "https://")):
        return host
    scheme = conn.conn_type if conn.conn_type in ("http", "https") else "https"
    port = f":{conn.port}" if conn.port else ""
    path = "/" + conn.schema.lstrip("/") if conn.schema else ""
    if not host:
        raise AlertError(f"Airflow connection {conn_id!r} has no host (put the webhook URL in Host)")
    return f"{scheme}://{host}{port}{path}"


class WebhookNotifier(BaseNotifier):
    """POST ``{"text": message, "alert": payload}`` to a webhook (Slack/Mattermost-compatible ``text``).

    ``message`` is a Jinja template rendered with the task context. Usable as a callback
    (``on_failure_callback=WebhookNotifier(message=...)``) or called directly with a context.
    """

    template_fields = ("message",)

    def __init__(
        self,
        *,
        message: str,
        payload: dict | None = None,
        url: str | None = None,
        conn_id: str = "newsradar_alerts",
        timeout: float = 10.0,
    ):
        super().__init__()
        self.message = message
        self.payload = payload or {}
        self.url = url
        self.conn_id = conn_id
        self.timeout = timeout

    def notify(self, context) -> None:
        url = self.url or resolve_webhook_url(self.conn_id)
        body = json.dumps({"text": self.message, "alert": self.payload}).encode()
        req = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": "newsradar-alerts/1"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                status = resp.status
        except urllib.error.HTTPError as exc:
            raise AlertError(f"webhook {url} answered HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise AlertError(f"webhook {url} unreachable: {getattr(exc, 'reason', exc)}") from None
        if not 200 <= status < 300:
            raise AlertError(f"webhook {url} answered HTTP {status}")
        self.log.info("alert sent to %s: %s", url, self.message)


class AlertLedger:
    """Which (topic, day) alerts have been sent: one small file per alert under ``root``."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, topic_id: str, day: str) -> Path:
        for part in (topic_id, day):
            if not _KEY_RE.match(part):
                raise ValueError(f"alert key part {part!r} is not a safe file name")
        return self.root / topic_id / f"{day}.json"

    def claim(self, topic_id: str, day: str, record: dict) -> bool:
        """Atomically mark (topic, day) as sent. False if it was already claimed."""
        path = self._path(topic_id, day)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        return True

    def release(self, topic_id: str, day: str) -> None:
        self._path(topic_id, day).unlink(missing_ok=True)

    def sent(self, topic_id: str, day: str) -> bool:
        return self._path(topic_id, day).exists()


def find_spikes(con, days: Iterable[date | str]) -> list[SpikeAlert]:
    """Topics whose all-sources spike flag is set on one of ``days`` (``topic_daily_all.is_spike``)."""
    day_list = sorted({str(d) for d in days})
    if not day_list:
        return []
    rows = con.execute(
        """
        select t.topic_id, coalesce(tp.label, t.topic_id), cast(t.day as varchar), t.spike_score,
               coalesce(tp.spike_threshold, 3.0), t.matching_articles, t.total_articles, t.share
        from topic_daily_all t
        left join topics tp using (topic_id)
        where t.is_spike and cast(t.day as varchar) in (select unnest(?::varchar[]))
        order by t.day, t.topic_id
        """,
        [day_list],
    ).fetchall()
    return [
        SpikeAlert(
            topic_id=r[0],
            label=r[1],
            day=r[2],
            spike_score=float(r[3] or 0.0),
            spike_threshold=float(r[4]),
            matching_articles=int(r[5] or 0),
            total_articles=int(r[6] or 0),
            share=float(r[7] or 0.0),
        )
        for r in rows
    ]


def email_notifier(
    alert: SpikeAlert, to: list[str], *, conn_id: str = "newsradar_alerts_smtp", from_email: str | None = None
):
    """An SMTP provider ``SmtpNotifier`` for one alert (HTML with the analyst-written label escaped).
    ``from_email`` defaults to the connection's ``from_email`` extra."""
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    rows = "".join(
        f"<tr><th align='left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
        for k, v in asdict(alert).items()
    )
    return SmtpNotifier(
        to=to,
        from_email=from_email,
        subject=f"newsradar: spike in '{alert.label}' on {alert.day}",
        html_content=f"<p>{html.escape(alert.text())}</p><table>{rows}</table>",
        smtp_conn_id=conn_id,
    )


def send_spike_alerts(
    alerts: list[SpikeAlert],
    ledger: AlertLedger,
    context: dict,
    *,
    url: str | None = None,
    conn_id: str = "newsradar_alerts",
    notifier_for=None,
) -> dict:
    """Send each alert not yet in the ledger, through the webhook (``url`` / ``conn_id``) or the
    notifier ``notifier_for(alert)`` returns. Returns counts; raises ``AlertError`` if any send failed
    (after trying all of them), so the task retries only what is still unsent."""
    sent, skipped, failed = [], [], []
    for alert in alerts:
        record = {
            **asdict(alert),
            "claimed_at": datetime.now(UTC).isoformat(),
            "run_id": str(context.get("run_id", "")),
        }
        if not ledger.claim(alert.topic_id, alert.day, record):
            skipped.append(alert.topic_id + "/" + alert.day)
            continue
        if notifier_for is not None:
            notifier = notifier_for(alert)
        else:
            notifier = WebhookNotifier(message=alert.text(), payload=asdict(alert), url=url, conn_id=conn_id)
        try:
            # notify() directly: the message holds analyst-written labels, which must not be
            # rendered as Jinja templates.
            notifier.notify(context)
        except Exception as exc:
            ledger.release(alert.topic_id, alert.day)
            log.error("alert %s/%s not sent: %s", alert.topic_id, alert.day, exc)
            failed.append(f"{alert.topic_id}/{alert.day}: {exc}")
            continue
        sent.append(alert.topic_id + "/" + alert.day)
    result = {"sent": sent, "already_sent": skipped, "failed": failed}
    if failed:
        raise AlertError(f"{len(failed)} of {len(alerts)} alert(s) failed: " + "; ".join(failed))
    return result
