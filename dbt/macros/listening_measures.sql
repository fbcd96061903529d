{#- The measures every gold aggregate shares, over fct_listening_events rows. Minutes listened sum ms_played
    of skip and complete events only (the contract puts what was heard on the event that ends a play).
    Counts and milliseconds are bigint on every warehouse: DuckDB's sum of integers is a HUGEINT, which it
    reads back 40-100 times slower than a BIGINT (measured on listener_daily_activity, 200k rows), and
    PostgreSQL's sum of a bigint is a numeric. -#}
{% macro listening_measures() -%}
    cast(sum(case when event_type = 'play' then 1 else 0 end) as bigint) as plays,
    cast(sum(case when event_type = 'skip' then 1 else 0 end) as bigint) as skips,
    cast(sum(case when event_type = 'complete' then 1 else 0 end) as bigint) as completes,
    cast(coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) as bigint) as ms_played,
    coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) / 60000.0 as minutes_played,
    sum(case when event_type = 'skip' then 1 else 0 end) * 1.0
        / nullif(sum(case when event_type in ('skip', 'complete') then 1 else 0 end), 0) as skip_rate
{%- endmacro %}
