from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("metrics/", views.metrics_index, name="index"),
    path("metrics/<slug:code>.csv", views.metric_csv, name="csv"),
    path("metrics/<slug:code>/", views.metric_detail, name="detail"),
    path("lm3/", views.lm3_list, name="lm3_list"),
    path("lm3/<int:pk>/", views.lm3_detail, name="lm3_detail"),
]
