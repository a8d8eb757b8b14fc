"""The search vector becomes a generated column: the database recomputes it whenever the name,
the pledge or its target changes, so no write path can leave it stale.

PostgreSQL cannot turn a plain column into a generated one, so the column is dropped and added
again (filled for every existing row as it is added), and its GIN index with it.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pledges", "0006_drop_pledge_counter"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="pledge", name="pledge_search_gin"),
        migrations.RemoveField(model_name="pledge", name="search_vector"),
        migrations.AddField(
            model_name="pledge",
            name="search_vector",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.CombinedSearchVector(
                        django.contrib.postgres.search.SearchVector(
                            models.Case(
                                models.When(
                                    models.Q(
                                        ("show_name", True),
                                        models.Q(("display_name", ""), _negated=True),
                                    ),
                                    then=models.F("display_name"),
                                ),
                                models.When(
                                    pledger_type="resident", then=models.Value("A local resident")
                                ),
                                models.When(
                                    pledger_type="community",
                                    then=models.Value("A community group"),
                                ),
                                models.When(
                                    pledger_type="business", then=models.Value("A local business")
                                ),
                                models.When(
                                    pledger_type="public_sector",
                                    then=models.Value("A public sector organisation"),
                                ),
                                models.When(
                                    pledger_type="education",
                                    then=models.Value("A school or college"),
                                ),
                                default=models.Value("A pledger"),
                            ),
                            config="english",
                            weight="A",
                        ),
                        "||",
                        django.contrib.postgres.search.SearchVector(
                            "text", config="english", weight="B"
                        ),
                        django.contrib.postgres.search.SearchConfig("english"),
                    ),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        "target", config="english", weight="C"
                    ),
                    django.contrib.postgres.search.SearchConfig("english"),
                ),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="pledge",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="pledge_search_gin"
            ),
        ),
    ]
