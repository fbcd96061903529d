{#- What became of every bronze listening-event row, compactly: one row per lake object, load, source and
    rejection reason with its row count, except that rejected rows keep their event_id (one row per rejected
    event_id). Valid rows of an object collapse into one row per source, so the table stays small.
    Incremental, so each bronze row is checked once, when it is new (base_lake__listening_events is a view):
    the rejected rows, their counts per reason and the valid rows per load day come from here instead of
    re-running every contract check over all of bronze at each build. An object's rows share one load time,
    so whole objects come in; one read again within the lookback margin replaces its rows (delete+insert on
    lake_object_key). -#}
{{
    config(
        materialized='incremental',
        unique_key='lake_object_key',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

with

checked as (

    select * from {{ ref('base_lake__listening_events') }}
    {% if is_incremental() %}
    where {{ loaded_since_last_run('_loaded_at') }}
    {% endif %}

)

select
    _object_key as lake_object_key,
    _loaded_at as loaded_at,
    source as event_source,
    rejection_reason,
    case when rejection_reason is not null then event_id end as event_id,
    count(*) as bronze_rows

from checked
group by 1, 2, 3, 4, 5
