{#- Each listener's top 5 tracks, artists and genres, ranked by minutes listened (then plays, then id). -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

tracks as (

    select * from {{ ref('dim_tracks') }}

),

artists as (

    select * from {{ ref('dim_artists') }}

),

listener_artists as (

    select * from {{ ref('listener_artist_stats') }}

),

listener_tracks as (

    -- Summed before the names are joined: the join then touches one row per listener and track, not per event.
    select
        user_id,
        track_id,
        sum(case when event_type = 'play' then 1 else 0 end) as plays,
        coalesce(sum(case when event_type in ('skip', 'complete') then ms_played end), 0) as ms_played

    from events
    group by user_id, track_id

),

track_totals as (

    select
        listener_tracks.user_id,
        'track' as item_type,
        listener_tracks.track_id as item_id,
        tracks.track_name as item_name,
        listener_tracks.plays,
        listener_tracks.ms_played

    from listener_tracks
    inner join tracks on tracks.track_id = listener_tracks.track_id

),

artist_totals as (

    select
        listener_artists.user_id,
        'artist' as item_type,
        listener_artists.artist_id as item_id,
        artists.artist_name as item_name,
        listener_artists.plays,
        listener_artists.ms_played

    from listener_artists
    inner join artists on artists.artist_id = listener_artists.artist_id

),

genre_totals as (

    select
        listener_artists.user_id,
        'genre' as item_type,
        artists.primary_genre as item_id,
        artists.primary_genre as item_name,
        sum(listener_artists.plays) as plays,
        sum(listener_artists.ms_played) as ms_played

    from listener_artists
    inner join artists on artists.artist_id = listener_artists.artist_id
    where artists.primary_genre is not null
    group by listener_artists.user_id, artists.primary_genre

),

items as (

    select * from track_totals
    union all
    select * from artist_totals
    union all
    select * from genre_totals

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id, item_type
            order by ms_played desc, plays desc, item_id
        ) as item_rank

    from items

)

select
    user_id,
    item_type,
    item_rank,
    item_id,
    item_name,
    plays,
    ms_played,
    ms_played / 60000.0 as minutes_played

from ranked
where item_rank <= 5
