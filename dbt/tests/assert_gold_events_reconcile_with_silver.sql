{#- Gold event counts add up to silver: every valid, deduplicated event is counted once. -#}
with

silver as (

    select count(*) as events from {{ ref('stg_lake__listening_events') }}

),

fact as (

    select count(*) as events from {{ ref('fct_listening_events') }}

),

gold as (

    select coalesce(sum(events), 0) as events from {{ ref('daily_event_counts') }}

)

select silver.events as silver_events, fact.events as fact_events, gold.events as gold_events
from silver cross join fact cross join gold
where silver.events <> fact.events or fact.events <> gold.events
