"""Who may do what: the one definition of reviewer, editor and staff.

- Reviewers (the `Reviewers` group) take claims, research them and draft verdicts.
- Editors (the `Editors` group, and superusers) publish, correct, retract, reopen and reassign;
  they may also do whatever reviewers may.
- Staff are the newsroom: reviewers, editors and users with Django's `is_staff` flag. Staff read
  claims and sources that are not public yet (pending claims, drafts' claims) in the API and the
  match endpoint; anyone else reads published work only.

The workflow, the admin and every API view ask these functions; none looks at groups itself.
"""

from typing import TypeGuard

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from claims.defaults import EDITORS, REVIEWERS  # the groups the migrations install

# Whoever makes a request: a signed-in user or an anonymous one (`request.user`). The checks
# below answer False for anonymous users, so a True narrows an `AnyUser` to a `User`.
AnyUser = User | AnonymousUser

# An attribute of the user object, as Django's ModelBackend keeps its permission cache.
_GROUPS_CACHE = "_role_groups"


def _group_names(user: AnyUser) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, _GROUPS_CACHE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _GROUPS_CACHE, cached)  # one query per request, however many checks
    return cached


def user_is_editor(user: AnyUser) -> TypeGuard[User]:
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or (
        EDITORS in _group_names(user)
    )


def user_is_reviewer(user: AnyUser) -> TypeGuard[User]:
    """Reviewers and editors: everyone who may take and review claims."""
    return user_is_editor(user) or REVIEWERS in _group_names(user)


def user_is_staff(user: AnyUser) -> TypeGuard[User]:
    """The newsroom: reviewers, editors and staff accounts, who may read unpublished work."""
    return bool(user.is_authenticated and user.is_active and user.is_staff) or user_is_reviewer(
        user
    )


def reviewers() -> QuerySet[User]:
    """Users who may be assigned claims: active reviewers, editors and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[REVIEWERS, EDITORS]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
