from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from govuk.search import seek_page

from . import inbox

NOTIFICATIONS_PER_PAGE = 25


@login_required
@require_GET
def notification_list(request):
    """Everything the service has told the person, or (``?show=waiting``) only what still asks
    them to do something."""
    waiting = request.GET.get("show") == "waiting"
    # Paged newest first with no count of them all: a person's list only ever grows.
    page_obj = seek_page(
        inbox.notifications_for(user=request.user, waiting=waiting),
        request.GET,
        per_page=NOTIFICATIONS_PER_PAGE,
    )
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page_obj": page_obj,
            "notifications": page_obj.entries,
            "waiting": waiting,
            "waiting_count": inbox.waiting_count(user=request.user),
        },
    )


@login_required
@require_GET
def notification_open(request, pk):
    """Mark the notification read and go to the page it is about."""
    # A GET that writes, on purpose: each entry in the list is an ordinary link, and following
    # it from anywhere, a forged cross-site link included, is safe. It only ever marks the
    # signed-in person's own notification (another's is not found), sets its read time once
    # and changes nothing else, so following it twice or by mistake does no harm.
    notification = inbox.notification_open(user=request.user, pk=pk)
    link = notification.link
    # Links are paths the service wrote; anything else goes back to the list.
    if link and url_has_allowed_host_and_scheme(
        link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(link)
    return redirect("notifications:notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notifications_mark_all_read(request):
    if request.method == "POST":
        marked = inbox.notifications_mark_all_read(user=request.user)
        if marked:
            messages.success(
                request, f"{marked} notification{'' if marked == 1 else 's'} marked as read."
            )
    return redirect("notifications:notification_list")
