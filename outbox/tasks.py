from django_tasks import task

from outbox.services import email_send_now


@task()
def email_deliver(email_id: int) -> bool:
    return email_send_now(email_id=email_id)
