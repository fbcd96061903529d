{#- Track catalog: the latest record per track (highest offset wins, as in a compacted topic). -#}
with

source as (

    select * from {{ source('lake', 'catalog_tracks') }}

),

ranked as (

    select
        track_id,
        artist_id,
        album_id,
        name as track_name,
        cast(duration_ms as bigint) as duration_ms,
        cast(popularity as double precision) as popularity,
        row_number() over (
            partition by track_id
            order by cast(_partition as bigint) desc, cast(_offset as bigint) desc, _loaded_at desc
        ) as recency

    from source
    where track_id is not null and track_id <> ''

)

select track_id, artist_id, album_id, track_name, duration_ms, popularity
from ranked
where recency = 1
