"""b2safe: the EUDAT B2SAFE ruleset for the iRODS Python Rule Engine Plugin.

Deploy by copying this file to /etc/irods/core.py (or adding its import line to an existing one)
on a server where the b2safe package is installed into the Python 3 that PREP uses.
"""

# Exactly the registered rules: b2safe.ruleset.__all__ is the rule registry.
from b2safe.ruleset import *
