with

events as (

    select * from {{ ref('fct_listening_events') }}

)

select
    event_date,
    track_id,
    count(distinct user_id) as listeners,
    {{ listening_measures() }}

from events
group by event_date, track_id
