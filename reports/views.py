from urllib.parse import urlencode

from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from audit.kept import kept_for_staff
from govuk.csv_export import csv_response
from identity.permissions import role_required
from identity.roles import Role
from uploads.responses import serve_file

from . import selectors, services
from .charts import report_charts
from .figures import BY_ORGANISATION_PER_PAGE, report_without_figures
from .forms import ReportFilterForm, filter_form, query_for
from .models import ReportExport
from .rows import HEADER, report_rows
from .selectors import SUMMARY_MAX_AGE as COUNTS_KEPT


def _report_kwargs(form):
    return {
        "date_from": form.cleaned_data["date_from"],
        "date_to": form.cleaned_data["date_to"],
        "organisation": form.cleaned_data.get("organisation"),
    }


def _report_for_page(request, form, *, expiring_page=None):
    """The report for the filters of ``form``, from the worker's summary when it can stand for
    the live figures, unless the query asks for them worked out now (``live=1``)."""
    return selectors.report_for_page(
        **_report_kwargs(form),
        expiring_page=expiring_page,
        live=request.GET.get("live") == "1",
    )


def _counts_html(built, *, figures_as_of, query, live):
    """Every figure of the page but the accreditations expiring, as HTML. Figures from the
    worker's summary are the same until it next refreshes it, so their HTML is rendered once per
    summary and kept in the cache (charts and hundreds of table cells take longer to render than
    the rest of the page); figures worked out now are rendered each time."""

    def rendered():
        return render_to_string(
            "reports/_counts.html",
            {
                "report": built,
                "charts": report_charts(built),
                "pdf": False,
                "query": query,
                "live": live,
            },
        )

    if figures_as_of is None:
        return rendered()
    return cache.get_or_set(
        _counts_key(figures_as_of, query), rendered, timeout=COUNTS_KEPT.total_seconds()
    )


def _counts_key(figures_as_of, query):
    return f"reports:counts:{figures_as_of.isoformat()}:{query}"


def _counts_kept(request, form, query):
    """``(html, figures_as_of)`` of the figures of the report ``form`` asks for, when they come
    from the worker's summary and their HTML is kept; None otherwise. The summary's figures
    themselves are then never read: its moment names the HTML."""
    kwargs = _report_kwargs(form)
    if not selectors.summary_stands_for(**kwargs, live=request.GET.get("live") == "1"):
        return None
    figures_as_of = selectors.report_summary_moment()
    if figures_as_of is None:
        return None
    html = cache.get(_counts_key(figures_as_of, query))
    return None if html is None else (html, figures_as_of)


@role_required(Role.SECRETARIAT)
def report(request):
    form = filter_form(request.GET)
    context = {
        "form": form,
        "report": None,
        # Two parts of the page are kept once rendered, under the latest event about what they
        # show: the filters' form, whose hundreds of organisations are the slowest part of the
        # page to render, and the page of accreditations expiring, which is read live where the
        # figures come from the worker's summary.
        "kept": kept_for_staff(
            "researchers.organisation",
            "accreditation.accreditation",
            vary=(request.GET.urlencode(),),
        ),
    }
    if form.is_valid():
        filters = form.filters()
        query = query_for(filters)
        expiring_page = request.GET.get("page", 1)
        kept = _counts_kept(request, form, urlencode(query))
        if kept is not None:
            counts, figures_as_of = kept
            # Read only when the page of accreditations expiring is not kept already.
            built = SimpleLazyObject(
                lambda: report_without_figures(
                    date_from=form.cleaned_data["date_from"],
                    date_to=form.cleaned_data["date_to"],
                    today=timezone.localdate(),
                    expiring_page=expiring_page,
                )
            )
        else:
            built, figures_as_of = _report_for_page(request, form, expiring_page=expiring_page)
            counts = _counts_html(
                built,
                figures_as_of=figures_as_of,
                query=urlencode(query),
                live=request.GET.get("live") == "1",
            )
        organisation = form.cleaned_data.get("organisation")
        context.update(
            report=built,
            heading={
                "date_from": form.cleaned_data["date_from"],
                "date_to": form.cleaned_data["date_to"],
                "organisation_name": str(organisation) if organisation is not None else "",
            },
            counts=counts,
            figures_as_of=figures_as_of,
            live=request.GET.get("live") == "1",
            filters=filters,
            query=urlencode(query),
            filter_items=list(query.items()),
        )
    return render(request, "reports/report.html", context)


@role_required(Role.SECRETARIAT)
def organisation_list(request):
    """The report's counts for every organisation, a page at a time, with the report's filters:
    the report page itself shows only the organisations with the most records."""
    form = filter_form(request.GET)
    if not form.is_valid():
        # The report page explains what is wrong with the filters.
        return redirect(f"{reverse('reports:report')}?{request.GET.urlencode()}")
    built, figures_as_of = _report_for_page(request, form, expiring_page=1)
    query = query_for(form.filters())
    if request.GET.get("live") == "1":
        query["live"] = "1"
    page = Paginator(built.by_organisation, BY_ORGANISATION_PER_PAGE).get_page(
        request.GET.get("page", 1)
    )
    return render(
        request,
        "reports/organisation_list.html",
        {
            "report": built,
            "figures_as_of": figures_as_of,
            "page_obj": page,
            "query": urlencode(query),
        },
    )


@role_required(Role.SECRETARIAT)
def report_csv(request):
    """The report's rows, one per application, proposal and output request, streamed."""
    form = filter_form(request.GET)
    if not form.is_valid():
        # The report page explains what is wrong with the filters.
        return redirect(f"{reverse('reports:report')}?{request.GET.urlencode()}")
    services.report_csv_record(filters=form.filters(), by=request.user, request=request)
    kwargs = _report_kwargs(form)
    return csv_response(
        header=HEADER,
        rows=report_rows(**kwargs),
        filename=f"accreditation-report-{kwargs['date_from']}-to-{kwargs['date_to']}.csv",
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.SECRETARIAT)
def export_list(request):
    """The PDF reports asked for lately; a POST with the report's filters asks for another."""
    if request.method == "POST":
        # The filters come from the report page's form; none at all is not "the default".
        form = ReportFilterForm(request.POST)
        if not form.is_valid():
            return render(request, "reports/report.html", {"form": form, "report": None})
        export = services.report_export_request(
            filters=form.filters(), by=request.user, request=request
        )
        return redirect("reports:export_detail", pk=export.pk)
    return render(request, "reports/export_list.html", {"exports": selectors.exports_recent()})


@never_cache
@role_required(Role.SECRETARIAT)
def export_detail(request, pk):
    export = selectors.export_get(pk=pk)
    return render(
        request,
        "reports/export_detail.html",
        {
            "export": export,
            "filters": selectors.filters_resolve(export.filters),
            "report_query": urlencode(query_for(export.filters)),
        },
    )


@never_cache
@role_required(Role.SECRETARIAT)
def export_status(request, pk):
    """The export's progress for the status page's script to poll."""
    export = selectors.export_get(pk=pk)
    ready = export.state == ReportExport.State.READY
    return JsonResponse(
        {
            "state": export.state,
            "state_label": export.get_state_display(),
            "progress": export.progress,
            "finished": export.finished,
            "download_url": reverse("reports:export_download", kwargs={"pk": export.pk})
            if ready
            else None,
            "error": export.error if export.state == ReportExport.State.FAILED else "",
        }
    )


@role_required(Role.SECRETARIAT)
def export_download(request, pk):
    export = selectors.export_get(pk=pk)
    if export.state != ReportExport.State.READY:
        raise Http404("This report is not ready yet.")
    response = serve_file(
        request, export.file, download_name=export.download_name, content_type="application/pdf"
    )
    services.report_export_download_record(export=export, by=request.user, request=request)
    return response
