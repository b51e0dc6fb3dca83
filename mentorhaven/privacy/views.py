"""Privacy pages: the entry point to what we keep, who accessed it, and your rights."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def privacy_home(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/home.html")
