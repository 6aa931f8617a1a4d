"""Connected components of the guarded identity graph with scipy (DuckDB only; the engine used when
var identity_cc_engine is 'scipy'; the default is the SQL rounds of int_identity_components_sql).

Same output as int_identity_components_sql: one row per non-quarantined identifier's node_key with
component_key = the smallest node_key of its component. scipy's graph search is exact, so there are no rounds
to bound. Enabled/disabled in _identity__models.yml.

Incremental like the SQL model (issue 18, macro identity_components_affected_sql for the rule): a daily run
recomputes only the nodes of components touched by an edge added or removed, or by a node that joined or left
the graph, since the edge list of the previous run (<this>__edges_applied, written by the post-hook set in
_identity__models.yml); every other row stays. Nodes that left the graph come back as tombstones (component_key
NULL), which the replace_keys strategy deletes.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def components(nodes: np.ndarray, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(node_key, component_key = smallest node_key of the component) for every node."""
    # number the 64-bit node keys 0..n-1 through a hash index (O(n); sorting is several times slower)
    index = pd.Index(np.asarray(nodes, dtype=np.int64))
    low_at = index.get_indexer(np.asarray(low, dtype=np.int64))
    high_at = index.get_indexer(np.asarray(high, dtype=np.int64))
    if (low_at < 0).any() or (high_at < 0).any():
        raise ValueError("int_identity_graph_edges references a node that is quarantined or unknown")
    n = len(index)
    graph = coo_matrix((np.ones(len(low_at), dtype=np.int8), (low_at, high_at)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    keys = index.to_numpy()
    smallest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, labels, keys)
    return keys, smallest[labels]


def _pairs(frame: pd.DataFrame) -> pd.MultiIndex:
    return pd.MultiIndex.from_arrays([frame["node_key_low"].to_numpy(), frame["node_key_high"].to_numpy()])


def affected_nodes(
    previous: pd.DataFrame, applied: pd.DataFrame | None, nodes: np.ndarray, edges: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """(nodes to recompute that are in the graph, nodes that left it): the rule of
    macro identity_components_affected_sql, on frames."""
    previous_keys = previous["node_key"].to_numpy()
    in_graph = np.isin(previous_keys, nodes)
    if applied is None:
        touched = previous["component_key"].to_numpy()
    else:
        current_pairs, applied_pairs = _pairs(edges), _pairs(applied)
        changed = current_pairs.difference(applied_pairs).append(applied_pairs.difference(current_pairs))
        ends = np.concatenate(
            [changed.get_level_values(0).to_numpy(), changed.get_level_values(1).to_numpy(),
             previous_keys[~in_graph]]
        )
        touched = previous["component_key"].to_numpy()[np.isin(previous_keys, ends)]
    recompute = previous_keys[np.isin(previous["component_key"].to_numpy(), touched)]
    new_nodes = nodes[~np.isin(nodes, previous_keys)]
    return np.concatenate([recompute[np.isin(recompute, nodes)], new_nodes]), previous_keys[~in_graph]


def model(dbt, session):
    dbt.config(
        materialized="incremental",
        incremental_strategy="replace_keys",
        unique_key="node_key",
        tombstone_column="component_key",
        on_schema_change="fail",
    )
    guarded = dbt.ref("int_identifiers_guarded")
    nodes = np.asarray(guarded.filter("not is_quarantined").project("node_key").fetchnumpy()["node_key"],
                       dtype=np.int64)
    edges = dbt.ref("int_identity_graph_edges").df()

    if not dbt.is_incremental:
        keys, component_keys = components(nodes, edges["node_key_low"], edges["node_key_high"])
        return pa.table({"node_key": pa.array(keys), "component_key": pa.array(component_keys)})

    this = dbt.this
    previous = session.sql(f"select node_key, component_key from {this}").df()
    applied_name = f'"{this.database}"."{this.schema}"."{this.identifier}__edges_applied"'
    exists = session.sql(
        "select count(*) from information_schema.tables "
        f"where table_schema = '{this.schema}' and table_name = '{this.identifier}__edges_applied'"
    ).fetchall()[0][0]
    applied = session.sql(f"select node_key_low, node_key_high from {applied_name}").df() if exists else None
    recompute, gone = affected_nodes(previous, applied, nodes, edges)
    kept_edges = edges[np.isin(edges["node_key_low"].to_numpy(), recompute)]
    keys, component_keys = components(recompute, kept_edges["node_key_low"], kept_edges["node_key_high"])
    return pa.table(
        {
            "node_key": pa.array(np.concatenate([keys, gone]), type=pa.int64()),
            "component_key": pa.array(
                np.concatenate([component_keys, np.zeros(len(gone), dtype=np.int64)]),
                mask=np.concatenate([np.zeros(len(keys), bool), np.ones(len(gone), bool)]),
                type=pa.int64(),
            ),
        }
    )
