"""The time services record an action at."""

import datetime

from django.utils import timezone

from core import clock


def test_an_action_is_recorded_now_unless_a_record_of_the_past_says_when():
    before = timezone.now()
    assert before <= clock.now() <= timezone.now()
    past = datetime.datetime(2024, 9, 30, 10, tzinfo=datetime.UTC)
    with clock.recorded_at(past):
        assert clock.now() == past
    assert clock.now() >= before
