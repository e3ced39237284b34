{#-
  Rolling share and spike columns over a CTE with one row per (partition_by..., day) holding
  `matching_articles`, `total_articles`, `share` and `spike_threshold`.
  - rolling_share_7d: mean daily share over the 7 calendar days ending at `day` (rows present).
  - baseline_mean_28d / baseline_std_28d: mean and sample standard deviation of the daily share over
    the 28 calendar days before `day` (excluding it).
  - spike_score: (share - baseline_mean_28d) / greatest(baseline_std_28d, spike_std_floor), null
    until the baseline has spike_min_baseline_days days.
  - is_spike: spike_score >= the topic's spike_threshold and at least spike_min_articles matches.
-#}
{% macro trend_metrics(daily_cte, partition_by) -%}
windowed as (
    select
        *,
        avg(share) over (
            partition by {{ partition_by | join(', ') }} order by day
            range between interval 6 days preceding and current row
        ) as rolling_share_7d,
        avg(share) over baseline_window as baseline_mean_28d,
        stddev_samp(share) over baseline_window as baseline_std_28d,
        count(share) over baseline_window as baseline_days
    from {{ daily_cte }}
    window baseline_window as (
        partition by {{ partition_by | join(', ') }} order by day
        range between interval 28 days preceding and interval 1 days preceding
    )
),

spike_scored as (
    select
        *,
        case
            when baseline_days >= {{ var('spike_min_baseline_days') }}
                then (share - baseline_mean_28d)
                / greatest(coalesce(baseline_std_28d, 0), {{ var('spike_std_floor') }})
        end as spike_score
    from windowed
),

scored as (
    select
        *,
        coalesce(
            spike_score >= spike_threshold and matching_articles >= {{ var('spike_min_articles') }}, false
        ) as is_spike
    from spike_scored
)
{%- endmacro %}

{#- The trend columns of topic_daily and topic_daily_all, after their partition columns and day. -#}
{% macro trend_columns() -%}
        matching_articles,
        total_articles,
        share,
        rolling_share_7d,
        baseline_mean_28d,
        baseline_std_28d,
        spike_score,
        is_spike
{%- endmacro %}
