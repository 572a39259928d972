from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

if TYPE_CHECKING:
    # For the checker only (AUTH_USER_MODEL): at run time stores imports nothing from accounts.
    from accounts.models import User

_feed_url_validator = URLValidator(schemes=["http", "https"])


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    GERMAN = "de", _("German")


class MissingPolicy(models.TextChoices):
    """What a full import does to the products its feed no longer lists (SPEC 11)."""

    KEEP = "keep", _("Keep them")
    OUT_OF_STOCK = "out_of_stock", _("Mark them out of stock")
    DEACTIVATE = "deactivate", _("Deactivate them")


class Store(BaseModel):
    code = models.SlugField(max_length=50, unique=True, help_text=_("Used in URLs: /store/<code>/"))
    name = models.CharField(max_length=200)
    default_language = models.CharField(max_length=2, choices=Language.choices, default=Language.FRENCH)
    letzshop_csv_url_fr = models.URLField(
        _("Letzshop CSV URL (French)"), max_length=2000, blank=True, validators=[_feed_url_validator]
    )
    letzshop_csv_url_en = models.URLField(
        _("Letzshop CSV URL (English)"), max_length=2000, blank=True, validators=[_feed_url_validator]
    )
    letzshop_csv_url_de = models.URLField(
        _("Letzshop CSV URL (German)"), max_length=2000, blank=True, validators=[_feed_url_validator]
    )
    is_active = models.BooleanField(default=True, db_index=True)
    # Feed sync (SPEC 11): missing products and the safety net that holds a mass removal.
    missing_policy = models.CharField(
        max_length=16,
        choices=MissingPolicy.choices,
        default=MissingPolicy.DEACTIVATE,
        db_default=MissingPolicy.DEACTIVATE,
    )
    missing_grace = models.PositiveSmallIntegerField(
        default=1,
        db_default=1,
        help_text=_("Consecutive full imports a product must be absent from before the policy applies"),
    )
    removal_max_percent = models.PositiveSmallIntegerField(
        default=20,
        db_default=20,
        help_text=_("Hold the removal when more than this share of active products would go missing"),
    )
    removal_min_rows_percent = models.PositiveSmallIntegerField(
        default=50,
        db_default=50,
        help_text=_("Hold the removal when a full feed has fewer rows than this share of the previous one"),
    )
    members: models.ManyToManyField[User, StoreMembership] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="StoreMembership", related_name="stores"
    )

    class Meta:
        db_table = "stores"
        verbose_name = _("Store")
        verbose_name_plural = _("Stores")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(missing_policy__in=["keep", "out_of_stock", "deactivate"]),
                name="store_missing_policy_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(missing_grace__gte=1, missing_grace__lte=100), name="store_missing_grace_range"
            ),
            models.CheckConstraint(
                condition=models.Q(removal_max_percent__lte=100, removal_min_rows_percent__lte=100),
                name="store_removal_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def feed_url(self, language: str) -> str:
        return getattr(self, f"letzshop_csv_url_{language}", "") or ""


class StoreMembership(BaseModel):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")
        STAFF = "staff", _("Staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STAFF)

    class Meta:
        db_table = "store_memberships"
        verbose_name = _("Store membership")
        verbose_name_plural = _("Store memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "store"], name="uniq_membership_user_store"),
            models.CheckConstraint(
                condition=models.Q(role__in=["owner", "manager", "staff"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store.code} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in (self.Role.OWNER, self.Role.MANAGER)
