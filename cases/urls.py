from django.urls import path

from cases import views

app_name = "cases"
urlpatterns: list = []

# The home page is the site root, named without namespace.
home_urlpatterns = [path("", views.home, name="home")]
