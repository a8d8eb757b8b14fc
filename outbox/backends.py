from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as FileBackend


class DevelopmentEmailBackend(BaseEmailBackend):
    """Write each email to a file under var/mail/ and echo it to the console.

    A developer running `make run` can then follow a confirmation link without a mail server.
    """

    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        settings.CHARTER_MAIL_FILE_DIR.mkdir(parents=True, exist_ok=True)
        self.file_backend = FileBackend(
            file_path=str(settings.CHARTER_MAIL_FILE_DIR), fail_silently=fail_silently
        )
        self.console_backend = ConsoleBackend(fail_silently=fail_silently)

    def send_messages(self, email_messages):
        sent = self.file_backend.send_messages(email_messages)
        self.console_backend.send_messages(email_messages)
        return sent
