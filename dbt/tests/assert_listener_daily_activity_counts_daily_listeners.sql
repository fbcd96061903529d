{#- Distinct listeners per day over listener_daily_activity equal daily_active_listeners, and its minutes add
    up to the same total: the finer grain loses and doubles nothing. -#}
with

activity as (

    select
        event_date,
        count(distinct user_id) as active_listeners,
        sum(events) as events,
        sum(ms_played) as ms_played

    from {{ ref('listener_daily_activity') }}
    group by event_date

),

daily as (

    select * from {{ ref('daily_active_listeners') }}

)

select
    coalesce(daily.event_date, activity.event_date) as event_date,
    daily.active_listeners as daily_listeners,
    activity.active_listeners as activity_listeners

from daily
full outer join activity on activity.event_date = daily.event_date
where daily.event_date is null
    or activity.event_date is null
    or daily.active_listeners <> activity.active_listeners
    or daily.events <> activity.events
    or daily.ms_played <> activity.ms_played
