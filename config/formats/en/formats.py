"""English formats for readers in Luxembourg: numbers as Django's en ("1,234.50"), dates
day first with a 24-hour clock, the way the British (and the French and German pages) write
them, instead of Django's American "Dec. 4, 2026, 4:05 p.m." and "12/04/2026"."""

from django.conf.locale.en_GB.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATE_INPUT_FORMATS", "DATETIME_INPUT_FORMATS"]

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
