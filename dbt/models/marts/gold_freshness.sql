{#- One row: when gold was last built and how far its data reaches. Readers show it as "data refreshed at";
    built_at is the build's own clock, newest_loaded_at the load that brought the newest rows. -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

)

select
    current_timestamp as built_at,
    max(event_at) as newest_event_at,
    max(loaded_at) as newest_loaded_at,
    count(*) as events

from events
