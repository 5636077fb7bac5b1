"""NewsML-G2 (IPTC): news items, packages and news messages.

Concept, knowledge and planning items and catalogues are not news: they are
reported in ``ParseResult.skipped`` with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from .markup import element_to_html, html_string_to_html, text_to_html
from .nitf import is_nitf, parse_nitf
from .text import (
    clean_multiline,
    code_of,
    language_code,
    normalise_pub_status,
    parse_datetime,
    parse_int,
    parse_urgency,
    qcode_from_uri,
    unique,
)
from .types import ParseResult, Photo, Subject, WireItem
from .xmlsafe import XML_LANG, Element, Scope, attr, is_element, local_name, namespace, text_of

G2_NS = "http://iptc.org/std/nar/2006-10-01/"
G2 = Scope(G2_NS)

ITEM_ELEMENTS = frozenset({"newsItem", "packageItem"})
NOT_NEWS = {
    "conceptItem": "conceptItem : concept d'un vocabulaire contrôlé, pas une dépêche",
    "knowledgeItem": "knowledgeItem : ensemble de concepts (vocabulaire), pas une dépêche",
    "planningItem": "planningItem : prévision de couverture, pas une dépêche",
    "catalog": "catalog : catalogue de vocabulaires NewsML-G2, pas une dépêche",
}
ROOT_ELEMENTS = ITEM_ELEMENTS | set(NOT_NEWS) | {"newsMessage"}
# Parts of an item met on their own (the IPTC guidelines quote them as listings).
FRAGMENT_ELEMENTS = frozenset(
    {
        "contentSet", "contentMeta", "itemMeta", "rightsInfo", "inlineXML", "inlineData",
        "remoteContent", "groupSet", "group", "itemRef", "itemSet", "header", "assert",
    }
)  # fmt: skip
PICTURE_CLASSES = frozenset({"picture", "graphic"})


def accepts(root: Element) -> bool:
    """Whether this root element is NewsML-G2 (namespaced, or a known bare element)."""
    ns = namespace(root)
    name = local_name(root)
    if ns == G2_NS:
        return True
    return ns == "" and name in ROOT_ELEMENTS | FRAGMENT_ELEMENTS


def parse(root: Element, result: ParseResult) -> None:
    result.format = "newsml-g2"
    name = local_name(root)
    if name == "newsMessage":
        item_sets = G2.children(root, "itemSet")
        if not item_sets:
            result.warn("newsMessage sans itemSet : aucun élément transmis.")
        for item_set in item_sets:
            for child in item_set:
                if is_element(child):
                    _parse_element(child, result)
    elif name in FRAGMENT_ELEMENTS:
        result.skip(
            name,
            f"fragment NewsML-G2 (élément « {name} » seul, hors de tout newsItem) : "
            "pas une dépêche complète",
        )
    else:
        _parse_element(root, result)


def _parse_element(el: Element, result: ParseResult) -> None:
    name = local_name(el)
    guid = attr(el, "guid")
    if name in NOT_NEWS:
        result.skip(guid or name, NOT_NEWS[name])
        return
    if name not in ITEM_ELEMENTS or not G2.match(el):
        result.skip(guid or name, f"élément « {name} » non pris en charge")
        return
    if not guid:
        result.skip(name, f"{name} sans attribut guid : impossible de l'identifier")
        return
    raw_version = attr(el, "version")
    version = parse_int(raw_version) if raw_version else 1
    if version is None or version < 0:
        result.skip(guid, f"version invalide « {raw_version} »")
        return
    result.items.append(_build_item(el, guid, version, result))


def _build_item(el: Element, guid: str, version: int, result: ParseResult) -> WireItem:
    name = local_name(el)
    item_meta = G2.child(el, "itemMeta")
    content_meta = G2.child(el, "contentMeta")
    rights = G2.child(el, "rightsInfo")
    assertions = _assertions(el)

    item = WireItem(guid=guid, format="newsml-g2", version=version)
    item.language_tag = (
        attr(G2.child(content_meta, "language"), "tag")
        or attr(el, XML_LANG)
        or attr(G2.child(content_meta, "headline"), XML_LANG)
    )
    item.language = language_code(item.language_tag)
    lang = item.language_tag

    # itemMeta
    default_class = "composite" if name == "packageItem" else "text"
    item.item_class = code_of(attr(G2.child(item_meta, "itemClass"), "qcode")) or default_class
    provider = G2.child(item_meta, "provider")
    item.provider = (
        _name(provider, lang) or code_of(attr(provider, "qcode")) or attr(provider, "uri")
    )
    status_el = G2.child(item_meta, "pubStatus")
    if status_el is not None:
        status = normalise_pub_status(attr(status_el, "qcode"))
        if status is None:
            result.warn(f"{guid} : statut « {attr(status_el, 'qcode')} » inconnu, lu « usable ».")
        else:
            item.pub_status = status
    item.version_created = _date(item_meta, "versionCreated", guid, result)
    item.first_created = _date(item_meta, "firstCreated", guid, result)
    item.embargo = _date(item_meta, "embargoed", guid, result)
    item.ednote = clean_multiline(
        "\n".join(text_of(note) for note in G2.children(item_meta, "edNote"))
    )
    item.associations = unique(attr(link, "residref") for link in G2.children(item_meta, "link"))

    # rightsInfo
    notice = text_of(G2.child(rights, "copyrightNotice"))
    holder_el = G2.child(rights, "copyrightHolder")
    holder = _name(holder_el, lang) or attr(holder_el, "literal")
    item.copyright = notice or holder
    item.copyright_holder = holder
    item.usage_terms = clean_multiline(
        "\n".join(text_of(terms) for terms in G2.children(rights, "usageTerms"))
    )
    item.rights_link = attr(G2.child(rights, "link"), "href")

    # contentMeta
    headlines = G2.children(content_meta, "headline")
    main = [h for h in headlines if "sub" not in attr(h, "role").lower()]
    subs = [h for h in headlines if "sub" in attr(h, "role").lower()]
    item.headline = text_of(_pick_language(main, lang)) or text_of(G2.child(item_meta, "title"))
    descriptions = G2.children(content_meta, "description")
    item.subheadline = (
        text_of(_pick_language(subs, lang))
        or text_of(_pick_language(G2.children(content_meta, "subheadline"), lang))
        or text_of(_pick_language(_with_role(descriptions, "summary"), lang))
    )
    caption = text_of(_pick_language(_with_role(descriptions, "caption"), lang))
    item.byline = "; ".join(unique(text_of(by) for by in G2.children(content_meta, "by")))
    if not item.byline:
        creators = (_name(creator, lang) for creator in G2.children(content_meta, "creator"))
        item.byline = ", ".join(unique(creators))
    item.dateline = text_of(_pick_language(G2.children(content_meta, "dateline"), lang))
    located = G2.child(content_meta, "located")
    item.located = _name(located, lang) or assertions.get(attr(located, "qcode"), "")
    item.slugline = text_of(G2.child(content_meta, "slugline"))
    item.urgency = parse_urgency(text_of(G2.child(content_meta, "urgency")))
    item.subjects = _subjects(G2.children(content_meta, "subject"), lang, assertions)
    item.keywords = unique(text_of(kw) for kw in G2.children(content_meta, "keyword"))
    creditline = text_of(G2.child(content_meta, "creditline"))
    item.credit = creditline or item.provider or holder

    # contentSet
    content_set = G2.child(el, "contentSet")
    for content in G2.children(content_set, "inlineXML", "inlineData"):
        if item.body_html:
            break
        if local_name(content) == "inlineData":
            item.body_html = _inline_data(content)
        else:
            _inline_xml(content, item)
    for remote in G2.children(content_set, "remoteContent"):
        mimetype = attr(remote, "contenttype")
        if mimetype.startswith("image/") or item.item_class in PICTURE_CLASSES:
            item.photos.append(
                Photo(
                    href=attr(remote, "href") or attr(remote, "residref"),
                    caption=caption,
                    credit=creditline or item.byline or holder,
                    width=parse_int(attr(remote, "width")),
                    height=parse_int(attr(remote, "height")),
                    mimetype=mimetype,
                    rendition=code_of(attr(remote, "rendition")),
                    guid=guid,
                )
            )
        else:
            result.warn(f"{guid} : contenu distant « {attr(remote, 'href')} » non récupéré.")
    if item.item_class in PICTURE_CLASSES and not item.subheadline:
        item.subheadline = caption

    if name == "packageItem":
        refs = (attr(ref, "residref") or attr(ref, "href") for ref in G2.descendants(el, "itemRef"))
        item.associations = unique([*item.associations, *refs])

    if not item.dateline:
        item.dateline = item.located
    return item


def _inline_data(content: Element) -> str:
    text = content.text or ""
    if "html" in attr(content, "contenttype").lower():
        return html_string_to_html(text)
    return text_to_html(text)


def _inline_xml(content: Element, item: WireItem) -> None:
    for child in content:
        if not is_element(child):
            continue
        if is_nitf(child):
            parts = parse_nitf(child, headline=item.headline)
            item.body_html = parts.body_html
            item.headline = item.headline or parts.headline
            item.subheadline = item.subheadline or parts.subheadline or parts.abstract
            item.byline = item.byline or parts.byline
            item.dateline = item.dateline or parts.dateline
            item.urgency = item.urgency if item.urgency is not None else parts.urgency
            item.copyright = item.copyright or parts.copyright
        elif local_name(child) == "html":
            body = next((c for c in child if local_name(c) == "body"), None)
            container = body if body is not None else child
            item.body_html = element_to_html(container, headline=item.headline)
        else:
            item.body_html = element_to_html(content, headline=item.headline)
        if item.body_html:
            return


def _date(parent: Element | None, name: str, guid: str, result: ParseResult) -> datetime | None:
    el = G2.child(parent, name)
    if el is None:
        return None
    value = text_of(el)
    parsed = parse_datetime(value)
    if parsed is None and value:
        result.warn(f"{guid} : date {name} illisible « {value} ».")
    return parsed


def _assertions(el: Element) -> dict[str, str]:
    """Names given to qcodes by ``assert`` elements at the end of the item."""
    names: dict[str, str] = {}
    for assertion in G2.children(el, "assert"):
        key = attr(assertion, "qcode") or attr(assertion, "uri") or attr(assertion, "literal")
        name = _name(assertion, "")
        if key and name:
            names[key] = name
    return names


def _subjects(elements: Iterable[Element], lang: str, assertions: dict[str, str]) -> list[Subject]:
    subjects: list[Subject] = []
    for el in elements:
        code = attr(el, "qcode") or qcode_from_uri(attr(el, "uri")) or attr(el, "literal")
        name = _name(el, lang) or assertions.get(code, "")
        if not (code or name):
            continue
        subject = Subject(code=code, name=name, kind=code_of(attr(el, "type")))
        if subject not in subjects:
            subjects.append(subject)
    return subjects


def _with_role(elements: Iterable[Element], role: str) -> list[Element]:
    return [el for el in elements if code_of(attr(el, "role")).lower() == role]


def _pick_language(elements: list[Element], lang: str) -> Element | None:
    """The element in the item's language (exact tag, then primary subtag), else the
    one without a language, else the first."""
    if not elements:
        return None
    wanted = lang.lower()
    for el in elements:
        if wanted and attr(el, XML_LANG).lower() == wanted:
            return el
    primary = language_code(lang)
    for el in elements:
        if primary and language_code(attr(el, XML_LANG)) == primary:
            return el
    for el in elements:
        if not attr(el, XML_LANG):
            return el
    return elements[0]


def _name(el: Element | None, lang: str) -> str:
    """The best ``name`` child of a concept (provider, subject, creator…)."""
    if el is None:
        return ""
    return text_of(_pick_language(G2.children(el, "name"), lang))
