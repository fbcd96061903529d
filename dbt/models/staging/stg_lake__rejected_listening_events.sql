with

checked as (

    select * from {{ ref('base_lake__listening_events') }}

)

select
    event_id,
    rejection_reason,
    _object_key as lake_object_key,
    _loaded_at as loaded_at

from checked
where rejection_reason is not null
