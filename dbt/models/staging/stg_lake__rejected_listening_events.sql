{#- Bronze listening-event rows that break the contract, by event_id, rule and lake object, with how many
    rows (a replayed object can hold one rejected event more than once). -#}
with

outcomes as (

    select * from {{ ref('stg_lake__listening_event_outcomes') }}

)

select
    event_id,
    rejection_reason,
    lake_object_key,
    loaded_at,
    bronze_rows as rejected_rows

from outcomes
where rejection_reason is not null
