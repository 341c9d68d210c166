from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from identity.permissions import role_required
from identity.roles import Role

from . import probes


@never_cache
def live(request):
    """For load balancers and container health checks: can this node serve requests?

    The database and the cache are asked on every request; an S3 bucket's answer may be up to
    ``probes.BUCKET_ANSWER_KEPT_SECONDS`` old, as every node is asked every few seconds.
    """
    checks = {
        "database": probes.database_ok(),
        "cache": probes.cache_ok(),
        "object_store": probes.object_store_ok(),
    }
    failed = [name for name, ok in checks.items() if not ok]
    body = {"status": "fail" if failed else "ok"}
    body.update({name: "ok" if ok else "fail" for name, ok in checks.items()})
    return JsonResponse(body, status=503 if failed else 200)


@never_cache
@role_required(Role.SECRETARIAT)
def status(request):
    """For the secretariat: is every part of the service, background work included, running?"""
    store = probes.object_store()
    # Each part: its name, whether it answers, and what it is or why it does not answer.
    checks = [
        ("Database", probes.database_ok(), ""),
        ("Cache", probes.cache_ok(), ""),
        ("Task broker", probes.broker_ok(), ""),
        ("Object store", store.ok, store.problem or store.where),
    ]
    queues = probes.queues()
    all_ok = all(ok for _, ok, _ in checks) and all(queue.ok for queue in queues)
    return render(
        request,
        "health/status.html",
        {
            "checks": checks,
            "queues": queues,
            "heartbeat_recent_minutes": int(probes.HEARTBEAT_RECENT_WITHIN.total_seconds() // 60),
            "all_ok": all_ok,
            "version": probes.app_version(),
        },
    )
