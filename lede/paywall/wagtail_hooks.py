from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import AccessGrant, Organisation


class AccessGrantViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = AccessGrant
    icon = "key"
    menu_label = "Accès offerts"
    list_display = ["user", "kind", "starts_at", "ends_at"]
    list_filter = ["kind"]


class OrganisationViewSet(SnippetViewSet):  # type: ignore[type-arg]
    model = Organisation
    icon = "group"
    menu_label = "Licences de groupe"
    list_display = ["name", "seats", "starts_at", "ends_at"]
    search_fields = ["name"]


class PaywallGroup(SnippetViewSetGroup):
    menu_label = "Accès"
    menu_icon = "lock"
    items = (AccessGrantViewSet, OrganisationViewSet)


register_snippet(PaywallGroup)
