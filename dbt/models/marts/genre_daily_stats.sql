{#- Artists with no catalog genre count under 'unknown', so genre totals still add up to all listening. -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

artists as (

    select * from {{ ref('dim_artists') }}

),

genred as (

    select
        events.*,
        coalesce(artists.primary_genre, 'unknown') as genre

    from events
    left join artists on artists.artist_id = events.artist_id

)

select
    event_date,
    genre,
    count(distinct user_id) as listeners,
    {{ listening_measures() }}

from genred
group by event_date, genre
