"""Index stores behind one Protocol (:class:`ingest.stores.base.BuildStore`), chosen here from settings."""

from __future__ import annotations

from ingest.settings import Settings
from ingest.stores.base import BuildStore, DenseSearch, new_build_id

__all__ = ["BuildStore", "DenseSearch", "make_store", "new_build_id"]


def make_store(settings: Settings) -> BuildStore:
    """The one place that picks a store: ``FA_CHROMA_MODE=server`` for a shared Chroma server, else embedded."""
    if settings.chroma_mode == "server":
        from ingest.stores.chroma_server import ChromaServerStore

        return ChromaServerStore(settings)
    from ingest.stores.local import LocalStore

    return LocalStore(settings)
