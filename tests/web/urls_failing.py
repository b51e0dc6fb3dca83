"""The real URLconf plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from mentorhaven.urls import handler400, handler403, handler404, handler500, urlpatterns

LEAKY_DETAIL = "database password is hunter2"


def failing_view(request):
    raise RuntimeError(LEAKY_DETAIL)


urlpatterns = [*urlpatterns, path("fail/", failing_view)]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
