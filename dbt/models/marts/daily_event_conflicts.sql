{#- Events whose copies in the lake differ (one event_id, different payloads), per UTC day of the copy kept:
    silver keeps the copy at the earliest Kafka position; a spike here means a producer reuses event ids. -#}
with

events as (

    select * from {{ ref('stg_lake__listening_events') }}

)

select
    event_date,
    count(*) as conflicting_events

from events
where has_conflict
group by event_date
