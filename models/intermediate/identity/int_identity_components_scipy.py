"""Connected components of the guarded identity graph with scipy (DuckDB only; the engine used when
identity_cc_engine() is 'scipy', the default on DuckDB).

Same output as int_identity_components_sql: one row per non-quarantined identifier's node_key with
component_key = the smallest node_key of its component. scipy's union-find is exact, so there are no rounds
to bound. Enabled/disabled in _identity__models.yml.
"""

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def model(dbt, session):
    dbt.config(materialized="table")
    guarded = dbt.ref("int_identifiers_guarded")
    nodes = guarded.filter("not is_quarantined").project("node_key").fetchnumpy()["node_key"]
    edges = dbt.ref("int_identity_graph_edges").fetchnumpy()

    node_keys = np.sort(np.asarray(nodes, dtype=np.int64))
    low = np.searchsorted(node_keys, np.asarray(edges["node_key_low"], dtype=np.int64))
    high = np.searchsorted(node_keys, np.asarray(edges["node_key_high"], dtype=np.int64))
    n = len(node_keys)
    if len(low) and (
        not np.array_equal(node_keys[np.minimum(low, n - 1)], edges["node_key_low"])
        or not np.array_equal(node_keys[np.minimum(high, n - 1)], edges["node_key_high"])
    ):
        raise ValueError("int_identity_graph_edges references a node that is quarantined or unknown")

    graph = coo_matrix((np.ones(len(low), dtype=np.int8), (low, high)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # node keys are sorted, so the first node of each label is the smallest key of its component
    _, first = np.unique(labels, return_index=True)
    component_key = node_keys[first][labels]
    return pa.table({"node_key": pa.array(node_keys), "component_key": pa.array(component_key)})
