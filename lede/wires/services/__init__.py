"""Writes of the wire desk, one module per sub-domain.

* :mod:`.folders` — which files of a folder tree are wires;
* :mod:`.log` — the ingest log and the outcome of each item or file;
* :mod:`.ingest` — reading a file or an upload, each item in its own transaction;
* :mod:`.versions` — a new version of an item: stored, replaced or skipped;
* :mod:`.kills` — canceled or withheld by the agency: withdrawn everywhere it was used;
* :mod:`.desk` — the editors' actions (publish as a brève, create an article, ignore);
* :mod:`.autopublish` — urgent items published to the live feed without an editor.

Callers import from the module that owns what they need; this package
re-exports nothing.
"""
