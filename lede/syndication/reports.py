"""The monthly usage report of a licence, for invoicing: CSV and PDF."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string

from .selectors import Usage

CSV_HEADER = [
    "mois",
    "licence",
    "organisation",
    "clé",
    "identifiant",
    "appels",
    "éléments",
    "texte intégral",
]


def usage_csv(usage: Usage) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    licence = usage.licence
    for row in usage.rows:
        writer.writerow(
            [
                usage.month,
                licence.name,
                licence.organisation.name,
                row.key_name,
                row.key_prefix,
                row.calls,
                row.items,
                row.full_items,
            ]
        )
    writer.writerow(
        [
            usage.month,
            licence.name,
            licence.organisation.name,
            "TOTAL",
            "",
            usage.calls,
            usage.items,
            "",
        ]
    )
    writer.writerow(
        [
            usage.month,
            licence.name,
            licence.organisation.name,
            "articles distincts en texte intégral",
            "",
            "",
            "",
            usage.distinct_full,
        ]
    )
    return out.getvalue()


def usage_html(usage: Usage) -> str:
    return render_to_string("syndication/usage_report.html", {"usage": usage})


def usage_pdf(usage: Usage) -> bytes:
    from weasyprint import HTML  # heavy: loaded only when a PDF is asked for

    pdf: bytes = HTML(string=usage_html(usage)).write_pdf()
    return pdf
