-- depends_on: {{ ref('stg_lake__listening_events') }}
{#- Incremental by session: a run rebuilds the plays of every session that received an event since the last
    run, so a late skip or complete still reaches the play it ends. -#}
{{
    config(
        materialized='incremental',
        unique_key='play_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

plays as (

    select * from {{ ref('int_plays') }}

)

{% if is_incremental() %}
,

touched_sessions as (

    select distinct user_id, session_id
    from {{ ref('stg_lake__listening_events') }}
    where {{ loaded_since_last_run() }}

)
{% endif %}

select
    plays.play_id,
    plays.user_id,
    plays.session_id,
    plays.play_number,
    plays.track_id,
    plays.artist_id,
    plays.album_id,
    plays.started_at,
    plays.event_date,
    plays.end_event_id,
    plays.ended_at,
    plays.end_event_type,
    plays.ms_played,
    plays.has_ended,
    plays.is_skipped,
    plays.device_type,
    plays.country_code,
    plays.context_type,
    plays.session_started_at,
    plays.loaded_at

from plays
{% if is_incremental() %}
inner join touched_sessions
    on touched_sessions.user_id = plays.user_id
    and touched_sessions.session_id = plays.session_id
{% endif %}
