{#-
  The incremental watermark: the latest `fetched_at` already processed by this model, inlined as a
  literal so DuckDB can push the filter down to Parquet row-group statistics (a scalar subquery
  would not be pushed down). On a full build it is -infinity.
-#}
{% macro fetched_watermark(column='fetched_at') -%}
    {%- if execute and this is not none and model.resource_type == 'model' and is_incremental() -%}
        {%- set result = run_query('select max(' ~ column ~ ')::varchar as wm from ' ~ this) -%}
        {%- set value = result.columns[0].values()[0] -%}
        {%- if value is none -%}
            '-infinity'::timestamptz
        {%- else -%}
            '{{ value }}'::timestamptz
        {%- endif -%}
    {%- else -%}
        '-infinity'::timestamptz
    {%- endif -%}
{%- endmacro %}
