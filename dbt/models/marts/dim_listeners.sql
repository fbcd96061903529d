with

events as (

    select * from {{ ref('fct_listening_events') }}

),

ordered as (

    select *{{ rank_events('user_id', 'desc') }} from events

),

summarized as (

    select
        user_id,
        min(event_at) as first_event_at,
        max(event_at) as last_event_at,
        {{ pick_by_event_order('country_code', 'desc') }} as country_code,
        {{ pick_by_event_order('device_type', 'desc') }} as last_device_type

    from ordered
    group by user_id

)

select * from summarized
