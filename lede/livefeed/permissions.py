"""The newsroom groups' permissions on dispatches."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

#: Newsroom groups (created by lede.editorial.setup) and what they may do with dispatches.
DISPATCH_PERMS = {
    "Éditeur": ["add_dispatch", "change_dispatch", "view_dispatch"],
    "Administrateur": ["add_dispatch", "change_dispatch", "delete_dispatch", "view_dispatch"],
}


def dispatch_permissions_grant() -> None:
    """Give the newsroom groups that exist their dispatch permissions (idempotent)."""
    for name, codenames in DISPATCH_PERMS.items():
        group = Group.objects.filter(name=name).first()
        if group is None:
            continue
        perms = Permission.objects.filter(
            content_type__app_label="livefeed", codename__in=codenames
        )
        group.permissions.add(*perms)
