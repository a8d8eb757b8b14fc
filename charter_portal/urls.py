from django.contrib import admin
from django.urls import include, path

from charter_portal import views

handler400 = "charter_portal.errors.bad_request"
handler403 = "charter_portal.errors.permission_denied"
handler404 = "charter_portal.errors.page_not_found"
handler500 = "charter_portal.errors.server_error"

admin.site.site_header = "Inclusive Economy Charter: officers"
admin.site.site_title = "Inclusive Economy Charter admin"
admin.site.index_title = "Charter data"

urlpatterns = [
    path("", views.home, name="home"),
    path("charter/", views.charter, name="charter"),
    path("neighbourhoods/", views.neighbourhoods, name="neighbourhoods"),
    path("neighbourhoods/<slug:slug>/", views.neighbourhood_detail, name="neighbourhood"),
    path("accessibility/", views.accessibility_statement, name="accessibility"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("pledges.urls")),
    path("admin/", admin.site.urls),
]
