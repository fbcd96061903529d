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
        {{ pick_by_event_order('track_name', 'desc') }} as track_name,
        {{ pick_by_event_order('artist_id', 'desc') }} as artist_id,
        {{ pick_by_event_order('album_id', 'desc') }} as album_id,
        {{ pick_by_event_order('duration_ms', 'desc') }} as duration_ms

    from (select *{{ rank_events('track_id', 'desc') }} from events) as ranked
    group by track_id

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
