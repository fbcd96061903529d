{#- Bronze rows staging refused, by the contract rule they broke: filtered out of silver, never lost silently. -#}
with

rejected as (

    select * from {{ ref('stg_lake__rejected_listening_events') }}

)

select
    rejection_reason,
    count(*) as rejected_rows,
    min(loaded_at) as first_loaded_at,
    max(loaded_at) as last_loaded_at

from rejected
group by rejection_reason
