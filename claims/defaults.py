"""The rows every database starts with: the published rating scale, with the aliases that map
other fact-checkers' labels onto it, and the Reviewers and Editors groups with their permissions.

Migration 0002_default_data calls `install`, and so do the tests after a transactional test has
flushed the tables, so both see the same rows. Because a migration depends on this module:
- `install` works on the models it is given (a migration's historical models or the live
  registry) and uses only fields that Rating, Group and Permission have at that migration;
- it is idempotent and additive: it creates what is missing and adds missing aliases and
  permissions, and never changes or removes what an editor may have edited since;
- a change that existing databases need ships as a new migration that calls `install` again.
"""

from types import ModuleType

from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions

REVIEWERS = "Reviewers"
EDITORS = "Editors"

# (slug, label, value, description, aliases). Values: higher is truer; None is non-ordinal.
# Aliases are lower-case labels common in imported ClaimReview data and tables (PolitiFact/LIAR,
# Spanish, Portuguese, German and French fact-checkers). Not formatted: the formatter would give
# each of the 84 aliases a line of its own.
RATING_SCALE = [
    (
        "true",
        "True",
        6,
        "The statement is accurate and nothing significant is missing.",
        [
            "true", "correct", "accurate", "verdadero", "cierto", "wahr", "vrai", "richtig",
            "verdadeiro", "verdadera", "verified", "accurate claim",
        ],
    ),
    (
        "mostly-true",
        "Mostly true",
        5,
        "The statement is accurate but needs clarification or additional information.",
        [
            "mostly true", "mostly correct", "largely accurate", "mostly-true", "mostly accurate",
            "mayormente verdadero", "en gran parte cierto",
        ],
    ),
    (
        "half-true",
        "Half true",
        4,
        "The statement is partially accurate but leaves out important details or takes things "
        "out of context.",
        [
            "half true", "half-true", "mixture", "partly true", "partly false", "mixed",
            "half right", "mixed evidence", "medio verdadero", "verdad a medias",
        ],
    ),
    (
        "mostly-false",
        "Mostly false",
        3,
        "The statement contains an element of truth but ignores critical facts that would give "
        "a different impression.",
        [
            "mostly false", "mostly-false", "barely true", "barely-true", "largely false",
            "mostly inaccurate", "mayormente falso", "impreciso", "exaggerated",
        ],
    ),
    (
        "false",
        "False",
        2,
        "The statement is not accurate.",
        [
            "false", "incorrect", "wrong", "falso", "falsch", "faux", "fake", "not true", "falsa",
            "falso.", "false claim", "incorrect claim", "inaccurate", "untrue",
        ],
    ),
    (
        "pants-on-fire",
        "Pants on fire",
        1,
        "The statement is not accurate and makes a ridiculous claim.",
        [
            "pants on fire", "pants on fire!", "pants-fire", "pants-on-fire", "four pinocchios",
            "pants fire", "ridiculous", "ridículo",
        ],
    ),
    (
        "misleading",
        "Misleading",
        None,
        "The statement may contain accurate facts but is presented in a way that leads to a "
        "false conclusion.",
        [
            "misleading", "engañoso", "irreführend", "trompeur", "missing context",
            "out of context", "enganoso", "enganosa", "lacks context", "cherry-picked",
            "distorts the facts",
        ],
    ),
    (
        "unproven",
        "Unproven",
        None,
        "There is not enough evidence to establish whether the statement is accurate.",
        [
            "unproven", "unverified", "unsupported", "no evidence", "sin pruebas", "unbelegt",
            "unproved", "insufficient evidence", "no evidencia", "not proven", "unclear",
        ],
    ),
]  # fmt: skip

# Reviewers read everything they work with, including the matches found on import; their writes
# go through claims/workflow.py (which checks the group itself), so they hold no change
# permission on claims or verdicts.
REVIEWER_PERMISSIONS = (
    "claims.view_claim",
    "claims.view_verdict",
    "claims.view_citation",
    "claims.view_claimant",
    "claims.view_rating",
    "claims.view_claimevent",
    "claims.view_claimmatch",
    "sources.view_source",
    "sources.view_importrun",
)
# Editors also manage claimants, the rating scale, sources and feeds, correct claim metadata,
# confirm or dismiss matches, and manage webhook subscriptions (rotating secrets and replaying
# deliveries change them).
EDITOR_PERMISSIONS = (
    *REVIEWER_PERMISSIONS,
    "claims.change_claim",
    "claims.add_claimant",
    "claims.change_claimant",
    "claims.add_rating",
    "claims.change_rating",
    "claims.delete_rating",
    "claims.change_claimmatch",
    "sources.add_source",
    "sources.change_source",
    "sources.view_feed",
    "sources.add_feed",
    "sources.change_feed",
    "sources.delete_feed",
    "webhooks.view_subscription",
    "webhooks.add_subscription",
    "webhooks.change_subscription",
    "webhooks.delete_subscription",
    "webhooks.view_delivery",
    "webhooks.change_delivery",
    "webhooks.view_attempt",  # a delivery's page lists its attempts and why each failed
)
GROUP_PERMISSIONS = {REVIEWERS: REVIEWER_PERMISSIONS, EDITORS: EDITOR_PERMISSIONS}


def install_with_permissions(apps: Apps, module: ModuleType) -> None:
    """`install` from a migration: Django creates permissions only after `migrate` finishes, so
    this creates them first. (create_permissions skips an app without a models module, which a
    migration's historical apps never have: each borrows the migration's `module` for the call.)"""
    for app_config in apps.get_app_configs():
        app_config.models_module = module
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    install(apps)


def install(apps: Apps) -> None:
    """Create the rating scale and the groups where missing, add missing aliases and group
    permissions. Precondition: the permissions of the models `apps` holds exist (`migrate`
    creates them after the last migration; a migration creates them first with
    `install_with_permissions`); a model `apps` does not hold yet gets its group permissions from
    the later migration that creates it."""
    Rating = apps.get_model("claims", "Rating")
    for order, (slug, label, value, description, aliases) in enumerate(RATING_SCALE):
        rating, created = Rating.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "description": description,
                "order": order,
                "aliases": aliases,
            },
        )
        missing = [alias for alias in aliases if alias not in rating.aliases]
        if not created and missing:
            rating.aliases = rating.aliases + missing
            rating.save(update_fields=["aliases"])

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, dotted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in (permission.split(".") for permission in dotted):
            if not _model_exists(apps, app_label, codename.split("_", 1)[1]):
                continue  # a later migration of its app creates the model and installs again
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def _model_exists(apps: Apps, app_label: str, model_name: str) -> bool:
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True
