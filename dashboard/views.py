from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def start(request):
    return render(request, "dashboard/start.html")


@login_required
def home(request):
    return render(request, "dashboard/home.html")


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def error_preview(request, status):
    template = {400: "400", 403: "403", 404: "404", 500: "500"}.get(status, "404")
    return render(request, f"errors/{template}.html", status=status)
