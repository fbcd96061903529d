{#- Fails on every row where the column exceeds another column of the same row (e.g. skips <= plays). -#}
{% test at_most(model, column_name, other_column) %}

select {{ column_name }}, {{ other_column }}
from {{ model }}
where {{ column_name }} > {{ other_column }}

{% endtest %}
