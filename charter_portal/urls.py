from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from charter_portal import dashboards, impact, sign_in, staff_home, views

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
    path("sign-in/", sign_in.SignInView.as_view(), name="sign_in"),
    path("sign-in/code/", sign_in.second_factor_step, name="sign_in_second_factor"),
    path("sign-in/set-up/", sign_in.set_up, name="sign_in_set_up"),
    path("sign-in/recovery-codes/", sign_in.recovery_codes, name="sign_in_recovery_codes"),
    path("sign-in/settings/", sign_in.account_security, name="account_security"),
    path(
        "sign-in/settings/recovery-codes/",
        sign_in.recovery_codes_renew,
        name="recovery_codes_renew",
    ),
    path("sign-in/passkeys/", include("django_otp_webauthn.urls", namespace="otp_webauthn")),
    path("sign-out/", auth_views.LogoutView.as_view(), name="sign_out"),
    path("staff/", staff_home.staff_home, name="staff_home"),
    path("dashboard/", dashboards.dashboard_index, name="dashboard"),
    path(
        "dashboard/<slug:slug>/", dashboards.dashboard_neighbourhood, name="dashboard_neighbourhood"
    ),
    path(
        "dashboard/<slug:slug>/<slug:table>.csv",
        dashboards.dashboard_table_csv,
        name="dashboard_table_csv",
    ),
    path("impact/", impact.impact_latest, name="impact_latest"),
    path("impact/<str:year>/", impact.impact_report, name="impact"),
    path("impact/<str:year>.csv", impact.impact_report_csv, name="impact_csv"),
    path("impact/<str:year>.json", impact.impact_report_json, name="impact_json"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("pledges.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.spend.urls")),
    path("", include("balancesheets.urls")),
    # One front door: admin's own login page would skip the second factor.
    path("admin/login/", sign_in.admin_login_redirect),
    path("admin/", admin.site.urls),
]
