"""Which files of a folder tree are wires, and the archive folders of a drop folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# Files a folder walk never treats as wires: pictures travel beside the stories,
# and partial uploads are still being written.
NON_WIRE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".gif", ".webp", ".tif", ".tiff", ".part", ".tmp", ".filepart"}
)
# Where folder polling moves the files it has read (see polling.py).
PROCESSED_DIR = "processed"
REJECTED_DIR = "rejected"
DROP_FOLDER_ARCHIVES = frozenset({PROCESSED_DIR, REJECTED_DIR})


def iter_wire_files(folder: Path, *, exclude: frozenset[str] = frozenset()) -> Iterator[Path]:
    """Files of a folder tree that may be wires: hidden files, pictures and partial
    uploads are left out, as are sub-folders named in ``exclude``."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in exclude)
        for name in sorted(files):
            candidate = Path(root) / name
            if is_wire_candidate(candidate):
                yield candidate


def is_wire_candidate(path: Path) -> bool:
    name = path.name
    return not (
        name.startswith((".", "~"))
        or name.endswith("~")
        or path.suffix.lower() in NON_WIRE_SUFFIXES
    )
