"""Who may do what: the one definition of reviewer, editor and staff.

- Reviewers (the `Reviewers` group) take claims, research them and draft verdicts.
- Editors (the `Editors` group, and superusers) publish, correct, retract, reopen and reassign;
  they may also do whatever reviewers may.
- Staff are the newsroom: reviewers, editors and users with Django's `is_staff` flag. Staff read
  claims and sources that are not public yet (pending claims, drafts' claims) in the API and the
  match endpoint; anyone else reads published work only.

The workflow, the admin and every API view ask these functions; none looks at groups itself.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from claims.defaults import EDITORS, REVIEWERS  # the groups the migrations install

User = AbstractBaseUser | AnonymousUser


def _group_names(user: User) -> frozenset[str]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._role_groups = cached  # one query per request, however many checks
    return cached


def user_is_editor(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser) or (
        EDITORS in _group_names(user)
    )


def user_is_reviewer(user: User) -> bool:
    """Reviewers and editors: everyone who may take and review claims."""
    return user_is_editor(user) or REVIEWERS in _group_names(user)


def user_is_staff(user: User) -> bool:
    """The newsroom: reviewers, editors and staff accounts, who may read unpublished work."""
    return bool(user.is_authenticated and user.is_active and user.is_staff) or user_is_reviewer(
        user
    )


def reviewers() -> QuerySet:
    """Users who may be assigned claims: active reviewers, editors and superusers."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=[REVIEWERS, EDITORS]) | Q(is_superuser=True))
        .distinct()
        .order_by("username")
    )
