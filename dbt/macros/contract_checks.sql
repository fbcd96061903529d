{#- Building blocks of the contract checks in SQL (the values come from the generated contract() macro). Each
    check is written so that no engine casts a value before the check that makes the cast safe has passed:
    CASE evaluates its branches in order on every engine, and DuckDB casts through try_cast. -#}

{% macro sql_values(values) -%}
    {%- for value in values -%}'{{ value }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%}
{%- endmacro %}

{#- A cast that never fails on the rows a check has not yet refused. -#}
{% macro guarded_cast(expression, type) -%}
    {{ return(adapter.dispatch('guarded_cast')(expression, type)) }}
{%- endmacro %}
{% macro default__guarded_cast(expression, type) -%}
    cast({{ expression }} as {{ type }})
{%- endmacro %}
{% macro duckdb__guarded_cast(expression, type) -%}
    try_cast({{ expression }} as {{ type }})
{%- endmacro %}

{#- A plain non-negative integer of at most `digits` digits (so casting it to bigint cannot overflow). -#}
{% macro is_plain_integer(expression, digits) -%}
    {{ full_match(expression, '0|[1-9][0-9]{0,' ~ (digits - 1) ~ '}') }}
{%- endmacro %}

{#- For text already in the contract's timestamp shape: is it a real calendar day and time of day? -#}
{% macro is_calendar_timestamp(expression) -%}
    {{ return(adapter.dispatch('is_calendar_timestamp')(expression)) }}
{%- endmacro %}
{#- One parse instead of twelve casts (a third of the time); DuckDB refuses the same days and times, except
    the year 0, checked apart (compared on every year kind, month, day and time of day 00-99). -#}
{% macro duckdb__is_calendar_timestamp(expression) -%}
    (
        try_strptime(substring({{ expression }}, 1, 19), '%Y-%m-%dT%H:%M:%S') is not null
        and substring({{ expression }}, 1, 4) <> '0000'
    )
{%- endmacro %}
{% macro default__is_calendar_timestamp(expression) -%}
    {%- set year = guarded_cast('substring(' ~ expression ~ ', 1, 4)', 'integer') -%}
    {%- set month = guarded_cast('substring(' ~ expression ~ ', 6, 2)', 'integer') -%}
    {%- set day = guarded_cast('substring(' ~ expression ~ ', 9, 2)', 'integer') -%}
    (
        {{ year }} >= 1
        and {{ month }} between 1 and 12
        and {{ day }} between 1 and case
            when {{ month }} = 2 and ({{ year }} % 4 = 0 and ({{ year }} % 100 <> 0 or {{ year }} % 400 = 0)) then 29
            when {{ month }} = 2 then 28
            when {{ month }} in (4, 6, 9, 11) then 30
            else 31
        end
        and {{ guarded_cast('substring(' ~ expression ~ ', 12, 2)', 'integer') }} <= 23
        and {{ guarded_cast('substring(' ~ expression ~ ', 15, 2)', 'integer') }} <= 59
        and {{ guarded_cast('substring(' ~ expression ~ ', 18, 2)', 'integer') }} <= 59
    )
{%- endmacro %}

{% macro add_milliseconds(timestamp, milliseconds) -%}
    {{ return(adapter.dispatch('add_milliseconds')(timestamp, milliseconds)) }}
{%- endmacro %}
{% macro default__add_milliseconds(timestamp, milliseconds) -%}
    ({{ timestamp }} + interval '{{ milliseconds }} milliseconds')
{%- endmacro %}
{% macro snowflake__add_milliseconds(timestamp, milliseconds) -%}
    dateadd(millisecond, {{ milliseconds }}, {{ timestamp }})
{%- endmacro %}

{#- Contract text: present, not longer than the limit in characters (code points on every engine). -#}
{% macro is_contract_text(expression, max_chars, min_chars=0) -%}
    ({{ expression }} is not null and length({{ expression }}) between {{ min_chars }} and {{ max_chars }})
{%- endmacro %}

{#- Newest first by Kafka position (compacted-topic semantics); a row with unreadable metadata sorts last. -#}
{% macro lake_position_desc() -%}
    case when {{ is_plain_integer('_partition', 9) }} then {{ guarded_cast('_partition', 'bigint') }} end desc nulls last,
    case when {{ is_plain_integer('_offset', 18) }} then {{ guarded_cast('_offset', 'bigint') }} end desc nulls last,
    _loaded_at desc
{%- endmacro %}
