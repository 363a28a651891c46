"""The admin claim search runs on the stored full-text `search_vector` (claims/admin.py), so the
trigram index on UPPER(text) that Django's substring search needed goes: every import paid
26-32% of its COPY time for it (README, Scheduled imports, Figures). pg_trgm stays installed;
matching uses its similarity() on candidates, which needs no index."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_issue6_embeddings"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="claim",
            name="claim_text_trgm_idx",
        ),
    ]
