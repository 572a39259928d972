"""The localized attributes move to the translations (SPEC 7): new columns first; 0007
copies the values, 0008 drops the product's columns."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('marketplace', '0005_error_type_row_too_long'),
    ]

    operations = [
        migrations.CreateModel(
            name='FeedMembership',
            fields=[
                ('pk', models.CompositePrimaryKey('import_job', 'product', blank=True, editable=False, primary_key=True, serialize=False)),
                ('import_job', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='marketplace.marketplaceimportjob')),
                ('product', models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='marketplace.marketplaceproduct')),
            ],
            options={
                'db_table': 'marketplace_feed_membership',
            },
        ),
        migrations.AddField(
            model_name='marketplaceimportjob',
            name='translations_added',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='color',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='material',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='mobile_link',
            field=models.CharField(blank=True, max_length=2000),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='pattern',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='product_detail',
            field=models.CharField(blank=True, max_length=1000),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='product_highlight',
            field=models.CharField(blank=True, max_length=1000),
        ),
        migrations.AddField(
            model_name='marketplaceproducttranslation',
            name='size',
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.AlterField(
            model_name='marketplaceimporterror',
            name='error_type',
            field=models.CharField(choices=[('missing_title', 'Missing title'), ('missing_id', 'Missing id'), ('parse_error', 'Parse error'), ('validation_error', 'Validation error'), ('row_too_long', 'Row too long'), ('language_conflict', 'Language conflict')], max_length=32),
        ),
    ]
