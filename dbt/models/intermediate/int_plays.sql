{#- Each play joined with the skip or complete that ended it and with its session. Within a session, events
    are put in time order and numbered by the play they follow; a play's end is the first skip/complete of
    the same track under the same play number. At equal timestamps an end sorts before a play, because the
    next track starts the moment the previous one ends. Incremental by session, as int_sessions: a run
    renumbers the plays of every session that received an event since the last run, from all of its events
    (a view here was computed over every event for fct_plays and again for its test). -#}
{{
    config(
        materialized='incremental',
        unique_key='play_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

events as (

    select * from {{ ref('stg_lake__listening_events') }}
    where event_type in ('play', 'skip', 'complete')

),

{% if is_incremental() %}
touched as (

    select distinct user_id, session_id
    from {{ ref('stg_lake__listening_events') }}
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

sessions as (

    select * from {{ ref('int_sessions') }}

),

sequenced as (

    select
        *,
        -- The default frame: event_id is unique in silver, so it is the same as `rows between unbounded
        -- preceding and current row`, which DuckDB computes at half the speed.
        sum(case when event_type = 'play' then 1 else 0 end) over (
            partition by user_id, session_id
            order by event_at, case when event_type = 'play' then 1 else 0 end, event_id
        ) as play_number

    from session_events

),

plays as (

    select * from sequenced where event_type = 'play'

),

ends as (

    select
        *,
        row_number() over (
            partition by user_id, session_id, play_number, track_id
            order by event_at, event_id
        ) as end_rank

    from sequenced
    where event_type in ('skip', 'complete')

),

first_ends as (

    select * from ends where end_rank = 1

),

joined as (

    select
        plays.event_id as play_id,
        plays.user_id,
        plays.session_id,
        plays.play_number,
        plays.track_id,
        plays.artist_id,
        plays.album_id,
        plays.event_at as started_at,
        plays.event_date,
        plays.device_type,
        plays.country_code,
        plays.context_type,
        first_ends.event_id as end_event_id,
        first_ends.event_type as end_event_type,
        first_ends.event_at as ended_at,
        coalesce(first_ends.ms_played, 0) as ms_played,
        first_ends.event_id is not null as has_ended,
        coalesce(first_ends.event_type = 'skip', false) as is_skipped,
        sessions.session_started_at,
        sessions.device_type as session_device_type,
        plays.loaded_at

    from plays
    left join first_ends
        on first_ends.user_id = plays.user_id
        and first_ends.session_id = plays.session_id
        and first_ends.play_number = plays.play_number
        and first_ends.track_id = plays.track_id
    left join sessions
        on sessions.user_id = plays.user_id
        and sessions.session_id = plays.session_id

)

select * from joined
