"""ninjs, IPTC's news in JSON: versions 1.x (``headline``, ``body_html``…), 2.x
(``headlines``, ``bodies``, renditions as an object) and 3.x (camelCase names,
renditions and associations as arrays).

Property names are matched without regard to case or underscores, so
``copyrightNotice``, ``copyrightnotice`` and ``copyright_notice`` are one field.
Validation is light: a field of the wrong type is ignored with a warning, and
an item is accepted as long as it has an identifier (``uri``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .markup import html_string_to_html, text_to_html
from .nitf import is_nitf, parse_nitf
from .text import (
    clean_multiline,
    clean_text,
    language_code,
    normalise_pub_status,
    parse_datetime,
    parse_int,
    parse_urgency,
    qcode_from_uri,
    unique,
)
from .types import ParseError, ParseResult, Photo, Subject, WireItem
from .xmlsafe import parse_xml_string

# Keys that only ninjs uses, to tell a ninjs object from any other JSON.
NINJS_KEYS = frozenset(
    {
        "uri", "headline", "headlines", "bodyhtml", "bodytext", "bodies", "versioncreated",
        "firstcreated", "pubstatus", "renditions", "associations", "descriptions", "standard",
        "representationtype", "byline", "by", "located",
    }
)  # fmt: skip
NOT_NEWS = {
    "event": "ninjs de type « event » : événement d'agenda, pas une dépêche",
    "planning": "ninjs de type « planning » : prévision de couverture, pas une dépêche",
}
PICTURE_TYPES = frozenset({"picture", "graphic"})
HTML_BODY_ROLES = frozenset({"html", "xhtml", "html5", "richhtml5", "richhtml"})
SUMMARY_ROLES = frozenset(
    {"", "summary", "lead", "abstract", "text", "teaser", "ingress", "standfirst", "intro"}
)
SUB_HEADLINE_ROLES = frozenset({"sub", "subheadline", "subhead", "subtitle", "standfirst"})
CONCEPT_KINDS = (
    (("subjects", "subject"), ""),
    (("people", "person"), "person"),
    (("organisations", "organisation", "organizations", "organization"), "organisation"),
    (("places", "place"), "geoArea"),
    (("events", "event"), "event"),
    (("objects", "object"), "object"),
)

JsonObject = Mapping[str, Any]


class _Fields:
    """Read access to a ninjs object by normalised property name."""

    def __init__(self, obj: JsonObject, result: ParseResult, where: str) -> None:
        self.values = {_key(name): value for name, value in obj.items()}
        self.result = result
        self.where = where

    def raw(self, *names: str) -> Any:
        for name in names:
            value = self.values.get(_key(name))
            if value is not None:
                return value
        return None

    def text(self, *names: str) -> str:
        value = self.raw(*names)
        if value is None:
            return ""
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return clean_text(value)
        self.result.warn(f"{self.where} : « {names[0]} » devrait être une chaîne, ignoré.")
        return ""

    def objects(self, *names: str) -> list[JsonObject]:
        """A list of objects; a ninjs 1.x/2.x object keyed by name becomes a list."""
        value = self.raw(*names)
        if value is None:
            return []
        if isinstance(value, Mapping):
            return [
                {"name": key, **entry} if isinstance(entry, Mapping) else {"name": key}
                for key, entry in value.items()
            ]
        if isinstance(value, list):
            return [entry for entry in value if isinstance(entry, Mapping)]
        self.result.warn(f"{self.where} : « {names[0]} » devrait être une liste, ignoré.")
        return []

    def date(self, *names: str) -> datetime | None:
        value = self.text(*names)
        parsed = parse_datetime(value)
        if value and parsed is None:
            self.result.warn(f"{self.where} : date « {names[0]} » illisible « {value} ».")
        return parsed


def _key(name: str) -> str:
    return name.replace("_", "").replace("-", "").lower()


def looks_like_ninjs(obj: JsonObject) -> bool:
    return any(_key(name) in NINJS_KEYS for name in obj)


def parse(obj: JsonObject, result: ParseResult) -> None:
    result.format = "ninjs"
    fields = _Fields(obj, result, "ninjs")
    uri = fields.raw("uri", "guid")
    if not isinstance(uri, str) or not uri.strip():
        raise ParseError("Dépêche ninjs invalide : identifiant « uri » absent ou vide.")
    guid = fields.where = uri.strip()
    kind = fields.text("type").lower() or "text"
    if kind in NOT_NEWS:
        result.skip(guid, NOT_NEWS[kind])
        return
    result.items.append(_build_item(guid, kind, fields, result))


def _build_item(guid: str, kind: str, fields: _Fields, result: ParseResult) -> WireItem:
    item = WireItem(guid=guid, format="ninjs", item_class=kind)
    raw_version = fields.text("version")
    version = parse_int(raw_version) if raw_version else 1
    if version is None or version < 0:
        result.warn(f"{guid} : version « {raw_version} » illisible, lue 1.")
        version = 1
    item.version = version
    item.version_created = fields.date("versionCreated")
    item.first_created = fields.date("firstCreated", "contentCreated")
    item.embargo = fields.date("embargoedUntil", "embargoed")
    raw_status = fields.text("pubStatus")
    if raw_status:
        status = normalise_pub_status(raw_status)
        if status is None:
            result.warn(f"{guid} : statut « {raw_status} » inconnu, lu « usable ».")
        else:
            item.pub_status = status
    raw_urgency = fields.raw("urgency")
    item.urgency = parse_urgency(raw_urgency)
    if raw_urgency is not None and item.urgency is None:
        result.warn(f"{guid} : urgence « {raw_urgency} » hors de l'échelle 1-9, ignorée.")

    item.language_tag = fields.text("language", "lang")
    item.language = language_code(item.language_tag)
    raw_note = fields.raw("edNote")
    item.ednote = clean_multiline(raw_note) if isinstance(raw_note, str) else ""
    item.slugline = fields.text("slugline")
    item.byline = fields.text("by", "byline")
    item.located = fields.text("located")
    item.dateline = item.located

    holder = fields.text("copyrightHolder")
    item.copyright = fields.text("copyrightNotice") or holder
    item.copyright_holder = holder
    item.usage_terms = fields.text("usageTerms")
    rights_info = fields.raw("rightsInfo")
    if isinstance(rights_info, dict):
        link = rights_info.get("linkedRights") or rights_info.get("linkedrights")
        item.rights_link = link.strip() if isinstance(link, str) else ""
    item.provider = holder

    # Headlines: 1.x "headline", 2.x+ "headlines" with roles.
    headlines = fields.objects("headlines")
    main = [h for h in headlines if _role(h) not in SUB_HEADLINE_ROLES]
    subs = [h for h in headlines if _role(h) in SUB_HEADLINE_ROLES]
    item.headline = (
        _value(_first(main, "main", "")) or fields.text("headline") or fields.text("title")
    )
    item.subheadline = _value(_first(subs, *SUB_HEADLINE_ROLES))

    descriptions = fields.objects("descriptions")
    caption = _value(_first(_with_roles(descriptions, {"caption"})))
    creditline = _value(_first(_with_roles(descriptions, {"creditline", "credit"})))
    summary = _value(_first(_with_roles(descriptions, SUMMARY_ROLES)))
    legacy_summary = fields.text("description_text") or fields.text("description_html")
    item.subheadline = item.subheadline or summary or legacy_summary
    if kind in PICTURE_TYPES:
        caption = caption or summary or legacy_summary
    item.credit = creditline or holder

    _body(fields, item, result)

    item.subjects = _subjects(fields)
    keywords = fields.raw("keywords")
    if isinstance(keywords, list):
        item.keywords = unique(clean_text(k) for k in keywords if isinstance(k, str))

    if kind in PICTURE_TYPES:
        photo_credit = creditline or item.byline or holder
        item.photos = _photos(fields.objects("renditions"), guid, caption, photo_credit)

    for association in fields.objects("associations"):
        assoc = _Fields(association, result, guid)
        assoc_uri = assoc.text("uri", "guid")
        if assoc_uri:
            item.associations.append(assoc_uri)
        assoc_type = assoc.text("type").lower()
        renditions = assoc.objects("renditions")
        if assoc_type in PICTURE_TYPES or (not assoc_type and _has_images(renditions)):
            descs = assoc.objects("descriptions")
            assoc_caption = (
                _value(_first(_with_roles(descs, {"caption"})))
                or _value(_first(_with_roles(descs, SUMMARY_ROLES)))
                or assoc.text("description_text")
                or assoc.text("headline")
            )
            assoc_credit = (
                _value(_first(_with_roles(descs, {"creditline", "credit"})))
                or assoc.text("by", "byline")
                or assoc.text("copyrightHolder")
            )
            item.photos.extend(_photos(renditions, assoc_uri or guid, assoc_caption, assoc_credit))
    item.associations = unique(item.associations)
    return item


def _body(fields: _Fields, item: WireItem, result: ParseResult) -> None:
    bodies = fields.objects("bodies")
    html_bodies = [b for b in bodies if "html" in _content_type(b) or _role(b) in HTML_BODY_ROLES]
    nitf_bodies = [b for b in bodies if "nitf" in _content_type(b) or _role(b) == "nitf"]
    text_bodies = [
        b for b in bodies if _content_type(b) == "text/plain" or _role(b) in {"text", "plain"}
    ]
    for body in html_bodies:
        item.body_html = html_string_to_html(_raw_value(body), headline=item.headline)
        if item.body_html:
            return
    legacy_html = fields.raw("body_html")
    if isinstance(legacy_html, str):
        item.body_html = html_string_to_html(legacy_html, headline=item.headline)
        if item.body_html:
            return
    for body in nitf_bodies:
        try:
            root = parse_xml_string(_raw_value(body))
        except ParseError as exc:
            result.warn(f"{item.guid} : corps NITF illisible ({exc}).")
            continue
        if not is_nitf(root):
            continue
        parts = parse_nitf(root, headline=item.headline)
        item.body_html = parts.body_html
        item.byline = item.byline or parts.byline
        item.dateline = item.dateline or parts.dateline
        item.copyright = item.copyright or parts.copyright
        if item.body_html:
            return
    for body in text_bodies:
        item.body_html = text_to_html(_raw_value(body))
        if item.body_html:
            return
    legacy_text = fields.raw("body_text")
    if isinstance(legacy_text, str):
        item.body_html = text_to_html(legacy_text)


def _subjects(fields: _Fields) -> list[Subject]:
    subjects: list[Subject] = []
    for names, kind in CONCEPT_KINDS:
        for entry in fields.objects(*names):
            concept = _Fields(entry, fields.result, fields.where)
            name = concept.text("name")
            code = (
                qcode_from_uri(concept.text("uri"))
                or concept.text("literal")
                or concept.text("qcode")
            )
            legacy_code = concept.text("code")
            if not code and legacy_code:
                scheme = concept.text("scheme")
                if scheme.startswith(("http://", "https://")):
                    code = qcode_from_uri(f"{scheme.rstrip('/')}/{legacy_code}")
                else:
                    code = f"{scheme}:{legacy_code}" if scheme else legacy_code
            if not (code or name):
                continue
            subject = Subject(code=code, name=name, kind=kind)
            if subject not in subjects:
                subjects.append(subject)
    return subjects


def _photos(renditions: Iterable[JsonObject], guid: str, caption: str, credit: str) -> list[Photo]:
    photos: list[Photo] = []
    for rendition in renditions:
        fields = {_key(k): v for k, v in rendition.items()}
        href = fields.get("href")
        mimetype = str(fields.get("contenttype") or fields.get("mimetype") or "").strip()
        if not isinstance(href, str) or not href.strip():
            continue
        if mimetype and not mimetype.lower().startswith("image/"):
            continue
        photos.append(
            Photo(
                href=href.strip(),
                caption=caption,
                credit=credit,
                width=parse_int(fields.get("width")),
                height=parse_int(fields.get("height")),
                mimetype=mimetype,
                rendition=clean_text(fields.get("name") or ""),
                guid=guid,
            )
        )
    return photos


def _has_images(renditions: Iterable[JsonObject]) -> bool:
    for rendition in renditions:
        fields = {_key(k): v for k, v in rendition.items()}
        if str(fields.get("contenttype") or fields.get("mimetype") or "").startswith("image/"):
            return True
    return False


def _role(entry: JsonObject) -> str:
    role = entry.get("role")
    return role.strip().lower() if isinstance(role, str) else ""


def _content_type(entry: JsonObject) -> str:
    value = entry.get("contentType", entry.get("contenttype"))
    return value.strip().lower() if isinstance(value, str) else ""


def _with_roles(entries: Iterable[JsonObject], roles: Iterable[str]) -> list[JsonObject]:
    wanted = set(roles)
    return [entry for entry in entries if _role(entry) in wanted]


def _first(entries: list[JsonObject], *roles: str) -> JsonObject | None:
    """The first entry with the first role found, in the order of ``roles``."""
    for role in roles:
        for entry in entries:
            if _role(entry) == role:
                return entry
    return entries[0] if entries else None


def _raw_value(entry: JsonObject) -> str:
    value = entry.get("value")
    return value if isinstance(value, str) else ""


def _value(entry: JsonObject | None) -> str:
    """A headline or description as the agency wrote it, HTML or not: every
    plain-text field becomes text once, for all formats, in parsers/__init__.py."""
    if entry is None:
        return ""
    return clean_text(_raw_value(entry))
