"""The demo's wire desk: original French sample items in NewsML-G2 and ninjs.

The files under ``demo_samples/`` were written for this project (see its
README): two fictional agencies, "Zénith Dépêches" and "Dépêches du Maghreb",
credited as such in each item. ``make demo`` ingests them through the same
service an upload or a drop folder uses.
"""

from __future__ import annotations

from pathlib import Path

from django.db.models import Q

from .models import WireItemRecord
from .services.ingest import wire_ingest_path
from .services.log import IngestOutcome

SAMPLES_DIR = Path(__file__).resolve().parent / "demo_samples"
#: The fictional agencies' guid prefixes.
DEMO_GUID_PREFIXES = (
    "urn:zenith-depeches.example:",
    "urn:depeches-du-maghreb.example:",
)


def demo_wires_loaded() -> bool:
    query = Q()
    for prefix in DEMO_GUID_PREFIXES:
        query |= Q(guid__startswith=prefix)
    return WireItemRecord.objects.filter(query).exists()


def ensure_demo_wires() -> list[IngestOutcome]:
    """Ingest the sample wires once (nothing, not even log lines, on later runs)."""
    if demo_wires_loaded():
        return []
    outcomes: list[IngestOutcome] = []
    for folder in ("newsml-g2", "ninjs"):
        outcomes.extend(wire_ingest_path(path=SAMPLES_DIR / folder))
    return outcomes
