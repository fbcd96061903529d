{#- Each bronze listening-event row is checked exactly once: per lake object, the rows counted in
    stg_lake__listening_event_outcomes (incremental, by load time) equal the rows bronze holds. A load the
    watermark skipped or read twice would show here. -#}
with

bronze as (
    select _object_key as lake_object_key, count(*) as bronze_rows
    from {{ source('lake', 'listening_events') }}
    group by _object_key
),

outcomes as (
    select lake_object_key, sum(bronze_rows) as outcome_rows
    from {{ ref('stg_lake__listening_event_outcomes') }}
    group by lake_object_key
)

select
    coalesce(bronze.lake_object_key, outcomes.lake_object_key) as lake_object_key,
    bronze.bronze_rows,
    outcomes.outcome_rows
from bronze
full outer join outcomes on outcomes.lake_object_key = bronze.lake_object_key
where bronze.bronze_rows is null
    or outcomes.outcome_rows is null
    or bronze.bronze_rows <> outcomes.outcome_rows
