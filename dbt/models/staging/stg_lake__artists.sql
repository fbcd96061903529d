{#- Artist catalog: the latest record per artist (compacted topic semantics: the highest offset wins).
    The primary genre is the first in the artist's list. -#}
with

source as (

    select * from {{ source('lake', 'catalog_artists') }}

),

ranked as (

    select
        artist_id,
        name as artist_name,
        case when {{ full_match('genres', '[[] *("[^"]*" *(, *"[^"]*" *)*)?[]]') }} then {{ json_array_first('genres') }} end as primary_genre,
        row_number() over (
            partition by artist_id
            order by {{ lake_position_desc() }}
        ) as recency

    from source
    where artist_id is not null and artist_id <> ''

)

select artist_id, artist_name, primary_genre
from ranked
where recency = 1
