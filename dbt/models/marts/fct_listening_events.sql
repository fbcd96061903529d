{#- PostgreSQL gets an index on user_id for per-listener reads (a Wrapped); DuckDB readers get the rows in
    listener order in the loader's snapshot instead (services/loader/src/gold-snapshot.ts). -#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=([{'columns': ['user_id']}] if target.type == 'postgres' else []),
    )
}}

with

events as (

    select * from {{ ref('stg_lake__listening_events') }}
    {% if is_incremental() %}
    where {{ loaded_since_last_run() }}
    {% endif %}

)

select
    event_id,
    event_type,
    event_at,
    event_date,
    user_id,
    session_id,
    track_id,
    artist_id,
    album_id,
    duration_ms,
    position_ms,
    ms_played,
    device_type,
    country_code,
    context_type,
    context_id,
    event_source,
    is_shuffle,
    is_offline,
    loaded_at

from events
