"""Claim.public and Claim.in_force: the public rule stored on each claim, kept in step with its
verdicts by triggers, and a full-text index of the claims in force (anonymous matching).

Order: the columns; the verdicts' triggers (creating them waits for whoever is writing verdicts
and holds off other writers until this commits, so no change escapes both them and the
backfill); one UPDATE that sets the flags of every claim with a public verdict; the claims'
own trigger (after the backfill, which it would only recompute row by row); the index (built
once, over the flags as they end).
"""

import django.contrib.postgres.indexes
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# The rule as it stands at this migration (claims.models.VERDICT_PUBLIC_STATUSES and
# VERDICT_IN_FORCE_STATUSES): a public verdict is published or retracted; in force, published.
BACKFILL = """
UPDATE claims_claim AS c SET public = true, in_force = flags.in_force
FROM (SELECT claim_id, bool_or(status = 'published') AS in_force FROM claims_verdict
      WHERE status IN ('published', 'retracted') GROUP BY claim_id) AS flags
WHERE c.id = flags.claim_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_verdict_listed_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="in_force",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.AddField(
            model_name="claim",
            name="public",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="verdict",
            trigger=pgtrigger.compiler.Trigger(
                name="claim_public_insert",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\nUPDATE claims_claim AS c SET public = flags.public, in_force = flags.in_force\nFROM (SELECT DISTINCT n.claim_id FROM new_verdicts AS n WHERE n.status IN ('published', 'retracted')) AS changed (claim_id)\nCROSS JOIN LATERAL (SELECT coalesce(bool_or(v.status IN ('published', 'retracted')), false) AS public, coalesce(bool_or(v.status IN ('published')), false) AS in_force FROM claims_verdict AS v WHERE v.claim_id = changed.claim_id) AS flags\nWHERE c.id = changed.claim_id\n  AND (c.public, c.in_force) IS DISTINCT FROM (flags.public, flags.in_force);\nRETURN NULL;\n",
                    hash="af1df36bd4ee4f3adbfcd4ecd09ce0f3a2251c38",
                    level="STATEMENT",
                    operation="INSERT",
                    pgid="pgtrigger_claim_public_insert_cda94",
                    referencing="REFERENCING NEW TABLE AS new_verdicts ",
                    table="claims_verdict",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="verdict",
            trigger=pgtrigger.compiler.Trigger(
                name="claim_public_update",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\nUPDATE claims_claim AS c SET public = flags.public, in_force = flags.in_force\nFROM (SELECT o.claim_id FROM old_verdicts AS o JOIN new_verdicts AS n ON n.id = o.id WHERE (o.status <> n.status OR o.claim_id <> n.claim_id) AND o.status IN ('published', 'retracted') UNION SELECT n.claim_id FROM old_verdicts AS o JOIN new_verdicts AS n ON n.id = o.id WHERE (o.status <> n.status OR o.claim_id <> n.claim_id) AND n.status IN ('published', 'retracted')) AS changed (claim_id)\nCROSS JOIN LATERAL (SELECT coalesce(bool_or(v.status IN ('published', 'retracted')), false) AS public, coalesce(bool_or(v.status IN ('published')), false) AS in_force FROM claims_verdict AS v WHERE v.claim_id = changed.claim_id) AS flags\nWHERE c.id = changed.claim_id\n  AND (c.public, c.in_force) IS DISTINCT FROM (flags.public, flags.in_force);\nRETURN NULL;\n",
                    hash="503510c79bd11d7096b5d0265dc45f5aa18a446d",
                    level="STATEMENT",
                    operation="UPDATE",
                    pgid="pgtrigger_claim_public_update_eaafa",
                    referencing="REFERENCING OLD TABLE AS old_verdicts  NEW TABLE AS new_verdicts ",
                    table="claims_verdict",
                    when="AFTER",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="verdict",
            trigger=pgtrigger.compiler.Trigger(
                name="claim_public_delete",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="\nUPDATE claims_claim AS c SET public = flags.public, in_force = flags.in_force\nFROM (SELECT DISTINCT o.claim_id FROM old_verdicts AS o WHERE o.status IN ('published', 'retracted')) AS changed (claim_id)\nCROSS JOIN LATERAL (SELECT coalesce(bool_or(v.status IN ('published', 'retracted')), false) AS public, coalesce(bool_or(v.status IN ('published')), false) AS in_force FROM claims_verdict AS v WHERE v.claim_id = changed.claim_id) AS flags\nWHERE c.id = changed.claim_id\n  AND (c.public, c.in_force) IS DISTINCT FROM (flags.public, flags.in_force);\nRETURN NULL;\n",
                    hash="c2db5fef86f16f4a83ba460010fcd7d9fd833cb1",
                    level="STATEMENT",
                    operation="DELETE",
                    pgid="pgtrigger_claim_public_delete_3e845",
                    referencing="REFERENCING OLD TABLE AS old_verdicts ",
                    table="claims_verdict",
                    when="AFTER",
                ),
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        pgtrigger.migrations.AddTrigger(
            model_name="claim",
            trigger=pgtrigger.compiler.Trigger(
                name="public_kept",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    condition='WHEN ((OLD."public" IS DISTINCT FROM NEW."public" OR OLD."in_force" IS DISTINCT FROM NEW."in_force") AND pg_trigger_depth() < 1)',
                    func="\nSELECT coalesce(bool_or(v.status IN ('published', 'retracted')), false) AS public, coalesce(bool_or(v.status IN ('published')), false) AS in_force FROM claims_verdict AS v WHERE v.claim_id = NEW.id INTO NEW.public, NEW.in_force;\nRETURN NEW;\n",
                    hash="eee9ebfa86a72d1e9920a64ab857e88d29e9664d",
                    operation="UPDATE",
                    pgid="pgtrigger_public_kept_7ca67",
                    table="claims_claim",
                    when="BEFORE",
                ),
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=django.contrib.postgres.indexes.GinIndex(
                condition=models.Q(("in_force", True)),
                fields=["search_vector"],
                name="claim_search_in_force_idx",
            ),
        ),
    ]
