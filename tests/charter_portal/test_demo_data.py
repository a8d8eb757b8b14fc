import io

from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from pledges.models import Pledge, PledgeStatus
from pledges.selectors import pledge_published_total


def test_the_demo_has_hundreds_of_published_pledges_in_every_neighbourhood(seeded):
    published = Pledge.objects.filter(status=PledgeStatus.PUBLISHED)
    assert published.count() >= 300
    per_area = published.exclude(neighbourhood=None).values("neighbourhood").annotate(n=Count("pk"))
    assert len(per_area) == 6
    assert min(row["n"] for row in per_area) >= 20


def test_the_demo_has_pledges_waiting_for_moderation(seeded):
    waiting = Pledge.objects.filter(status__in=[PledgeStatus.CONFIRMED, PledgeStatus.HELD])
    assert waiting.count() >= 5


def test_the_demo_count_matches_the_published_pledges_and_no_date_is_in_the_future(seeded):
    published = Pledge.objects.filter(status=PledgeStatus.PUBLISHED)
    assert pledge_published_total() == published.count()
    assert not published.filter(published_at__gt=timezone.now()).exists()
    assert not Pledge.objects.filter(created_at__gt=timezone.now()).exists()


def test_seeding_again_adds_no_pledges(seeded):
    before = Pledge.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Pledge.objects.count() == before


def test_the_demos_emails_went_when_its_story_happened_so_nothing_waits_to_be_sent(seeded):
    from django_tasks_db.models import DBTaskResult

    from outbox.models import OutboundEmail

    emails = OutboundEmail.objects.all()
    assert emails.filter(kind="confirm").count() >= 300
    assert not emails.exclude(status=OutboundEmail.Status.SENT).exists()
    assert not DBTaskResult.objects.filter(task_path="outbox.tasks.email_deliver").exists()
    for email in emails.filter(kind="published")[:20]:
        assert email.sent_at == email.about.published_at
