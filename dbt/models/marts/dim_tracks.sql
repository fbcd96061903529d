{#- Tracks as the events name them, with catalog duration and popularity when the catalog has the track. -#}
with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

),

catalog as (

    select * from {{ ref('stg_lake__tracks') }}

),

named as (

    select
        track_id,
        track_name,
        artist_id,
        album_id,
        duration_ms,
        row_number() over (partition by track_id order by event_at desc, event_id desc) as recency

    from events

)

select
    named.track_id,
    named.track_name,
    named.artist_id,
    named.album_id,
    coalesce(catalog.duration_ms, named.duration_ms) as duration_ms,
    catalog.popularity

from named
left join catalog on catalog.track_id = named.track_id
where named.recency = 1
