{#- The measures every gold aggregate shares, over fct_listening_events rows. Minutes listened sum ms_played
    of skip and complete events only (the contract puts what was heard on the event that ends a play). -#}
{% macro listening_measures() -%}
    sum(case when event_type = 'play' then 1 else 0 end) as plays,
    sum(case when event_type = 'skip' then 1 else 0 end) as skips,
    sum(case when event_type = 'complete' then 1 else 0 end) as completes,
    coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) as ms_played,
    coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) / 60000.0 as minutes_played,
    sum(case when event_type = 'skip' then 1 else 0 end) * 1.0
        / nullif(sum(case when event_type in ('skip', 'complete') then 1 else 0 end), 0) as skip_rate
{%- endmacro %}
