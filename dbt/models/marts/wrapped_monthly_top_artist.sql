{#- Each listener's most-listened artist per calendar month (UTC), by minutes, then plays, then id. -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

monthly as (

    select
        user_id,
        cast(date_trunc('month', event_at) as date) as month_start,
        artist_id,
        {{ listening_measures() }}

    from events
    group by user_id, cast(date_trunc('month', event_at) as date), artist_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id, month_start
            order by ms_played desc, plays desc, artist_id
        ) as artist_rank

    from monthly

)

select
    user_id,
    month_start,
    artist_id,
    plays,
    ms_played,
    minutes_played

from ranked
where artist_rank = 1
