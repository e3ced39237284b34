{#- The join condition of candidate near-duplicate pairs: a shared 16-bit band of the simhash,
    different outlets, published at most near_duplicate_window_days apart (or either undated). -#}
{% macro near_duplicate_candidates(a, b) -%}
    {{ a }}.band = {{ b }}.band
        and {{ a }}.band_value = {{ b }}.band_value
        and {{ a }}.source_id <> {{ b }}.source_id
        and {{ a }}.article_id <> {{ b }}.article_id
        and (
            {{ a }}.published_at is null
            or {{ b }}.published_at is null
            or abs(epoch({{ a }}.published_at) - epoch({{ b }}.published_at))
            <= {{ var('near_duplicate_window_days') }} * 86400
        )
{%- endmacro %}
