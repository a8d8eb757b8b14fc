"""The records kept about how the portal's data is handled: who saw personal data, and what
was done for a data subject. The trail of every staff change is kept by database triggers
(django-pghistory), in event tables beside each tracked model."""
