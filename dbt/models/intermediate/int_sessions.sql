{#- One row per listening session: its span and where it was listened from (the first event's device and country).
    A table, rebuilt each run: plays join it, and it is far smaller than the events. -#}
{{ config(materialized='table') }}

with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

),

ordered as (

    select
        *,
        row_number() over (partition by user_id, session_id order by event_at, event_id) as event_number

    from events

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
        max(case when event_number = 1 then device_type end) as device_type,
        max(case when event_number = 1 then country_code end) as country_code

    from ordered
    group by user_id, session_id

)

select * from summarized
