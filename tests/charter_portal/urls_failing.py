"""A URLconf with a view that fails, to see what users get from an unexpected error."""

from django.urls import include, path


def broken_view(request):
    raise RuntimeError("an unexpected bug")


urlpatterns = [
    path("broken/", broken_view),
    path("", include("charter_portal.urls")),
]
handler500 = "charter_portal.errors.server_error"
