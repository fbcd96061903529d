{#- Listening by UTC hour of the week (ISO: Monday = 1). -#}
with

events as (

    select * from {{ ref('fct_listening_events') }}

),

placed as (

    select
        *,
        {{ iso_day_of_week('event_at') }} as iso_day_of_week,
        cast(extract(hour from event_at) as integer) as hour_of_day

    from events

)

select
    iso_day_of_week,
    hour_of_day,
    (iso_day_of_week - 1) * 24 + hour_of_day as hour_of_week,
    count(distinct user_id) as listeners,
    {{ listening_measures() }}

from placed
group by iso_day_of_week, hour_of_day
