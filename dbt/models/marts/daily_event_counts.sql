with

events as (

    select * from {{ ref('fct_listening_events') }}

)

select
    event_date,
    event_type,
    count(*) as events,
    count(distinct user_id) as listeners

from events
group by event_date, event_type
