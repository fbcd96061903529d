{#- Every bronze row with the first contract rule it breaks (null when it keeps them all). Staging keeps the
    valid rows; the rejected ones are counted in gold, never silently dropped. A view: the checks are cheap
    next to writing another copy of every bronze row (measured: 199 s for 10 million rows as a table), and
    the incremental staging table reads only the newly loaded rows through it. -#}

with

source as (

    select * from {{ source('lake', 'listening_events') }}

),

checked as (

    select
        *,
        case
            when schema_version is null or schema_version <> '1' then 'unsupported_schema_version'
            when event_id is null or not {{ full_match('event_id', '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}') }} then 'invalid_event_id'
            when event_type is null or event_type not in ('play', 'pause', 'resume', 'skip', 'complete', 'like', 'add_to_playlist') then 'invalid_event_type'
            when event_ts is null or not {{ full_match('event_ts', '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z') }} then 'invalid_event_ts'
            when user_id is null or user_id = '' then 'missing_user_id'
            when session_id is null or session_id = '' then 'missing_session_id'
            when track_id is null or track_id = '' then 'missing_track_id'
            when artist_id is null or artist_id = '' then 'missing_artist_id'
            when duration_ms is null or not {{ full_match('duration_ms', '[0-9]{1,15}') }} then 'invalid_duration_ms'
            when position_ms is null or not {{ full_match('position_ms', '[0-9]{1,15}') }} then 'invalid_position_ms'
            when ms_played is not null and not {{ full_match('ms_played', '[0-9]{1,15}') }} then 'invalid_ms_played'
            when ms_played is null and event_type in ('skip', 'complete') then 'missing_ms_played'
            when device_type is null or device_type not in ('mobile', 'desktop', 'web', 'tablet', 'smart_speaker', 'tv', 'car', 'console') then 'invalid_device_type'
            when country is null or country = 'UK' or not {{ full_match('country', '[A-Z]{2}') }} then 'invalid_country'
            when context_type is not null and context_type not in ('playlist', 'album', 'artist', 'search', 'radio') then 'invalid_context_type'
            when source is null or source not in ('simulator', 'spotify_api', 'history_import') then 'invalid_source'
        end as rejection_reason

    from source

)

select * from checked
