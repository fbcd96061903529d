{#- Filter for an incremental model: rows loaded since the newest row already in the model, minus the lookback
    margin (var incremental_lookback_hours). Late events are picked by load time, never by event time, so an
    event that arrives days late still lands in the right day. An empty model takes everything. -#}
{% macro loaded_since_last_run(column='loaded_at', model_column='loaded_at') -%}
    (
        (select max({{ model_column }}) from {{ this }}) is null
        or {{ column }} > (select max({{ model_column }}) from {{ this }}) - interval '{{ var("incremental_lookback_hours") }} hours'
    )
{%- endmacro %}
