{#- Copies of events that staging dropped because silver already holds their event_id, per day of loading
    and source. Some are normal (the lake writer re-reads what it had not committed when it died, an export
    imported twice); a spike means a source is reusing event ids, which would otherwise vanish without a trace.
    dropped = valid bronze rows - rows silver kept, per day: silver keeps exactly one row per valid event_id,
    the copy it keeps (the earliest Kafka position), under that copy's load time. -#}
with

valid as (

    select
        cast(loaded_at as date) as loaded_date,
        event_source,
        cast(sum(bronze_rows) as bigint) as valid_rows

    from {{ ref('stg_lake__listening_event_outcomes') }}
    where rejection_reason is null
    group by 1, 2

),

kept as (

    select
        cast(loaded_at as date) as loaded_date,
        event_source,
        count(*) as kept_rows

    from {{ ref('stg_lake__listening_events') }}
    group by 1, 2

)

select
    valid.loaded_date,
    valid.event_source,
    valid.valid_rows,
    coalesce(kept.kept_rows, 0) as kept_rows,
    valid.valid_rows - coalesce(kept.kept_rows, 0) as duplicate_rows

from valid
left join kept
    on kept.loaded_date = valid.loaded_date
    and kept.event_source = valid.event_source
