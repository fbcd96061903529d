{#- One row per listening session: its span and where it was listened from (the first event's device and country).
    Incremental by session: a run rebuilds every session that received an event since the last run (delete+insert
    on user_id, session_id), from all of that session's events. -#}
{{
    config(
        materialized='incremental',
        unique_key=['user_id', 'session_id'],
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

),

{% if is_incremental() %}
touched as (

    select distinct user_id, session_id
    from events
    where {{ loaded_since_last_run() }}

),

session_events as (

    select events.*
    from events
    inner join touched
        on touched.user_id = events.user_id
        and touched.session_id = events.session_id

),
{% else %}
session_events as (

    select * from events

),
{% endif %}

ordered as (

    select *{{ rank_events('user_id, session_id', 'asc') }} from session_events

),

summarized as (

    select
        user_id,
        session_id,
        min(event_at) as session_started_at,
        max(event_at) as session_ended_at,
        count(*) as events,
        sum(case when event_type = 'play' then 1 else 0 end) as plays,
        coalesce(sum(ms_played), 0) as ms_played,
        {{ pick_by_event_order('device_type', 'asc') }} as device_type,
        {{ pick_by_event_order('country_code', 'asc') }} as country_code,
        max(loaded_at) as loaded_at

    from ordered
    group by user_id, session_id

)

select * from summarized
