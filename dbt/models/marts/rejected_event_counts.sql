{#- Listening events kept out of silver, by why: the contract rule a bronze row broke (staging), or, prefixed
    `load_`, why the loader kept a lake line out of bronze. Filtered, never lost silently. -#}
with

rejected as (

    select rejection_reason, rejected_rows, loaded_at from {{ ref('stg_lake__rejected_listening_events') }}

    union all

    select 'load_' || reason_code as rejection_reason, 1 as rejected_rows, rejected_at as loaded_at
    from {{ source('lake', '_rejected_rows') }}
    where bronze_table = 'listening_events'

)

select
    rejection_reason,
    cast(sum(rejected_rows) as bigint) as rejected_rows,
    min(loaded_at) as first_loaded_at,
    max(loaded_at) as last_loaded_at

from rejected
group by rejection_reason
