from django.urls import path

from pledges.views import journey, manage, wall

app_name = "pledges"

urlpatterns = [
    # The pledge journey: one question a page, then check answers.
    path("pledge/", journey.pledger_type, name="start"),
    path("pledge/business-size/", journey.business_size, name="size"),
    path("pledge/name/", journey.name, name="name"),
    path("pledge/area/", journey.area, name="area"),
    path("pledge/postcode/", journey.postcode, name="postcode"),
    path("pledge/commitments/", journey.commitments, name="commitments"),
    path("pledge/your-pledge/", journey.words, name="words"),
    path("pledge/email/", journey.email, name="email"),
    path("pledge/check-answers/", journey.check_answers, name="check"),
    path("pledge/check-your-email/", journey.check_your_email, name="sent"),
    path("pledge/confirm/<str:token>/", journey.confirm, name="confirm"),
    # The pledger's private page.
    path("pledge/manage/<str:token>/", manage.manage, name="manage"),
    path("pledge/manage/<str:token>/progress/", manage.report_progress, name="manage_progress"),
    path("pledge/manage/<str:token>/consent/", manage.consent, name="manage_consent"),
    path("pledge/manage/<str:token>/withdraw/", manage.withdraw, name="manage_withdraw"),
    path("pledge/manage/<str:token>/erase/", manage.erase, name="manage_erase"),
    # The public pledge wall and open data.
    path("pledges/", wall.pledge_wall, name="wall"),
    path("pledges.json", wall.pledges_json, name="json"),
    path("pledges.csv", wall.pledges_csv, name="csv"),
    path("pledges/counts.json", wall.pledge_counts_json, name="counts"),
    path("pledges/<str:reference>/", wall.pledge_detail, name="detail"),
]
