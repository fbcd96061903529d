with

events as (

    select * from {{ ref('fct_listening_events') }}

),

daily as (

    select
        event_date,
        count(distinct user_id) as active_listeners,
        count(*) as events,
        {{ listening_measures() }}

    from events
    group by event_date

)

select * from daily
