"""The email outbox: every email is written in the transaction of the change it is about and sent
by the background worker, which retries until the mail server answers."""
