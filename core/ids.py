"""The range of the database's ids, for every input that names a row by its id."""

from __future__ import annotations

# Ids are 64-bit integers: a larger one would make the database driver raise instead of
# the lookup answering "no such row".
MAX_DB_ID = 2**63 - 1
