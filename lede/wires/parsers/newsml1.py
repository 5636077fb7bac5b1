"""NewsML 1.x (IPTC, 2000-2008), still sent by some agencies (Business Wire…).

A NewsItem is a tree of NewsComponents; each component may carry a Role
(Body, Photo, Logo, SubHeadLine…), NewsLines, metadata and ContentItems.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from .markup import element_to_html, html_string_to_html, text_to_html
from .nitf import is_nitf, parse_nitf
from .text import (
    clean_multiline,
    clean_text,
    language_code,
    normalise_pub_status,
    parse_datetime,
    parse_int,
    parse_urgency,
    unique,
)
from .types import ParseResult, Photo, Subject, WireItem
from .xmlsafe import Element, Scope, attr, is_element, local_name, namespace, text_of

NEWSML1_NS = "http://iptc.org/std/NewsML/2003-10-10/"
N1 = Scope(NEWSML1_NS)

BODY_ROLES = frozenset({"body", "main", "text", "article", "story"})
PHOTO_ROLES = frozenset({"photo", "picture", "image", "graphic", "graphics", "illustration"})
# Components that are neither the story nor its pictures.
IGNORED_ROLES = frozenset({"stylesheet", "logo", "contact", "headline", "caption"})
TEXT_TYPES = ("text/", "application/xhtml", "application/nitf", "application/xml")


def accepts(root: Element) -> bool:
    return local_name(root) == "NewsML" and namespace(root) in {"", NEWSML1_NS}


def parse(root: Element, result: ParseResult) -> None:
    result.format = "newsml-1"
    envelope = N1.child(root, "NewsEnvelope")
    sender = attr(N1.path(envelope, "SentFrom", "Party"), "FormalName")
    items = N1.children(root, "NewsItem")
    if not items:
        result.warn("Fichier NewsML 1 sans NewsItem.")
    for news_item in items:
        _parse_news_item(news_item, sender, result)


@dataclass
class _Component:
    element: Element
    role: str
    depth: int


def _components(el: Element, depth: int = 0) -> Iterator[_Component]:
    """Every NewsComponent under ``el``, parents first, in document order."""
    for component in N1.children(el, "NewsComponent"):
        role = attr(N1.child(component, "Role"), "FormalName").lower()
        yield _Component(component, role, depth)
        yield from _components(component, depth + 1)


def _parse_news_item(news_item: Element, sender: str, result: ParseResult) -> None:
    identifier = N1.path(news_item, "Identification", "NewsIdentifier")
    provider_id = text_of(N1.child(identifier, "ProviderId"))
    date_id = text_of(N1.child(identifier, "DateId"))
    item_id = text_of(N1.child(identifier, "NewsItemId"))
    public_id = text_of(N1.child(identifier, "PublicIdentifier"))
    if provider_id and item_id:
        # The PublicIdentifier ends with the revision: keep the stable part only.
        guid = f"urn:newsml:{provider_id}:{date_id}:{item_id}"
    else:
        guid = public_id
    if not guid:
        result.skip("NewsItem", "NewsItem sans identifiant (NewsIdentifier) : ignoré")
        return
    if N1.child(news_item, "NewsComponent") is None:
        if N1.children(news_item, "Update", "TopicSet"):
            result.skip(guid, "mise à jour partielle NewsML 1 (Update) non prise en charge")
        else:
            result.skip(guid, "NewsItem sans NewsComponent : aucun contenu")
        return
    raw_version = text_of(N1.child(identifier, "RevisionId"))
    version = parse_int(raw_version) if raw_version else 1
    if version is None or version < 0:
        result.skip(guid, f"version invalide « {raw_version} »")
        return

    item = WireItem(guid=guid, format="newsml-1", version=version)
    management = N1.child(news_item, "NewsManagement")
    item.first_created = _date(N1.child(management, "FirstCreated"), guid, result)
    item.version_created = _date(N1.child(management, "ThisRevisionCreated"), guid, result)
    item.urgency = parse_urgency(attr(N1.child(management, "Urgency"), "FormalName"))
    _status(management, item, result)
    item.associations = unique(
        attr(assoc, "NewsItem") for assoc in N1.children(management, "AssociatedWith")
    )
    item.ednote = clean_multiline(
        "\n".join(text_of(note) for note in N1.children(management, "Instruction"))
    )

    components = list(_components(news_item))
    story = [c for c in components if c.role not in PHOTO_ROLES | IGNORED_ROLES]

    def line(name: str) -> str:
        for component in story:
            for news_lines in N1.children(component.element, "NewsLines"):
                value = text_of(N1.child(news_lines, name))
                if value:
                    return value
        return ""

    item.headline = line("HeadLine")
    item.subheadline = line("SubHeadLine")
    item.byline = line("ByLine")
    item.dateline = line("DateLine")
    item.slugline = line("SlugLine")
    item.copyright = line("CopyrightLine")
    credit = line("CreditLine")

    all_elements = [news_item, *(c.element for c in story)]
    language = ""
    for component in story:
        language = attr(N1.path(component.element, "DescriptiveMetadata", "Language"), "FormalName")
        if language:
            break
    item.language_tag = language
    item.language = language_code(language)

    provider = holder = ""
    for component in story:
        admin = N1.child(component.element, "AdministrativeMetadata")
        rights = N1.path(component.element, "RightsMetadata", "Copyright")
        provider = provider or attr(N1.path(admin, "Provider", "Party"), "FormalName")
        holder = holder or attr(N1.child(rights, "CopyrightHolder"), "FormalName")
    item.copyright = item.copyright or holder
    item.provider = provider or sender or provider_id
    item.credit = credit or item.provider

    item.subjects = _subjects(all_elements)
    item.keywords = _keywords(news_item, story)
    item.located = _located(story)
    item.dateline = item.dateline or item.located

    for component in components:
        for ref in N1.children(component.element, "NewsItemRef"):
            if attr(ref, "NewsItem"):
                item.associations.append(attr(ref, "NewsItem"))
    item.associations = unique(item.associations)

    body_components = [c for c in story if c.role in BODY_ROLES] or [c for c in story if not c.role]
    for component in body_components:
        for content_item in N1.children(component.element, "ContentItem"):
            item.body_html = _content_html(content_item, item)
            if item.body_html:
                break
        if item.body_html:
            break

    if not item.subheadline:
        for component in components:
            if component.role == "subheadline":
                item.subheadline = _content_text(component.element)
                break

    pictures = [c.element for c in components if c.role in PHOTO_ROLES]
    for index, component in enumerate(pictures, start=1):
        item.photos.extend(_photos(component, item, index))
    if item.photos and not item.body_html:
        item.item_class = "picture"
    result.items.append(item)


def _status(management: Element | None, item: WireItem, result: ParseResult) -> None:
    raw = attr(N1.child(management, "Status"), "FormalName")
    if not raw:
        return
    change = N1.child(management, "StatusWillChange")
    if raw.lower() == "embargoed":
        item.embargo = _date(N1.child(change, "DateAndTime"), item.guid, result)
        if item.embargo is None:
            item.pub_status = "withheld"
            result.warn(f"{item.guid} : embargo sans date de levée, lu « withheld ».")
        return
    status = normalise_pub_status(raw)
    if status is None:
        result.warn(f"{item.guid} : statut « {raw} » inconnu, lu « usable ».")
        return
    item.pub_status = status


def _date(el: Element | None, guid: str, result: ParseResult) -> datetime | None:
    value = text_of(el)
    parsed = parse_datetime(value)
    if parsed is None and value:
        result.warn(f"{guid} : date illisible « {value} ».")
    return parsed


def _subjects(elements: list[Element]) -> list[Subject]:
    subjects: list[Subject] = []
    for el in elements:
        for code in N1.all(el, "DescriptiveMetadata", "SubjectCode"):
            for subject in code:
                if not N1.match(subject, "Subject", "SubjectMatter", "SubjectDetail"):
                    continue
                formal = attr(subject, "FormalName")
                if not formal:
                    continue
                scheme = attr(subject, "Scheme")
                value = Subject(
                    code=f"{scheme}:{formal}" if scheme else f"subj:{formal}",
                    name="",
                    kind="abstract",
                )
                if value not in subjects:
                    subjects.append(value)
    return subjects


def _keywords(news_item: Element, story: list[_Component]) -> list[str]:
    values: list[str] = []
    for el in [news_item, *(c.element for c in story)]:
        for news_lines in N1.children(el, "NewsLines"):
            values.extend(text_of(kw) for kw in N1.children(news_lines, "KeywordLine"))
        for metadata in N1.children(el, "Metadata"):
            kind = attr(N1.child(metadata, "MetadataType"), "FormalName").lower()
            if "keyword" in kind:
                values.extend(
                    clean_text(attr(prop, "Value")) for prop in N1.children(metadata, "Property")
                )
    return unique(values)


def _located(story: list[_Component]) -> str:
    for component in story:
        for location in N1.all(component.element, "DescriptiveMetadata", "Location"):
            values = {
                attr(prop, "FormalName").lower(): attr(prop, "Value")
                for prop in N1.children(location, "Property")
            }
            for key in ("city", "region", "country"):
                if values.get(key):
                    return clean_text(values[key])
    return ""


def _content_html(content_item: Element, item: WireItem) -> str:
    mimetype = attr(N1.child(content_item, "MimeType"), "FormalName").lower()
    if mimetype and not mimetype.startswith(TEXT_TYPES):
        return ""
    data = N1.child(content_item, "DataContent")
    if data is None:
        return ""
    for child in data:
        if not is_element(child):
            continue
        if is_nitf(child):
            parts = parse_nitf(child, headline=item.headline)
            item.byline = item.byline or parts.byline
            item.subheadline = item.subheadline or parts.subheadline or parts.abstract
            return parts.body_html
        body = next((c for c in child if local_name(c) == "body"), None)
        return element_to_html(body if body is not None else child, headline=item.headline)
    text = data.text or ""
    if "html" in mimetype:
        return html_string_to_html(text, headline=item.headline)
    return text_to_html(text)


def _content_text(component: Element) -> str:
    """Plain text of a small component (sub-headline): one line per block."""
    for content_item in N1.children(component, "ContentItem"):
        data = N1.child(content_item, "DataContent")
        if data is None:
            continue
        blocks = [
            text_of(el)
            for el in data.iter()
            if is_element(el) and local_name(el) in {"p", "li", "h2", "h3"}
        ]
        text = "\n".join(b for b in blocks if b) or text_of(data)
        if text:
            return clean_multiline(text)
    return ""


def _photos(component: Element, item: WireItem, index: int) -> list[Photo]:
    """Each ContentItem is one rendition; they share the picture's guid."""
    lines = N1.child(component, "NewsLines")
    caption = text_of(N1.child(lines, "CaptionLine")) or text_of(N1.child(lines, "HeadLine"))
    credit = text_of(N1.child(lines, "CreditLine")) or item.credit
    photos: list[Photo] = []
    for content_item in N1.children(component, "ContentItem"):
        href = attr(content_item, "Href")
        mimetype = attr(N1.child(content_item, "MimeType"), "FormalName")
        if not href or (mimetype and not mimetype.startswith("image/")):
            continue
        props = {
            attr(prop, "FormalName").lower(): attr(prop, "Value")
            for prop in N1.all(content_item, "Characteristics", "Property")
        }
        characteristics = N1.child(content_item, "Characteristics")
        width = props.get("pixelwidth") or props.get("width") or ""
        height = props.get("pixelheight") or props.get("height") or ""
        photos.append(
            Photo(
                href=href,
                caption=caption,
                credit=credit,
                width=parse_int(width or text_of(N1.child(characteristics, "Width"))),
                height=parse_int(height or text_of(N1.child(characteristics, "Height"))),
                mimetype=mimetype,
                rendition=props.get("imageuse", ""),
                guid=attr(component, "Duid") or f"{item.guid}#photo-{index}",
            )
        )
    return photos
