{#- Listening per listener and artist, ranked within the listener (most minutes first), and the listener's
    standing among everyone who listened to that artist (percent rank of their minutes: 1 = most devoted). -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

totals as (

    select
        user_id,
        artist_id,
        {{ listening_measures() }}

    from events
    group by user_id, artist_id

)

select
    *,
    row_number() over (partition by user_id order by ms_played desc, plays desc, artist_id) as artist_rank,
    percent_rank() over (partition by artist_id order by ms_played) as listener_percentile

from totals
