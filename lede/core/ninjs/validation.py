"""Validation against the IPTC ninjs schemas kept in ``schemas/`` (© IPTC, CC BY
4.0, see ``schemas/NOTICE.md``): validation never needs the network, and remote
``$ref`` are refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lede.core import process_state

from .build import NINJS_VERSION

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
SCHEMA_FILES = {"3.0": "ninjs-schema_3.0.json", "3.1": "ninjs-schema_3.1.json"}


@cache
def load_schema(version: str = NINJS_VERSION) -> dict[str, Any]:
    with (SCHEMA_DIR / SCHEMA_FILES[version]).open(encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


@cache
def _validator(version: str) -> Any:
    from jsonschema import Draft202012Validator, FormatChecker
    from referencing import Registry
    from referencing.exceptions import NoSuchResource

    def refuse(uri: str) -> Any:
        raise NoSuchResource(ref=uri)  # type: ignore[call-arg]  # no network access

    schema = load_schema(version)
    return Draft202012Validator(
        schema,
        registry=Registry(retrieve=refuse),  # type: ignore[call-arg]
        format_checker=FormatChecker(),
    )


def _forget_schemas() -> None:
    load_schema.cache_clear()
    _validator.cache_clear()


process_state.register("lede.core.ninjs.validation.schemas", _forget_schemas)


def ninjs_errors(data: dict[str, Any], *, version: str = NINJS_VERSION) -> Iterator[str]:
    """Validation errors of ``data`` against the ninjs schema, as readable lines."""
    for error in _validator(version).iter_errors(data):
        path = "/".join(str(part) for part in error.absolute_path) or "(racine)"
        yield f"{path}: {error.message}"


def validate_ninjs(data: dict[str, Any], *, version: str = NINJS_VERSION) -> None:
    """Raise ``jsonschema.ValidationError`` when ``data`` is not valid ninjs."""
    _validator(version).validate(data)
