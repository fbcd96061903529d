with

events as (

    select * from {{ ref('fct_listening_events') }}

)

select
    event_date,
    country_code,
    device_type,
    count(distinct user_id) as listeners,
    count(*) as events,
    {{ listening_measures() }}

from events
group by event_date, country_code, device_type
