{#- Minutes listened agree between the daily, per-track, per-listener and per-play views of the same events. -#}
with

daily as (select coalesce(sum(ms_played), 0) as ms_played from {{ ref('daily_active_listeners') }}),
tracks as (select coalesce(sum(ms_played), 0) as ms_played from {{ ref('track_stats') }}),
listeners as (select coalesce(sum(ms_played), 0) as ms_played from {{ ref('listener_wrapped') }}),
genres as (select coalesce(sum(ms_played), 0) as ms_played from {{ ref('genre_daily_stats') }})

select daily.ms_played as daily_ms, tracks.ms_played as track_ms, listeners.ms_played as listener_ms, genres.ms_played as genre_ms
from daily cross join tracks cross join listeners cross join genres
where daily.ms_played <> tracks.ms_played
    or daily.ms_played <> listeners.ms_played
    or daily.ms_played <> genres.ms_played
