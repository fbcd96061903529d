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
        case when {{ is_plain_integer('duration_ms', 9) }} then {{ guarded_cast('duration_ms', 'bigint') }} end as duration_ms,
        case
            when {{ full_match('popularity', '[0-9]{1,3}([.][0-9]{1,17})?') }}
                then {{ guarded_cast('popularity', 'double precision') }}
        end as popularity,
        row_number() over (
            partition by track_id
            order by {{ lake_position_desc() }}
        ) as recency

    from source
    where track_id is not null and track_id <> ''

)

select track_id, artist_id, album_id, track_name, duration_ms, popularity
from ranked
where recency = 1
