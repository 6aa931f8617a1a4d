"""Connected components of the guarded identity graph with scipy (DuckDB only; the engine used when
var identity_cc_engine is 'scipy'; the default is the SQL rounds of int_identity_components_sql).

Same output as int_identity_components_sql: one row per non-quarantined identifier's node_key with
component_key = the smallest node_key of its component. scipy's graph search is exact, so there are no rounds
to bound. Enabled/disabled in _identity__models.yml.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def model(dbt, session):
    dbt.config(materialized="table")
    guarded = dbt.ref("int_identifiers_guarded")
    nodes = guarded.filter("not is_quarantined").project("node_key").fetchnumpy()["node_key"]
    edges = dbt.ref("int_identity_graph_edges").fetchnumpy()

    # number the 64-bit node keys 0..n-1 through a hash index (O(n); sorting is several times slower)
    index = pd.Index(np.asarray(nodes, dtype=np.int64))
    low = index.get_indexer(np.asarray(edges["node_key_low"], dtype=np.int64))
    high = index.get_indexer(np.asarray(edges["node_key_high"], dtype=np.int64))
    if (low < 0).any() or (high < 0).any():
        raise ValueError("int_identity_graph_edges references a node that is quarantined or unknown")

    n = len(index)
    graph = coo_matrix((np.ones(len(low), dtype=np.int8), (low, high)), shape=(n, n))
    count, labels = connected_components(graph, directed=False)
    keys = index.to_numpy()
    smallest = np.full(count, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(smallest, labels, keys)
    return pa.table({"node_key": pa.array(keys), "component_key": pa.array(smallest[labels])})
