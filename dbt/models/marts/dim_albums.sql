{#- Albums as the events name them (catalog topics may be empty), named as on the most recent event or else as
    the album catalog names them; the release date comes from the catalog when it has the album. -#}
with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

),

catalog as (

    select * from {{ ref('stg_lake__albums') }}

),

named as (

    select
        album_id,
        {{ pick_by_event_order('album_name', 'desc') }} as album_name,
        {{ pick_by_event_order('artist_id', 'desc') }} as artist_id

    from (select *{{ rank_events('album_id', 'desc') }} from events where album_id is not null) as ranked
    group by album_id

)

select
    named.album_id,
    coalesce(named.album_name, catalog.album_name) as album_name,
    named.artist_id,
    catalog.release_date

from named
left join catalog on catalog.album_id = named.album_id
