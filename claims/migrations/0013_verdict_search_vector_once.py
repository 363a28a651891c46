"""The verdict search-vector trigger computes each claim's words once instead of up to three
times. Same vectors as before (tests/claims/test_issue5_import_speed.py compares them with
0003's expression):

- the claim's words in its language's configuration: the claim's stored `search_vector`
  (`to_tsvector('english', text)`, a generated column) when that configuration is `english`,
  instead of a second to_tsvector of the same text;
- the `simple` part, `to_tsvector('simple', concat_ws(' ', claim_text, review))`: when the
  verdict has no headline, summary or explanation (every imported verdict from a table) and
  the configuration is `simple` itself (no language), it is the claim's own vector (trailing
  spaces add no lexeme and no position), so it is not computed again.

A table import (LIAR) spent 46 µs a row in this trigger, a third of its insert statement.
"""

from django.db import migrations

FAST = """
CREATE OR REPLACE FUNCTION claims_verdict_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  claim_text text;
  claim_language text;
  claim_vector tsvector;
  config regconfig;
  review text;
  own tsvector;
  plain tsvector;
BEGIN
  SELECT c.text, c.language, c.search_vector INTO claim_text, claim_language, claim_vector
    FROM claims_claim c WHERE c.id = NEW.claim_id;
  config := factcheck_ts_config(claim_language);
  review := concat_ws(' ', NEW.headline, NEW.summary, NEW.explanation);
  IF config = 'english'::regconfig AND claim_vector IS NOT NULL THEN
    own := claim_vector;  -- the generated column: to_tsvector('english', text)
  ELSE
    own := to_tsvector(config, coalesce(claim_text, ''));
  END IF;
  IF config = 'simple'::regconfig AND claim_text IS NOT NULL
     AND NEW.headline = '' AND NEW.summary = '' AND NEW.explanation = '' THEN
    plain := own;  -- to_tsvector('simple', claim_text || '   ') is the claim's own vector
  ELSE
    plain := to_tsvector('simple', concat_ws(' ', claim_text, review));
  END IF;
  NEW.search_vector := setweight(own, 'A') || setweight(to_tsvector(config, review), 'B') || plain;
  RETURN NEW;
END
$$;
"""

# 0003_issue4_api's function, as it was.
BEFORE = """
CREATE OR REPLACE FUNCTION claims_verdict_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  claim_text text;
  claim_language text;
  config regconfig;
  review text;
BEGIN
  SELECT c.text, c.language INTO claim_text, claim_language
    FROM claims_claim c WHERE c.id = NEW.claim_id;
  config := factcheck_ts_config(claim_language);
  review := concat_ws(' ', NEW.headline, NEW.summary, NEW.explanation);
  NEW.search_vector :=
    setweight(to_tsvector(config, coalesce(claim_text, '')), 'A')
    || setweight(to_tsvector(config, review), 'B')
    || to_tsvector('simple', concat_ws(' ', claim_text, review));
  RETURN NEW;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_leaner_import_indexes")]

    operations = [migrations.RunSQL(FAST, BEFORE)]
