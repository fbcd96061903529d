{#- One row per listener: a Wrapped summary. Personality scores are shares in [0, 1]:
    exploration = distinct tracks played / plays (1 = never replays a track, 0 = one track on repeat);
    loyalty = share of minutes spent on the top artist (1 = one artist only). -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

listener_artists as (

    select * from {{ ref('listener_artist_stats') }}

),

artists as (

    select * from {{ ref('dim_artists') }}

),

totals as (

    select
        user_id,
        {{ listening_measures() }},
        count(distinct case when event_type = 'play' then track_id end) as distinct_tracks,
        count(distinct case when event_type = 'play' then artist_id end) as distinct_artists

    from events
    group by user_id

),

top_artist as (

    select * from listener_artists where artist_rank = 1

),

scored as (

    select
        totals.user_id,
        totals.ms_played,
        totals.minutes_played,
        totals.plays,
        totals.skips,
        totals.completes,
        totals.skip_rate,
        totals.distinct_tracks,
        totals.distinct_artists,
        top_artist.artist_id as top_artist_id,
        artists.artist_name as top_artist_name,
        top_artist.ms_played as top_artist_ms_played,
        top_artist.listener_percentile as top_artist_listener_percentile,
        totals.distinct_tracks * 1.0 / nullif(totals.plays, 0) as exploration_score,
        top_artist.ms_played * 1.0 / nullif(totals.ms_played, 0) as loyalty_score

    from totals
    left join top_artist on top_artist.user_id = totals.user_id
    left join artists on artists.artist_id = top_artist.artist_id

)

select
    *,
    case
        when exploration_score is null then null
        when exploration_score >= 0.5 then 'explorer'
        else 'familiar'
    end as exploration_style,
    case
        when loyalty_score is null then null
        when loyalty_score >= 0.5 then 'loyal'
        else 'varied'
    end as loyalty_style

from scored
