{#- Album catalog: the latest record per album (highest offset wins, as in a compacted topic). The release date
    is kept only when it is a real calendar day (checked before the cast, so no warehouse fails on it). -#}
with

source as (

    select * from {{ source('lake', 'catalog_albums') }}

),

ranked as (

    select
        album_id,
        artist_id,
        name as album_name,
        case
            when {{ full_match('release_date', '[0-9]{4}-[0-9]{2}-[0-9]{2}') }} then
                case
                    when {{ is_calendar_timestamp("release_date || 'T00:00:00'") }}
                        then {{ guarded_cast('release_date', 'date') }}
                end
        end as release_date,
        row_number() over (
            partition by album_id
            order by {{ lake_position_desc() }}
        ) as recency

    from source
    where album_id is not null and album_id <> ''

)

select album_id, artist_id, album_name, release_date
from ranked
where recency = 1
