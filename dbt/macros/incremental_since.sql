{#- Filter for an incremental model: rows loaded since the newest row already in the model, minus the lookback
    margin (var incremental_lookback_hours). Late events are picked by load time, never by event time, so an
    event that arrives days late still lands in the right day. An empty model takes everything. -#}
{% macro loaded_since_last_run(column='loaded_at', model_column='loaded_at') -%}
    {{ return(adapter.dispatch('loaded_since_last_run')(column, model_column)) }}
{%- endmacro %}
{% macro default__loaded_since_last_run(column, model_column) -%}
    (
        (select max({{ model_column }}) from {{ this }}) is null
        or {{ column }} > (select max({{ model_column }}) from {{ this }}) - interval '{{ incremental_lookback_hours() }} hours'
    )
{%- endmacro %}

{#- DuckDB gets the watermark as a constant, read before the model's query: a filter holding a subquery is
    joined after the rest of the query has run, so a view under it (base_lake__listening_events and its
    contract checks) was computed for every bronze row at each build; a constant is applied in the table scan,
    where zone maps on the load time skip the row groups loaded before. -#}
{% macro duckdb__loaded_since_last_run(column, model_column) -%}
    {#- The literal is built in SQL: run_query would read a timestamp returned as text as a Python date-time. -#}
    {%- set since = none -%}
    {%- if execute -%}
        {%- set newest = 'max(' ~ model_column ~ ')' -%}
        {%- set since = run_query(
            "select 'cast(''' || cast(" ~ newest ~ " - interval '" ~ incremental_lookback_hours() ~ " hours' as varchar)"
            ~ " || ''' as ' || typeof(" ~ newest ~ ") || ')' from " ~ this
        ).rows[0][0] -%}
    {%- endif -%}
    {%- if since is none -%}
        true
    {%- else -%}
        {{ column }} > {{ since }}
    {%- endif %}
{%- endmacro %}

{#- The margin guards against a load that commits while a dbt run is reading. DuckDB needs none: the loader and
    dbt each open the file read-write, which DuckDB allows one process at a time, so no load commits during a
    run, and the loader stamps every batch later than any batch before it (services/loader, duckdb-warehouse),
    so the rows a run has not seen are exactly those after the newest it holds. Without that, every run would
    re-read the last 3 hours of loads. -#}
{% macro incremental_lookback_hours() -%}
    {{ return(var('incremental_lookback_hours', 0 if target.type == 'duckdb' else 3)) }}
{%- endmacro %}
