"""Spike alerts: webhook notifier against a local HTTP server, one alert per topic and day."""

from __future__ import annotations

import json
import os
import socketserver
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import duckdb
import pytest

os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="newsradar-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")

from newsradar.orchestration.alerts import (  # noqa: E402
    AlertError,
    AlertLedger,
    SpikeAlert,
    WebhookNotifier,
    find_spikes,
    send_spike_alerts,
)


class _Served:
    """A socketserver ``self.server`` served from a thread while the ``with`` block runs."""

    server: socketserver.BaseServer

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _Hook(_Served):
    def __init__(self, fail_first: int = 0):
        self.received: list[dict] = []
        self.fail_first = fail_first
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.fail_first > 0:
                    hook.fail_first -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                hook.received.append(json.loads(body))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"


def _warehouse(path) -> None:
    con = duckdb.connect(str(path))
    con.execute("""create table topics as select * from (values
        ('peace_talks', 'Ukraine peace talks', 4.0), ('elections', 'Elections', 3.0))
        t(topic_id, label, spike_threshold)""")
    con.execute("""create table topic_daily_all as select * from (values
        ('peace_talks', date '2026-03-10', 12, 100, 0.12, 5.5, true),
        ('peace_talks', date '2026-03-09', 1, 100, 0.01, 0.2, false),
        ('elections', date '2026-03-10', 2, 100, 0.02, 1.0, false),
        ('elections', date '2026-03-11', 9, 90, 0.1, 3.5, true))
        t(topic_id, day, matching_articles, total_articles, share, spike_score, is_spike)""")
    con.close()


def test_find_spikes_only_for_requested_days(tmp_path):
    _warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    spikes = find_spikes(con, ["2026-03-10"])
    assert [(s.topic_id, s.day) for s in spikes] == [("peace_talks", "2026-03-10")]
    assert spikes[0].label == "Ukraine peace talks" and spikes[0].spike_threshold == 4.0
    assert len(find_spikes(con, ["2026-03-10", "2026-03-11"])) == 2
    assert find_spikes(con, []) == []


def test_one_notification_per_topic_and_day_even_on_rerun(tmp_path):
    _warehouse(tmp_path / "w.duckdb")
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    spikes = find_spikes(con, ["2026-03-10", "2026-03-11"])
    ledger = AlertLedger(tmp_path / "alerts")
    with _Hook() as hook:
        first = send_spike_alerts(spikes, ledger, {"run_id": "r1"}, url=hook.url)
        again = send_spike_alerts(spikes, ledger, {"run_id": "r2"}, url=hook.url)
    assert sorted(first["sent"]) == ["elections/2026-03-11", "peace_talks/2026-03-10"]
    assert again["sent"] == [] and len(again["already_sent"]) == 2
    assert len(hook.received) == 2
    texts = sorted(m["text"] for m in hook.received)
    assert "spike in 'Ukraine peace talks' on 2026-03-10" in texts[1]
    assert {m["alert"]["topic_id"] for m in hook.received} == {"peace_talks", "elections"}


def test_failed_send_is_released_and_retried(tmp_path):
    alert = SpikeAlert("peace_talks", "Peace {{ talks }}", "2026-03-10", 5.0, 3.0, 10, 50, 0.2)
    ledger = AlertLedger(tmp_path / "alerts")
    with _Hook(fail_first=1) as hook:
        with pytest.raises(AlertError, match="HTTP 503"):
            send_spike_alerts([alert], ledger, {}, url=hook.url)
        assert not ledger.sent("peace_talks", "2026-03-10")
        result = send_spike_alerts([alert], ledger, {}, url=hook.url)
    assert result["sent"] == ["peace_talks/2026-03-10"]
    # analyst-written labels are sent verbatim, never rendered as templates
    assert "Peace {{ talks }}" in hook.received[0]["text"]


def test_notifier_renders_template_when_used_as_callback(monkeypatch):
    with _Hook() as hook:
        monkeypatch.setenv("NEWSRADAR_ALERT_WEBHOOK", hook.url)
        WebhookNotifier(message="run {{ run_id }} failed")({"run_id": "manual_1"})
    assert hook.received[0]["text"] == "run manual_1 failed"


def test_unreachable_webhook_is_a_clear_error():
    notifier = WebhookNotifier(message="x", url="http://127.0.0.1:9/closed")
    with pytest.raises(AlertError, match="unreachable"):
        notifier.notify({})


def test_ledger_rejects_unsafe_keys(tmp_path):
    with pytest.raises(ValueError, match="safe file name"):
        AlertLedger(tmp_path).claim("../etc", "2026-03-10", {})


class _Smtp(_Served):
    """A local SMTP server (plain SMTP, no TLS, no auth) that keeps every message it receives."""

    def __init__(self):
        self.messages: list[dict] = []
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                def say(line: str) -> None:
                    self.wfile.write((line + "\r\n").encode())

                say("220 test ESMTP")
                sender, recipients = None, []
                while line := self.rfile.readline():
                    command = line.decode().strip()
                    verb = command.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        say("250 test")
                    elif verb == "MAIL":
                        sender = command.split(":", 1)[1].strip(" <>")
                    elif verb == "RCPT":
                        recipients.append(command.split(":", 1)[1].strip(" <>"))
                    elif verb == "DATA":
                        say("354 end with .")
                        data = []
                        while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                            data.append(chunk)
                        smtp.messages.append(
                            {"from": sender, "to": recipients, "data": b"".join(data).decode()}
                        )
                        sender, recipients = None, []
                        say("250 queued")
                        continue
                    elif verb == "QUIT":
                        say("221 bye")
                        return
                    if verb not in ("EHLO", "HELO"):
                        say("250 OK")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]


@pytest.fixture
def alert_env(tmp_path, monkeypatch):
    """A published warehouse with two spikes, and a data dir; no alert target configured yet."""
    from newsradar.settings import Paths

    monkeypatch.setenv("NEWSRADAR_DATA_DIR", str(tmp_path))
    for name in ("NEWSRADAR_ALERT_WEBHOOK", "NEWSRADAR_ALERT_EMAIL_TO", "NEWSRADAR_ALERT_EMAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    paths = Paths.from_env(tmp_path)
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    _warehouse(paths.warehouse_path)
    return tmp_path


def _smtp_connection(monkeypatch, port: int) -> None:
    monkeypatch.setenv("AIRFLOW_CONN_NEWSRADAR_ALERTS_SMTP", json.dumps({
        "conn_type": "smtp", "host": "127.0.0.1", "port": port,
        "extra": {"disable_tls": True, "disable_ssl": True, "from_email": "newsradar@example.org",
                  "timeout": 5, "retry_limit": 0},
    }))  # fmt: skip


def test_email_alerts_through_an_smtp_connection_once_per_topic_and_day(alert_env, monkeypatch):
    from email import message_from_string

    from newsradar.orchestration.tasks import spike_alerts

    monkeypatch.setenv("NEWSRADAR_ALERT_EMAIL_TO", "desk@example.org, editor@example.org")
    days = ["2026-03-10", "2026-03-11"]
    with _Smtp() as smtp:
        _smtp_connection(monkeypatch, smtp.port)
        first = spike_alerts(days, {"run_id": "r1"})
        again = spike_alerts(days, {"run_id": "r2"})
    assert first["webhook"] is None and sorted(first["email"]["sent"]) == ["elections/2026-03-11",
                                                                           "peace_talks/2026-03-10"]  # fmt: skip
    assert again["email"]["sent"] == [] and len(again["email"]["already_sent"]) == 2
    assert len(smtp.messages) == 2
    mail = message_from_string(smtp.messages[0]["data"])
    assert smtp.messages[0]["from"] == "newsradar@example.org"
    assert smtp.messages[0]["to"] == ["desk@example.org", "editor@example.org"]
    assert "spike in 'Ukraine peace talks' on 2026-03-10" in mail["Subject"]
    body = "".join(
        p.get_payload(decode=True).decode() for p in mail.walk() if p.get_content_type() == "text/html"
    )
    assert "12 of 100 articles" in body and "spike score 5.5" in body


def test_both_channels_each_retry_alone(alert_env, monkeypatch):
    from newsradar.orchestration.tasks import spike_alerts

    monkeypatch.setenv("NEWSRADAR_ALERT_EMAIL_TO", "desk@example.org")
    with _Smtp() as smtp, _Hook(fail_first=2) as hook:
        _smtp_connection(monkeypatch, smtp.port)
        monkeypatch.setenv("NEWSRADAR_ALERT_WEBHOOK", hook.url)
        with pytest.raises(AlertError, match="webhook: 2 of 2 alert"):
            spike_alerts(["2026-03-10", "2026-03-11"], {})
        assert len(smtp.messages) == 2 and hook.received == []  # e-mail went out, the webhook refused
        retry = spike_alerts(["2026-03-10", "2026-03-11"], {})
    assert len(retry["webhook"]["sent"]) == 2 and retry["email"]["sent"] == []
    assert len(smtp.messages) == 2 and len(hook.received) == 2


def test_no_alert_target_is_a_clear_error(alert_env):
    from newsradar.orchestration.tasks import spike_alerts

    with pytest.raises(AlertError, match="no alert target"):
        spike_alerts(["2026-03-10"], {})
