{#- One row per listener, UTC day, country and device: the smallest grain at which daily active listeners can
    still be counted exactly under a country or device filter (a listener counts once per day however many
    rows they have). About one row per 80 events, so dashboards filter this instead of the facts. -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

)

select
    event_date,
    user_id,
    country_code,
    device_type,
    count(*) as events,
    {{ listening_measures() }}

from events
group by event_date, user_id, country_code, device_type
