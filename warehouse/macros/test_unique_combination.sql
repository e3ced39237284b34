{#- Generic test: the combination of `columns` is unique (a composite key), without dbt_utils. -#}
{% test unique_combination(model, columns) %}
with grouped as (
    select {{ columns | join(', ') }}, count(*) as n_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
),

final as (
    select * from grouped where n_rows > 1
)

select * from final
{% endtest %}

{#- Generic test: a numeric column lies within [min_value, max_value] (nulls pass). -#}
{% test between(model, column_name, min_value, max_value) %}
with final as (
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
)

select * from final
{% endtest %}
