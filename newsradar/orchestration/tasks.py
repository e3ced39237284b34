"""Small task bodies of the warehouse DAG that read the published warehouse."""

from __future__ import annotations

from newsradar.orchestration.config import OrchestrationConfig


def quality_gates(days: list[str], cfg: OrchestrationConfig | None = None) -> dict:
    from newsradar.orchestration.quality import run_gates
    from newsradar.warehouse import connect_readonly

    cfg = cfg or OrchestrationConfig.from_env()
    with connect_readonly(cfg.paths()) as con:
        return run_gates(
            con,
            days,
            trailing_days=cfg.gap_trailing_days,
            min_median=cfg.gap_min_median,
            ratio=cfg.gap_ratio,
            stale_after_days=cfg.stale_after_days,
        )


def spike_alerts(days: list[str], context, cfg: OrchestrationConfig | None = None) -> dict:
    """Notify once per topic and day whose spike flag is set on one of the build's crawl days, through
    each channel configured: the webhook (``NEWSRADAR_ALERT_WEBHOOK`` or the connection
    ``newsradar_alerts``) and e-mail (``NEWSRADAR_ALERT_EMAIL_TO``). Each channel has its own ledger, so
    one failing channel retries alone; at least one channel must be configured."""
    from newsradar.orchestration.alerts import (
        AlertError,
        AlertLedger,
        email_notifier,
        find_spikes,
        resolve_webhook_url,
        send_spike_alerts,
    )
    from newsradar.warehouse import connect_readonly

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    with connect_readonly(paths) as con:
        spikes = find_spikes(con, days)
    if not spikes:
        return {"webhook": None, "email": None, "spikes": 0}
    root = paths.data_dir / "alerts"
    try:
        url = resolve_webhook_url(cfg.alert_conn_id)
    except AlertError:
        if not cfg.alert_email_to:
            raise
        url = None  # e-mail only
    result: dict = {"webhook": None, "email": None, "spikes": len(spikes)}
    errors = []
    channels = []
    if url:
        channels.append(("webhook", AlertLedger(root / "sent"), {"url": url}))
    if cfg.alert_email_to:
        to = list(cfg.alert_email_to)

        def notifier_for(alert):
            return email_notifier(alert, to, conn_id=cfg.alert_smtp_conn_id, from_email=cfg.alert_email_from)

        channels.append(("email", AlertLedger(root / "sent-email"), {"notifier_for": notifier_for}))
    for name, ledger, how in channels:
        try:
            result[name] = send_spike_alerts(spikes, ledger, context, **how)
        except AlertError as exc:
            errors.append(f"{name}: {exc}")
    if errors:
        raise AlertError("; ".join(errors))
    return result


def build_warehouse(cfg: OrchestrationConfig | None = None) -> dict:
    """``NEWSRADAR_WAREHOUSE_MODE=single``: the whole dbt build in one task (``newsradar.warehouse.build``:
    a temporary copy, every model and test, atomic publish), for small machines where one task per
    model costs more than the build itself."""
    from newsradar.warehouse import build

    cfg = cfg or OrchestrationConfig.from_env()
    result = build(cfg.paths(), progress=False, sources_file=cfg.sources_file, topics_file=cfg.topics_file)
    return {
        "warehouse": str(result.warehouse_path),
        "models": len(result.models),
        "tests": len(result.tests),
        "seconds": round(result.seconds, 1),
    }
