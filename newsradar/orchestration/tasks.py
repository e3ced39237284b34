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
    """Notify once per topic and day whose spike flag is set on one of the build's crawl days."""
    from newsradar.orchestration.alerts import AlertLedger, find_spikes, send_spike_alerts
    from newsradar.warehouse import connect_readonly

    cfg = cfg or OrchestrationConfig.from_env()
    paths = cfg.paths()
    with connect_readonly(paths) as con:
        spikes = find_spikes(con, days)
    if not spikes:
        return {"sent": [], "already_sent": [], "failed": []}
    ledger = AlertLedger(paths.data_dir / "alerts" / "sent")
    return send_spike_alerts(spikes, ledger, context, conn_id=cfg.alert_conn_id)


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
