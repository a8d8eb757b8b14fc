"""Helpers for the constraint tests: write a violating row straight to the database (no model
`save()`, no form, no service) and check that the named constraint is the one that refuses it."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import CheckConstraint, Model, UniqueConstraint


def update(row: Model, **changes) -> None:
    type(row)._base_manager.filter(pk=row.pk).update(**changes)


def insert(model: type[Model], **values) -> None:
    model._base_manager.bulk_create([model(**values)])


def changed(make_row, **changes):
    """A case: one valid row, then `changes` written straight to it."""

    def case():
        row = make_row()
        return lambda: update(row, **changes)

    return case


def copied(make_pair, *fields):
    """A case: two valid rows, then the second given the first's `fields`."""

    def case():
        first, second = make_pair()
        return lambda: update(second, **{field: getattr(first, field) for field in fields})

    return case


def inserted(model: type[Model], make_values):
    """A case: a new row of `model` with the values `make_values()` returns."""

    def case():
        values = make_values()
        return lambda: insert(model, **values)

    return case


def unique_field_constraint(model: type[Model], field_name: str) -> str:
    """The database's name for the unique constraint that `unique=True` made on one column."""
    column = model._meta.get_field(field_name).column
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    names = [
        name
        for name, details in constraints.items()
        if details["unique"] and not details["primary_key"] and details["columns"] == [column]
    ]
    assert len(names) == 1, f"{model._meta.label}.{field_name} has unique constraints {names}"
    return names[0]


def constraint_name(key: str) -> str:
    """A case's key is a Meta constraint's name, or "app_label.Model.field" for a unique field."""
    if key.count(".") == 2:
        app_label, model_name, field_name = key.split(".")
        from django.apps import apps

        return unique_field_constraint(apps.get_model(app_label, model_name), field_name)
    return key


def assert_refused(key: str, write) -> None:
    name = constraint_name(key)
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    assert f'"{name}"' in str(refused.value), str(refused.value)


def assert_accepted_without(key: str, write) -> None:
    """With only this constraint dropped, the same write goes through: it breaks nothing else.

    DDL is transactional in PostgreSQL, so the constraint comes back when the savepoint rolls back.
    """
    name = constraint_name(key)
    with transaction.atomic(), connection.cursor() as cursor:
        # ALTER TABLE waits for no deferred foreign-key check: run the pending ones now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(
            "SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = %s", [name]
        )
        table = cursor.fetchone()
        if table:
            cursor.execute(f'ALTER TABLE {table[0]} DROP CONSTRAINT "{name}"')
        else:  # a partial unique constraint is a unique index
            cursor.execute(f'DROP INDEX "{name}"')
        write()
        transaction.set_rollback(True)


def declared_constraints(app_label: str) -> set[str]:
    """Every constraint an app's models declare, keyed as the cases are."""
    from django.apps import apps

    keys = set()
    for model in apps.get_app_config(app_label).get_models():
        if not model._meta.managed or model._meta.proxy:
            continue
        keys |= {
            constraint.name
            for constraint in model._meta.constraints
            if isinstance(constraint, CheckConstraint | UniqueConstraint)
        }
        keys |= {
            f"{model._meta.label}.{field.name}"
            for field in model._meta.local_fields
            if field.unique and not field.primary_key
        }
    return keys


def constraint_tests(app_label: str, cases: dict):
    """The three tests each app's constraint module runs over its cases: every declared constraint
    has a case; the database refuses the case's row; and the row breaks that constraint alone."""

    def test_every_constraint_has_a_case():
        assert declared_constraints(app_label) == set(cases)

    @pytest.mark.parametrize("constraint", cases)
    def test_the_database_refuses_a_row_that_breaks(constraint):
        assert_refused(constraint, cases[constraint]())

    @pytest.mark.parametrize("constraint", cases)
    def test_the_row_breaks_no_other_constraint(constraint):
        assert_accepted_without(constraint, cases[constraint]())

    return (
        test_every_constraint_has_a_case,
        test_the_database_refuses_a_row_that_breaks,
        test_the_row_breaks_no_other_constraint,
    )
