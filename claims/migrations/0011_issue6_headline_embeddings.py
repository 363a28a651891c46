"""Issue 6: a checked claim's published verdict headline is embedded next to its text and
re-ranks claim_match's candidates too (claims/embeddings.py: claims_embed).

Claims that exist already get their headline vectors from `python manage.py embed_claims` (it
embeds every claim whose stored headline differs from its published verdict's); until then they
rank by their text alone, as before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_match_keys_in_python"),
    ]

    operations = [
        migrations.AddField(
            model_name="claimembedding",
            name="headline",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="claimembedding",
            name="headline_vector",
            field=models.BinaryField(blank=True, null=True),
        ),
    ]
