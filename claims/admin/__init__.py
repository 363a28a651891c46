"""The newsroom's admin: the claim list is the review queue (queue.py), the claim page is where
a claim is reviewed (claim_page.py), spot.py is the "Spot the claims" page; desk.py adds the
claims' panels to the admin home; records.py and api_keys.py hold the other models' admins.

Importing the modules registers their admins with Django's site (admin autodiscovery imports
this package).
"""

from claims.admin import api_keys, claim, desk, records

__all__ = ["api_keys", "claim", "desk", "records"]
