{#- Silver listening events: contract-valid rows only, typed and renamed, one row per event_id. The lake may
    hold an event more than once: the same record written twice (a crash between an upload and its commit),
    or different records with one event_id (a conflict: a buggy or replaying producer). The copy kept is the
    one at the earliest Kafka position (lowest partition, then offset, then lake object key), whatever order
    the copies are loaded in: a copy loaded later that sorts first replaces the one kept (delete+insert on
    event_id), and `has_conflict` marks an event once two of its copies differ in any contract field. A table,
    not a view: every later model and test reads it. -#}
{{
    config(
        materialized='incremental',
        unique_key='event_id',
        incremental_strategy='delete+insert',
        on_schema_change='fail',
    )
}}

{%- set payload = ['event_type', 'event_at', 'user_id', 'session_id', 'track_id', 'track_name', 'artist_id',
    'artist_name', 'album_id', 'album_name', 'duration_ms', 'position_ms', 'ms_played', 'device_type',
    'country_code', 'context_type', 'context_id', 'event_source', 'is_shuffle', 'is_offline'] -%}

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
        cast(_partition as bigint) as kafka_partition,
        cast(_offset as bigint) as kafka_offset,
        _loaded_at as loaded_at,
        cast(null as boolean) as has_conflict,
        true as is_new

    from valid

),

candidates as (

    select * from renamed
    {% if is_incremental() %}
    union all
    -- The copy kept so far of every event that received a new copy: the new one may sort before it.
    select
        {% for column in ['event_id'] + payload %}{{ column }}, {% endfor %}
        lake_object_key, kafka_partition, kafka_offset, loaded_at, has_conflict, false as is_new
    from {{ this }}
    where event_id in (select event_id from renamed)
    {% endif %}

),

repeated as (

    -- Event ids with more than one copy among the candidates: only these are ranked and compared (a window
    -- over every row would sort them all, and the usual event has one copy).
    select event_id from candidates group by event_id having count(*) > 1

),

single as (

    -- Always new rows: a kept copy is a candidate only together with a new copy of its event.
    select candidates.*
    from candidates
    left join repeated on repeated.event_id = candidates.event_id
    where repeated.event_id is null

),

ranked as (

    select
        candidates.*,
        row_number() over (
            partition by candidates.event_id
            order by kafka_partition, kafka_offset, lake_object_key, is_new
        ) as copy_rank

    from candidates
    inner join repeated on repeated.event_id = candidates.event_id

),

compared as (

    select
        *,
        md5(
            {%- for column in payload %}
            coalesce(cast({{ column }} as varchar), '~'){% if not loop.last %} || '|' ||{% endif %}
            {%- endfor %}
        ) as payload_hash

    from ranked

),

resolved as (

    select
        *,
        coalesce(min(payload_hash) over (partition by event_id) <> max(payload_hash) over (partition by event_id), false)
            or coalesce(max(case when has_conflict then 1 else 0 end) over (partition by event_id), 0) = 1
            as conflict_seen,
        max(case when not is_new then case when has_conflict then 1 else 0 end end) over (partition by event_id)
            as kept_conflict

    from compared

),

{%- set kept_columns = ['event_id'] + payload + ['lake_object_key', 'kafka_partition', 'kafka_offset', 'loaded_at'] %}

kept as (

    select {% for column in kept_columns %}{{ column }}, {% endfor %}false as conflict_seen
    from single
    union all
    select {% for column in kept_columns %}{{ column }}, {% endfor %}conflict_seen
    from resolved
    where copy_rank = 1
        -- Rewrite an event only when its kept copy changes or it has just become a conflict.
        and (is_new or (case when conflict_seen then 1 else 0 end) <> coalesce(kept_conflict, 0))

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
    kafka_partition,
    kafka_offset,
    loaded_at,
    conflict_seen as has_conflict

from kept
