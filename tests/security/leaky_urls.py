"""The real URLconf plus one deliberately unprotected view, to prove the URL walk catches it."""

from django.http import Http404, HttpResponse
from django.urls import include, path

from mentorhaven.programs.models import Program


def leaky_program(request, program_id):
    program = Program.objects.filter(public_id=program_id).first()
    if program is None:
        raise Http404
    return HttpResponse(program.name)


urlpatterns = [
    path("leaky/<uuid:program_id>/", leaky_program, name="leaky_program"),
    path("", include("mentorhaven.urls")),
]
