"""More aliases on the default rating scale, for labels common in imported ClaimReview data and
tables (PolitiFact/LIAR, Spanish and Portuguese fact-checkers). Existing aliases are kept."""

from django.db import migrations

MORE = {
    "true": ["verdadeiro", "verdadera", "verified", "accurate claim"],
    "mostly-true": ["mostly accurate", "mayormente verdadero", "en gran parte cierto"],
    "half-true": ["half right", "mixed evidence", "medio verdadero", "verdad a medias"],
    "mostly-false": ["mostly inaccurate", "mayormente falso", "impreciso", "exaggerated"],
    "false": ["falsa", "falso.", "false claim", "incorrect claim", "inaccurate", "untrue"],
    "pants-on-fire": ["pants fire", "pants on fire", "ridiculous", "ridículo"],
    "misleading": ["enganoso", "enganosa", "lacks context", "cherry-picked", "distorts the facts"],
    "unproven": ["unproved", "insufficient evidence", "no evidencia", "not proven", "unclear"],
}


def add(apps, schema_editor):
    Rating = apps.get_model("claims", "Rating")
    for rating in Rating.objects.filter(slug__in=MORE):
        known = list(rating.aliases)
        rating.aliases = known + [a for a in MORE[rating.slug] if a not in known]
        rating.save(update_fields=["aliases"])


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_default_scale_groups_audit")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
