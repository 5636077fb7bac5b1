"""API keys: shown once, stored hashed, rotated with an overlap, revoked at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lede.syndication.keys import generate_key, hash_key, key_matches, parse_key
from lede.syndication.models import ApiKey
from lede.syndication.selectors import KeyError_, KeyProblem, key_for, rate_limited
from lede.syndication.services import apikey_revoke, apikey_rotate

from .builders import make_key, make_licence


def test_generated_keys_are_unique_and_parse() -> None:
    first, second = generate_key(), generate_key()
    assert first.plaintext != second.plaintext
    assert parse_key(first.plaintext) == first.prefix
    assert first.hashed == hash_key(first.plaintext)
    assert key_matches(first.plaintext, first.hashed)
    assert not key_matches(second.plaintext, first.hashed)


@pytest.mark.parametrize(
    "presented",
    ["", "lede_", "lede_zzzzzzzzzzzz_" + "a" * 43, "Bearer x", "lede_0123456789ab_short"],
)
def test_malformed_keys_do_not_parse(presented: str) -> None:
    assert parse_key(presented) is None


@pytest.mark.django_db
def test_only_the_hash_is_stored() -> None:
    key, plaintext = make_key()
    stored = ApiKey.objects.get(pk=key.pk)
    assert plaintext not in {stored.hashed, stored.prefix, stored.name}
    assert stored.hashed == hash_key(plaintext)
    assert key_for(plaintext, timezone.now()).pk == key.pk


@pytest.mark.django_db
def test_unknown_malformed_revoked_and_expired_keys_are_refused() -> None:
    now = timezone.now()
    key, plaintext = make_key()
    with pytest.raises(KeyError_) as exc:
        key_for("pas une clé", now)
    assert exc.value.problem is KeyProblem.MALFORMED
    forged = plaintext[:-4] + ("aaaa" if not plaintext.endswith("aaaa") else "bbbb")
    with pytest.raises(KeyError_) as exc:
        key_for(forged, now)
    assert exc.value.problem is KeyProblem.UNKNOWN
    apikey_revoke(key=key)
    with pytest.raises(KeyError_) as exc:
        key_for(plaintext, timezone.now())
    assert exc.value.problem is KeyProblem.REVOKED

    _expired, expired_text = make_key(expires_at=now - timedelta(seconds=1))
    with pytest.raises(KeyError_) as exc:
        key_for(expired_text, now)
    assert exc.value.problem is KeyProblem.EXPIRED


@pytest.mark.django_db
def test_rotation_keeps_the_old_key_for_the_overlap_only() -> None:
    licence = make_licence()
    old, old_text = make_key(licence)
    now = timezone.now()
    new, new_text = apikey_rotate(key=old, overlap=timedelta(hours=2), now=now)
    assert new.licence_id == licence.pk and new.scopes == old.scopes
    assert key_for(old_text, now + timedelta(hours=1)).pk == old.pk
    assert key_for(new_text, now + timedelta(hours=1)).pk == new.pk
    with pytest.raises(KeyError_) as exc:
        key_for(old_text, now + timedelta(hours=2, seconds=1))
    assert exc.value.problem is KeyProblem.EXPIRED
    assert key_for(new_text, now + timedelta(days=30)).pk == new.pk
    old.refresh_from_db()
    assert old.replaced_by_id == new.pk


@pytest.mark.django_db
def test_rate_limit_counts_per_minute() -> None:
    now = timezone.now().replace(second=5)
    assert [rate_limited("k1", 3, now) for _ in range(3)] == [0, 0, 0]
    wait = rate_limited("k1", 3, now)
    assert wait == 55
    assert rate_limited("k2", 3, now) == 0  # another key, its own counter
    assert rate_limited("k1", 3, now + timedelta(minutes=1)) == 0
