{#- Silver listening events: contract-valid rows only, typed and renamed, one row per event_id. The lake may
    hold an event in more than one object: the first copy loaded wins, and a copy loaded later is dropped
    because its event_id is already here. A table, not a view: every later model and test reads it, and
    re-validating and re-deduplicating all of bronze for each of them is what made builds slow. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

checked as (

    select * from {{ ref('base_lake__listening_events') }}
    {% if is_incremental() %}
    where {{ loaded_since_last_run('_loaded_at') }}
    {% endif %}

),

valid as (

    select * from checked where rejection_reason is null

),

renamed as (

    select
        event_id,
        event_type,
        {{ utc_timestamp('event_ts') }} as event_at,
        user_id,
        session_id,
        track_id,
        track_name,
        artist_id,
        artist_name,
        album_id,
        album_name,
        cast(duration_ms as bigint) as duration_ms,
        cast(position_ms as bigint) as position_ms,
        cast(ms_played as bigint) as ms_played,
        device_type,
        country as country_code,
        context_type,
        context_id,
        source as event_source,
        {{ text_to_boolean('shuffle') }} as is_shuffle,
        {{ text_to_boolean('offline') }} as is_offline,
        _object_key as lake_object_key,
        cast(_offset as bigint) as kafka_offset,
        _loaded_at as loaded_at

    from valid

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by loaded_at, lake_object_key, kafka_offset
        ) as copy_number

    from renamed

),

deduplicated as (

    select * from ranked
    where copy_number = 1
    {% if is_incremental() %}
        and not exists (select 1 from {{ this }} as loaded where loaded.event_id = ranked.event_id)
    {% endif %}

)

select
    event_id,
    event_type,
    event_at,
    cast(event_at as date) as event_date,
    user_id,
    session_id,
    track_id,
    track_name,
    artist_id,
    artist_name,
    album_id,
    album_name,
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
    lake_object_key,
    loaded_at

from deduplicated
