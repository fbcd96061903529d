{#- Exactly-once, checked inside the warehouse: every bronze row's object is in the load manifest, and each
    manifest entry's row count is exactly the rows bronze holds for that object (no partial or double load). -#}
with

manifest as (

    select object_key, row_count from {{ source('lake', '_load_manifest') }}
    where bronze_table = 'listening_events'

),

bronze as (

    select _object_key as object_key, count(*) as bronze_rows
    from {{ source('lake', 'listening_events') }}
    group by _object_key

)

select
    coalesce(manifest.object_key, bronze.object_key) as object_key,
    manifest.row_count,
    bronze.bronze_rows

from manifest
full outer join bronze on bronze.object_key = manifest.object_key
where manifest.object_key is null or coalesce(bronze.bronze_rows, 0) <> manifest.row_count
