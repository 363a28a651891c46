"""The admin's breadcrumbs in the newsroom's words (`{% load desk_nav %}`): "Your desk >
Review > Review queue" where Django says "Home > Claims > Claims" (factcheck/admin_site.py
NAVIGATION names the groups and the models)."""

from typing import Any

from django import template
from django.contrib import admin
from django.db.models.options import Options
from django.urls import reverse
from django.utils.text import capfirst

from factcheck.admin_site import group_url, navigation_place

register = template.Library()


@register.inclusion_tag("admin/desk/crumbs.html")
def desk_crumbs(opts: Options, linked: bool = True, model: bool = True) -> dict[str, Any]:
    """The desk, the model's group and (with `model`) the model's own page, a link when
    `linked`, as the start of a page's breadcrumbs; a model no group names keeps its app and
    its plural name."""
    place = navigation_place(app_label=opts.app_label, object_name=opts.object_name or "")
    if place is None:
        group, name = str(opts.app_config.verbose_name), capfirst(opts.verbose_name_plural)
        group_link = reverse("admin:app_list", kwargs={"app_label": opts.app_label})
    else:
        (group, name), group_link = place, group_url(place[0])
    return {
        "desk": admin.site.index_title,  # the home page's title
        "group": group,
        "group_url": group_link,
        "name": name if model else "",
        "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist") if linked else "",
    }
