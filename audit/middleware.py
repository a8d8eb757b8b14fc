"""Who and where for the audit trail: pghistory's middleware, with the URL's route instead of
its path, so the trail never holds a secret carried in a path (a manage or confirmation link's
token: only their hashes are stored anywhere)."""

import pghistory
from pghistory.middleware import HistoryMiddleware


class TrailMiddleware(HistoryMiddleware):
    def get_context(self, request):
        # The route is known once the URL is resolved (process_view); until then, nothing.
        return {**super().get_context(request), "url": None}

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None:
            pghistory.context(url=f"/{match.route}")  # joins the request's context
        return None
