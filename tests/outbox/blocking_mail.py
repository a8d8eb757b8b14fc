"""A mail server for worker subprocesses in tests: each message is written to a file under
CHARTER_MAIL_FILE_DIR (so the test counts deliveries across processes); while a file named
`block` exists there, a send first writes `sending` and then hangs, so a test can kill the
worker mid-send."""

import time

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class BlockingFileBackend(EmailBackend):
    def __init__(self, *args, **kwargs):
        settings.CHARTER_MAIL_FILE_DIR.mkdir(parents=True, exist_ok=True)
        super().__init__(*args, file_path=str(settings.CHARTER_MAIL_FILE_DIR), **kwargs)

    def send_messages(self, email_messages):
        folder = settings.CHARTER_MAIL_FILE_DIR
        if (folder / "block").exists():
            (folder / "sending").write_text("")
            while (folder / "block").exists():
                time.sleep(0.1)
        return super().send_messages(email_messages)
