"""claim_search_sample_idx: the full-text index of a fixed sample of the claims in force, which
an anonymous first-stage branch of common words reads (claims/matching/candidates.py).

Built CONCURRENTLY, so that a live database keeps taking writes while it scans the claims.
"""

import django.contrib.postgres.indexes
import django.db.models.functions.math
import django.db.models.lookups
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("claims", "0009_claim_public_flags"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="claim",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(
                    ("in_force", True),
                    models.Q(
                        django.db.models.lookups.Exact(
                            django.db.models.functions.math.Mod("id", 16), 0
                        )
                    ),
                ),
                fields=["search_vector"],
                name="claim_search_sample_idx",
            ),
        ),
    ]
