"""Each constraint on the outbox table refuses the one row it exists to refuse."""

import pytest
from django.contrib.contenttypes.models import ContentType

from outbox.models import OutboundEmail
from tests.constraints import (
    changed,
    constraint_tests,
)

pytestmark = pytest.mark.django_db


def _email_about_a_record():
    return OutboundEmail.objects.create(
        to="pledger@private.example.org",
        subject="Confirm your pledge",
        body="Follow the link.",
        kind="confirm",
        about_type=ContentType.objects.get_for_model(OutboundEmail),
        about_id=1,
    )


CASES = {
    "outbox_email_about_whole": changed(_email_about_a_record, about_type=None),
    "outbox_email_capped_unsent": changed(_email_about_a_record, status="capped"),
}


(
    test_every_constraint_has_a_case,
    test_the_database_refuses_a_row_that_breaks,
    test_the_row_breaks_no_other_constraint,
) = constraint_tests("outbox", CASES)
