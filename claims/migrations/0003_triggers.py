"""The triggers the models declare in Meta.triggers (claims/models.py), installed by pgtrigger.

A database whose migrations were squashed into 0001 and 0002 has the same two triggers as plain
SQL, with functions of their own; they are dropped first, so that every database ends with the
triggers declared here. Its stored verdict vectors need no recomputing: the function body is the
same.
"""

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

DROP_SQL_TRIGGERS = """
DROP TRIGGER IF EXISTS claims_verdict_search_vector ON claims_verdict;
DROP FUNCTION IF EXISTS claims_verdict_search_vector();
DROP TRIGGER IF EXISTS claims_claimevent_append_only ON claims_claimevent;
DROP FUNCTION IF EXISTS claims_claimevent_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_default_data")]

    operations = [
        # Backwards there is nothing to restore: 0001 and 0002 create no triggers.
        migrations.RunSQL(DROP_SQL_TRIGGERS, migrations.RunSQL.noop),
        pgtrigger.migrations.AddTrigger(
            model_name="claimevent",
            trigger=pgtrigger.compiler.Trigger(
                name="append_only",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    func="RAISE EXCEPTION 'claims_claimevent is append-only: % refused', TG_OP USING ERRCODE = 'restrict_violation';",
                    hash="134ee21c69e4dcbdf4a1af4f222edd5a7675dda8",
                    operation="UPDATE OR DELETE",
                    pgid="pgtrigger_append_only_aeef3",
                    table="claims_claimevent",
                    when="BEFORE",
                ),
            ),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name="verdict",
            trigger=pgtrigger.compiler.Trigger(
                name="search_vector",
                sql=pgtrigger.compiler.UpsertTriggerSql(
                    declare="DECLARE claim_text text; claim_language text; claim_vector tsvector; config regconfig; review text; own tsvector; plain tsvector;",
                    func="\nSELECT c.text, c.language, c.search_vector INTO claim_text, claim_language, claim_vector\n  FROM claims_claim c WHERE c.id = NEW.claim_id;\nconfig := factcheck_ts_config(claim_language);\nreview := concat_ws(' ', NEW.headline, NEW.summary, NEW.explanation);\nIF config = 'english'::regconfig AND claim_vector IS NOT NULL THEN\n  own := claim_vector;\nELSE\n  own := to_tsvector(config, coalesce(claim_text, ''));\nEND IF;\nIF config = 'simple'::regconfig AND claim_text IS NOT NULL\n   AND NEW.headline = '' AND NEW.summary = '' AND NEW.explanation = '' THEN\n  plain := own;\nELSE\n  plain := to_tsvector('simple', concat_ws(' ', claim_text, review));\nEND IF;\nNEW.search_vector := setweight(own, 'A') || setweight(to_tsvector(config, review), 'B') || plain;\nRETURN NEW;\n",
                    hash="302a42569d984b78b3d542278b4962a7a707d6dc",
                    operation='INSERT OR UPDATE OF "claim_id", "headline", "summary", "explanation"',
                    pgid="pgtrigger_search_vector_e6068",
                    table="claims_verdict",
                    when="BEFORE",
                ),
            ),
        ),
    ]
