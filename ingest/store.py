"""Compatibility: ``from ingest.store import IndexData`` keeps working.

The store itself now lives in :mod:`ingest.stores` (one Protocol, two
implementations, :func:`ingest.stores.make_store`); the build's data object in
:mod:`ingest.index_data`. New code imports from those.
"""

from ingest.index_data import IndexData

__all__ = ["IndexData"]
