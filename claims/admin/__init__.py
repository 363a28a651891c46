"""The newsroom's admin: the claim list is the review queue (queue.py), the claim page is where
a claim is reviewed (claim_page.py), spot.py is the "Spot the claims" page; records.py and
api_keys.py hold the other models' admins.

Importing the modules registers their admins with Django's site (admin autodiscovery imports
this package).
"""

from django.contrib import admin

from claims.admin import api_keys, claim, records
from claims.admin.spot import spot_in_app_list

__all__ = ["api_keys", "claim", "records"]

spot_in_app_list(admin.site)
