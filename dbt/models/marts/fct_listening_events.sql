{#- Silver's events with the columns gold readers use. On DuckDB a view: a table here was a second full write
    of every event at each build (16 s of 124 for 10 million events), and the loader's gold snapshot stores
    it as a table in listener order for readers anyway. The view names silver without the file's catalog, so
    it still resolves when the file is attached under another name (the snapshot, the dashboard's reader).
    PostgreSQL and Snowflake keep an incremental table; PostgreSQL gets an index on user_id for per-listener
    reads (a Wrapped). -#}
{{
    config(
        materialized=('view' if target.type == 'duckdb' else 'incremental'),
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
        indexes=([{'columns': ['user_id']}] if target.type == 'postgres' else []),
    )
}}

{%- set silver_events = ref('stg_lake__listening_events') %}

with

events as (

    select * from {{ silver_events.include(database=false) if target.type == 'duckdb' else silver_events }}
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
