{#- The few expressions that differ between DuckDB, PostgreSQL and Snowflake. Patterns avoid backslashes,
    which Snowflake string literals would treat as escapes. -#}

{% macro full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('full_match')(expression, pattern)) }}
{%- endmacro %}
{% macro default__full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, '{{ pattern }}')
{%- endmacro %}
{% macro postgres__full_match(expression, pattern) -%}
    ({{ expression }} ~ '^(?:{{ pattern }})$')
{%- endmacro %}
{% macro snowflake__full_match(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{#- First element of a JSON array held as text, e.g. an artist's primary genre. -#}
{% macro json_array_first(expression) -%}
    {{ return(adapter.dispatch('json_array_first')(expression)) }}
{%- endmacro %}
{% macro default__json_array_first(expression) -%}
    json_extract_string({{ expression }}, '$[0]')
{%- endmacro %}
{% macro postgres__json_array_first(expression) -%}
    (({{ expression }})::jsonb ->> 0)
{%- endmacro %}
{% macro snowflake__json_array_first(expression) -%}
    parse_json({{ expression }})[0]::varchar
{%- endmacro %}

{#- ISO day of week, Monday = 1 ... Sunday = 7. -#}
{% macro iso_day_of_week(expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week')(expression)) }}
{%- endmacro %}
{% macro default__iso_day_of_week(expression) -%}
    cast(extract(isodow from {{ expression }}) as integer)
{%- endmacro %}
{% macro snowflake__iso_day_of_week(expression) -%}
    dayofweekiso({{ expression }})
{%- endmacro %}

{#- Contract timestamps are ISO-8601 UTC with a Z; warehouses store them as UTC timestamps without zone. -#}
{% macro utc_timestamp(expression) -%}
    {{ return(adapter.dispatch('utc_timestamp')(expression)) }}
{%- endmacro %}
{% macro default__utc_timestamp(expression) -%}
    cast(replace(replace({{ expression }}, 'T', ' '), 'Z', '') as timestamp)
{%- endmacro %}
{#- DuckDB reads the contract's shape as it is, the same timestamp in any session time zone, 5 times faster. -#}
{% macro duckdb__utc_timestamp(expression) -%}
    cast({{ expression }} as timestamp)
{%- endmacro %}

{% macro text_to_boolean(expression) -%}
    case {{ expression }} when 'true' then true when 'false' then false end
{%- endmacro %}

{#- The value on the first (order 'asc') or last ('desc') event of each group, by event_at then event_id, in a
    query grouped by `partition_by`. DuckDB picks it in the aggregate (the _null variants keep a null value);
    elsewhere each row carries its rank from a window (rank_events, added to the rows being grouped), which
    costs a sort of every event. -#}
{% macro pick_by_event_order(column, order) -%}
    {{ return(adapter.dispatch('pick_by_event_order')(column, order)) }}
{%- endmacro %}
{% macro default__pick_by_event_order(column, order) -%}
    max(case when event_rank_{{ order }} = 1 then {{ column }} end)
{%- endmacro %}
{% macro duckdb__pick_by_event_order(column, order) -%}
    {{ 'arg_min_null' if order == 'asc' else 'arg_max_null' }}({{ column }}, (event_at, event_id))
{%- endmacro %}

{% macro rank_events(partition_by, order) -%}
    {{ return(adapter.dispatch('rank_events')(partition_by, order)) }}
{%- endmacro %}
{% macro default__rank_events(partition_by, order) -%}
    , row_number() over (partition by {{ partition_by }} order by event_at {{ order }}, event_id {{ order }}) as event_rank_{{ order }}
{%- endmacro %}
{% macro duckdb__rank_events(partition_by, order) -%}
{%- endmacro %}
