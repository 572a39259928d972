"""The product's localized attributes (SPEC 7) leave MarketplaceProduct: 0007 copied them
into the translations."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0007_copy_localized_attributes"),
    ]

    operations = [
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='color',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='link',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='material',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='mobile_link',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='pattern',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='product_type',
        ),
        migrations.RemoveField(
            model_name='marketplaceproduct',
            name='size',
        ),
    ]
