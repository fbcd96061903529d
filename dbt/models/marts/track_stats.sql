{#- All-time per-track figures and the chart rank (most plays first; ties by track_id so the rank is stable). -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

tracks as (

    select * from {{ ref('dim_tracks') }}

),

measured as (

    select
        track_id,
        count(distinct user_id) as listeners,
        {{ listening_measures() }}

    from events
    group by track_id

)

select
    measured.track_id,
    tracks.track_name,
    tracks.artist_id,
    measured.listeners,
    measured.plays,
    measured.skips,
    measured.completes,
    measured.ms_played,
    measured.minutes_played,
    measured.skip_rate,
    row_number() over (order by measured.plays desc, measured.track_id) as chart_rank

from measured
inner join tracks on tracks.track_id = measured.track_id
