"""Bylines of the Arabic edition: the Arabic spelling of the demo's
(fictional) journalists, by their slug in :data:`.people.AUTHORS`. The Arabic
articles are signed by the same authors; a loader that localises author
snippets (or prints bylines per edition) takes their Arabic names here.
"""

from __future__ import annotations

NAMES_AR: dict[str, str] = {
    "nadia-chraibi": "نادية الشرايبي",
    "karim-benjelloun": "كريم بنجلون",
    "hicham-ouazzani": "هشام الوزاني",
    "meriem-tahiri": "مريم الطاهري",
}
