"""German formats: Django's de already writes "1.234,50" (SPEC 13); this module only makes
the place explicit, next to fr and en."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
