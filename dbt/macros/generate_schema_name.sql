{#- Layer schemas. A pipeline's own runs (the loader's `batch`, what the operator schedules) build the plain
    `silver` and `gold` that the insights service and the gold snapshot read: that is the production default.
    A run given its own target schema (DBT_SCHEMA, e.g. a developer's or a CI job's) builds
    `<target schema>_silver` and `<target schema>_gold` instead, so it never writes over another run's layers. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set run_schema = env_var('DBT_SCHEMA', '') | trim -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif run_schema -%}{{ run_schema }}_{{ custom_schema_name | trim }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
