"""French formats where SPEC 13 differs from Django's (its other names come from Django's fr).

Luxembourg writes "1.234,50 €" in French as in German: a point groups the thousands, not
Django's non-breaking space.
"""

THOUSAND_SEPARATOR = "."
