from django.urls import path

from metrics.spend import views

app_name = "spend"

urlpatterns = [
    path("spend/", views.spend_index, name="index"),
    path("spend/suppliers/", views.spend_suppliers, name="suppliers"),
    path("spend/<slug:table>.csv", views.spend_csv, name="csv"),
]
