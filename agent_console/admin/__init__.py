"""Admin tasks over a store: demo data (``seed``), bulk import and export (``importer``, ``exporter``)."""
