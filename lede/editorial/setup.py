"""Newsroom groups and the moderation workflow, kept in place after every migrate.

Permissions only exist after post_migrate, so this cannot be a data migration.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

CONTRIBUTOR = "Contributeur"
EDITOR = "Éditeur"
ADMINISTRATOR = "Administrateur"
WORKFLOW_NAME = "Relecture éditoriale"

PAGE_PERMS = {
    CONTRIBUTOR: ["add_page", "change_page"],
    EDITOR: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "bulk_delete_page",
    ],
    ADMINISTRATOR: [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
        "bulk_delete_page",
    ],
}
#: Collection permissions (Wagtail's images and documents), by action.
#: Wagtail checks images against wagtailimages.Image's permissions even for a
#: custom image model (its permission policy's auth_model): "add_image", not
#: "add_ledeimage".
COLLECTION_MODELS = [("wagtailimages", "image"), ("wagtaildocs", "document")]
COLLECTION_PERMS = {
    CONTRIBUTOR: ["add", "choose"],
    EDITOR: ["add", "change", "choose", "delete"],
    ADMINISTRATOR: ["add", "change", "choose", "delete"],
}
#: The wire desk (lede.wires): editors read, publish and upload wires.
WIRE_DESK = [
    ("wires", "view_wireitemrecord"),
    ("wires", "change_wireitemrecord"),
    ("wires", "add_wireitemrecord"),
    ("wires", "view_ingestlogentry"),
]
MODEL_PERMS = {
    CONTRIBUTOR: [("wagtailadmin", "access_admin")],
    EDITOR: [
        ("wagtailadmin", "access_admin"),
        ("editorial", "add_author"),
        ("editorial", "change_author"),
        ("editorial", "view_author"),
        *WIRE_DESK,
    ],
    ADMINISTRATOR: [
        ("wagtailadmin", "access_admin"),
        ("editorial", "add_author"),
        ("editorial", "change_author"),
        ("editorial", "delete_author"),
        ("editorial", "view_author"),
        ("core", "change_publicationsettings"),
        ("wagtailcore", "change_workflow"),
        ("wagtailcore", "add_workflow"),
        ("accounts", "view_user"),
        ("accounts", "change_user"),
        ("accounts", "add_user"),
        *WIRE_DESK,
        ("wires", "view_wiresource"),
        ("wires", "add_wiresource"),
        ("wires", "change_wiresource"),
    ],
}


def _perm(app_label: str, codename: str) -> Permission | None:
    return Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()


@transaction.atomic
def ensure_newsroom_groups() -> dict[str, Group]:
    from wagtail.models import Collection

    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    groups: dict[str, Group] = {}
    for name in (CONTRIBUTOR, EDITOR, ADMINISTRATOR):
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        for app_label, codename in MODEL_PERMS[name]:
            perm = _perm(app_label, codename)
            if perm is not None:
                group.permissions.add(perm)
        if root_page is not None:
            for codename in PAGE_PERMS[name]:
                perm = _perm("wagtailcore", codename)
                if perm is not None:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=perm
                    )
        if root_collection is not None:
            for app_label, model_name in COLLECTION_MODELS:
                for action in COLLECTION_PERMS[name]:
                    perm = _perm(app_label, f"{action}_{model_name}")
                    if perm is not None:
                        GroupCollectionPermission.objects.get_or_create(
                            group=group, collection=root_collection, permission=perm
                        )
    _ensure_workflow(groups[EDITOR], root_page)
    return groups


def _ensure_workflow(editors: Group, root_page: Page | None) -> None:
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name="Validation par un éditeur").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name="Validation par un éditeur")
    task.groups.add(editors)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if root_page is not None:
        WorkflowPage.objects.update_or_create(page=root_page, defaults={"workflow": workflow})


def on_post_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", "") != "editorial":
        return
    # The groups use other apps' permissions (documents, wires) whose own
    # post_migrate may come later on a fresh database: create them all first.
    using = kwargs.get("using", "default")
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_newsroom_groups()
