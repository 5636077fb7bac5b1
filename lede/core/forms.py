"""The site's form rendering: label above, then the field, its error beside
it, then the help text (Django's default puts the help, password rules
included, between the label and the field)."""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates


class LedeFormRenderer(DjangoTemplates):
    field_template_name = "lede/forms/field.html"
