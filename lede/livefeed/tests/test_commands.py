"""manage.py dispatch_post: same service as the admin, clear French errors."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from lede.livefeed.models import Dispatch, FeedEvent

pytestmark = pytest.mark.django_db


def test_dispatch_post_publishes_and_prints_the_id(desk: dict[str, Any]) -> None:
    out = StringIO()
    call_command(
        "dispatch_post",
        "--headline",
        "Le train à grande vitesse prolongé",
        "--body",
        "Premier paragraphe.\n\nSecond paragraphe.",
        "--section",
        "maroc",
        "--credit",
        "MAP",
        stdout=out,
    )
    dispatch = Dispatch.objects.get()
    assert out.getvalue().strip() == str(dispatch.pk)
    assert dispatch.section == desk["maroc"] and dispatch.credit == "MAP"
    assert dispatch.body == "<p>Premier paragraphe.</p><p>Second paragraphe.</p>"
    assert FeedEvent.objects.get().dispatch == dispatch


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--headline", "", "--body", "Texte."], "Le titre est obligatoire."),
        (["--headline", "x" * 201, "--body", "Texte."], "ne doit pas dépasser 200"),
        (["--headline", "Titre", "--body", "a\n\nb\n\nc\n\nd"], "trois paragraphes au plus"),
        (["--headline", "Titre", "--body", "Texte.", "--section", "nulle-part"], "introuvable"),
    ],
)
def test_bad_input_is_a_command_error(desk: dict[str, Any], args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("dispatch_post", *args)
    assert message in str(exc.value)
    assert not Dispatch.objects.exists()


def test_exit_code_is_1_on_bad_input(desk: dict[str, Any], capsys: Any) -> None:
    from django.core.management import ManagementUtility

    utility = ManagementUtility(["manage.py", "dispatch_post", "--headline", "", "--body", "x"])
    with pytest.raises(SystemExit) as exc:
        utility.execute()
    assert exc.value.code == 1
    assert "Le titre est obligatoire." in capsys.readouterr().err
