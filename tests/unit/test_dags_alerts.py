"""Spike alerts: webhook notifier against a local HTTP server, one alert per topic and day."""

from __future__ import annotations

import json
import os
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


class _Hook:
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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


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
