{#- Exactly-once, checked inside the warehouse: every bronze row's object is in the load manifest, and each
    manifest entry's row count is exactly the rows bronze holds for that object (no partial or double load),
    and its rejected count exactly the lines the loader kept out of bronze for it. -#}
with

manifest as (

    select object_key, row_count, coalesce(rejected_count, 0) as rejected_count
    from {{ source('lake', '_load_manifest') }}
    where bronze_table = 'listening_events'

),

bronze as (

    select _object_key as object_key, count(*) as bronze_rows
    from {{ source('lake', 'listening_events') }}
    group by _object_key

),

rejected as (

    select object_key, count(*) as rejected_rows
    from {{ source('lake', '_rejected_rows') }}
    where bronze_table = 'listening_events'
    group by object_key

)

select
    coalesce(manifest.object_key, bronze.object_key, rejected.object_key) as object_key,
    manifest.row_count,
    bronze.bronze_rows,
    manifest.rejected_count,
    rejected.rejected_rows

from manifest
full outer join bronze on bronze.object_key = manifest.object_key
full outer join rejected on rejected.object_key = coalesce(manifest.object_key, bronze.object_key)
where manifest.object_key is null
    or coalesce(bronze.bronze_rows, 0) <> manifest.row_count
    or coalesce(rejected.rejected_rows, 0) <> manifest.rejected_count
