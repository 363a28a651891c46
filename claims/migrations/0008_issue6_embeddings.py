"""Issue 6: sentence embeddings that re-rank claim_match's candidates (claims/embeddings.py), and
finer lexeme statistics for its BM25 weights.

Claims that exist already get their vectors from `python manage.py embed_claims` (a few hundred
claims a second per core: too slow to run here on a large table); until then they rank by their
lexical score and trigram similarity."""

import django.db.models.deletion
from django.db import migrations, models

# claim_match weighs each query lexeme by its inverse document frequency, read from pg_stats'
# most common lexemes of search_vector: the default target (100) tracks 1,000 of them, 1000
# tracks 10,000 (ANALYZE then samples 300,000 claims instead of 30,000).
STATISTICS_SQL = "ALTER TABLE claims_claim ALTER COLUMN search_vector SET STATISTICS 1000"
STATISTICS_REVERSE = "ALTER TABLE claims_claim ALTER COLUMN search_vector SET STATISTICS -1"


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0007_issue6_match_permissions"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClaimEmbedding",
            fields=[
                (
                    "claim",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="embedding",
                        serialize=False,
                        to="claims.claim",
                    ),
                ),
                ("vector", models.BinaryField()),
            ],
        ),
        migrations.RunSQL(STATISTICS_SQL, STATISTICS_REVERSE),
    ]
