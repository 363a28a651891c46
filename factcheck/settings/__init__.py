"""Settings for factcheck, one module per concern. Every deployment difference comes from the
environment: the modules only read it, through the typed readers of `factcheck/env.py`, and
docs/configuration.md lists each variable with its default.
"""

from factcheck.settings.api import *
from factcheck.settings.core import *
from factcheck.settings.database import *
from factcheck.settings.imports import *
from factcheck.settings.observability import *
from factcheck.settings.security import *
from factcheck.settings.tasks import *
from factcheck.settings.webhooks import *
