{#- Artists as the events name them (catalog topics may be empty); the genre comes from the artist catalog
    when it has the artist and is null otherwise. The name is the one on the most recent event. -#}
with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

),

catalog as (

    select * from {{ ref('stg_lake__artists') }}

),

named as (

    select
        artist_id,
        {{ pick_by_event_order('artist_name', 'desc') }} as artist_name

    from (select *{{ rank_events('artist_id', 'desc') }} from events) as ranked
    group by artist_id

)

select
    named.artist_id,
    coalesce(named.artist_name, catalog.artist_name) as artist_name,
    catalog.primary_genre

from named
left join catalog on catalog.artist_id = named.artist_id
