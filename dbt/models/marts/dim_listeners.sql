with

events as (

    select * from {{ ref('fct_listening_events') }}

),

ordered as (

    select
        user_id,
        country_code,
        device_type,
        event_at,
        row_number() over (partition by user_id order by event_at desc, event_id desc) as recency

    from events

),

summarized as (

    select
        user_id,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        max(case when recency = 1 then country_code end) as country_code,
        max(case when recency = 1 then device_type end) as last_device_type

    from ordered
    group by user_id

)

select * from summarized
