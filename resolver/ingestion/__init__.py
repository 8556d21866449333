"""Ingestion: disclosure files -> canonical records in the case.

`readers` turn a CSV, XLSX or JSON Lines file into raw tables of text; `parsers` read money,
integers and dates; `mapping` maps raw tables to the canonical model with a platform's YAML
mapping, quarantining what cannot be used; `ingest` ties them together, all or nothing.
"""

from resolver.ingestion.ingest import FileResult, detect_platform, ingest

__all__ = ["FileResult", "detect_platform", "ingest"]
