"""Installs the default rating scale, the Reviewers and Editors groups, and the trigger that
keeps ClaimEvent append-only."""

from django.db import migrations

# (slug, label, value, description, aliases). Values: higher is truer; None is non-ordinal.
SCALE = [
    (
        "true",
        "True",
        6,
        "The statement is accurate and nothing significant is missing.",
        ["true", "correct", "accurate", "verdadero", "cierto", "wahr", "vrai", "richtig"],
    ),
    (
        "mostly-true",
        "Mostly true",
        5,
        "The statement is accurate but needs clarification or additional information.",
        ["mostly true", "mostly correct", "largely accurate", "mostly-true"],
    ),
    (
        "half-true",
        "Half true",
        4,
        "The statement is partially accurate but leaves out important details or takes things "
        "out of context.",
        ["half true", "half-true", "mixture", "partly true", "partly false", "mixed"],
    ),
    (
        "mostly-false",
        "Mostly false",
        3,
        "The statement contains an element of truth but ignores critical facts that would give "
        "a different impression.",
        ["mostly false", "mostly-false", "barely true", "barely-true", "largely false"],
    ),
    (
        "false",
        "False",
        2,
        "The statement is not accurate.",
        ["false", "incorrect", "wrong", "falso", "falsch", "faux", "fake", "not true"],
    ),
    (
        "pants-on-fire",
        "Pants on fire",
        1,
        "The statement is not accurate and makes a ridiculous claim.",
        ["pants on fire", "pants on fire!", "pants-fire", "pants-on-fire", "four pinocchios"],
    ),
    (
        "misleading",
        "Misleading",
        None,
        "The statement may contain accurate facts but is presented in a way that leads to a "
        "false conclusion.",
        ["misleading", "engañoso", "irreführend", "trompeur", "missing context", "out of context"],
    ),
    (
        "unproven",
        "Unproven",
        None,
        "There is not enough evidence to establish whether the statement is accurate.",
        ["unproven", "unverified", "unsupported", "no evidence", "sin pruebas", "unbelegt"],
    ),
]


def install(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for order, (slug, label, value, description, aliases) in enumerate(SCALE):
        Rating.objects.update_or_create(
            slug=slug,
            defaults={
                "label": label,
                "value": value,
                "description": description,
                "order": order,
                "aliases": aliases,
            },
        )
    Group = apps.get_model("auth", "Group")
    for name in ("Reviewers", "Editors"):
        Group.objects.get_or_create(name=name)


APPEND_ONLY = """
CREATE FUNCTION claims_claimevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'claims_claimevent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER claims_claimevent_append_only
    BEFORE UPDATE OR DELETE ON claims_claimevent
    FOR EACH ROW EXECUTE FUNCTION claims_claimevent_append_only();
"""
APPEND_ONLY_REVERSE = """
DROP TRIGGER claims_claimevent_append_only ON claims_claimevent;
DROP FUNCTION claims_claimevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RunSQL(APPEND_ONLY, APPEND_ONLY_REVERSE),
    ]
