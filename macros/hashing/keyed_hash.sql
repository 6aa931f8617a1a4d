{#-
    Pseudonymous id: lower-case hex HMAC-SHA256 of the text under the secret key OMNI_HASH_KEY.
    The key never enters Jinja: the SQL only calls a UDF that the engine provides, so compiled SQL, target/
    and dbt logs show the function call, never the key. NULL in, NULL out. The text is hashed exactly as given
    (UTF-8); normalise it first (e.g. normalize_cn_mobile()) so that equal values hash equally.
-#}
{% macro keyed_hash(expr) -%}
    {{ return(adapter.dispatch('keyed_hash', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{#- DuckDB: omni_keyed_hash() is registered on every connection by the dbt-duckdb plugin omniwh.duckdb_plugin -#}
{% macro duckdb__keyed_hash(expr) -%}
    omni_keyed_hash(cast({{ expr }} as varchar))
{%- endmacro %}

{#-
    Other engines (Spark): register a deterministic UDF named omni_keyed_hash(string) -> string computing the
    same hex HMAC-SHA256 with the key read from the cluster's secret store, e.g. in PySpark
    spark.udf.register('omni_keyed_hash', fn, 'string') in the session init. Without it the query fails with
    an unknown-function error rather than silently writing an unkeyed hash.
-#}
{% macro default__keyed_hash(expr) -%}
    omni_keyed_hash(cast({{ expr }} as {{ dbt.type_string() }}))
{%- endmacro %}
