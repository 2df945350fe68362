"""The instructor dashboard block: a cohort's hours and progress, the evidence behind them, and the
instructor's own records (hours, skill sign-offs, withdrawals, revocations), for staff only.

Instructors see the cohorts they teach, administrators every cohort; anyone else sees a polite
refusal and every handler answers 403. The block asks everything of the ``caregiving_record`` service and loads
rosters through the ``caregiving_roster`` service (see :mod:`xblocks.lookup`); where there is no learner
record it says so, and its handlers answer 503. The table is one page of the cohort, sorted and filtered by
the database (the record's ``cohort_page``), so a cohort of 10,000 renders as fast as one of 30.
"""
from __future__ import annotations

import functools
import hashlib
import json

from django.utils import timezone
from web_fragments.fragment import Fragment
from webob import Response
from xblock.core import XBlock
from xblock.fields import Boolean, Integer, List, Scope, String, UserScope
from xblock.utils.studio_editable import StudioEditableXBlockMixin

from caregiving_course.framework import catalogue
from xblocks.dashboard import access, csv_export, drilldown, sync_panel
from xblocks.dashboard import chart as chart_svg
from xblocks.dashboard import table as cohort_table
from xblocks.dashboard.access import Refused, Viewer
from xblocks.dashboard.course_words import credential_title
from xblocks.dashboard.forms import FormError, hours_form, reason_form, signoff_form
from xblocks.dashboard.offering import offering_context
from xblocks.dashboard.render import _, render
from xblocks.handlers import record_service
from xblocks.lookup import RECORD, ROSTER, service, unavailable_html

MAX_BODY_BYTES = 8192
PAGE_SIZES = (10, 25, 50, 100, 200)
RECENT_REQUESTS = 50  # hour records remembered per staff member, to refuse a replayed submission
INLINE_CHART_MAX = 1000  # larger cohorts load the chart in a second request, after the table


def _json(payload: dict, status: int = 200) -> Response:
    return Response(json.dumps(payload), status=status, content_type="application/json", charset="utf8")


def staff_handler(method: str = "POST"):
    """Make ``func(self, viewer, data, request)`` a staff-only handler.

    No learner record: 503. Non-staff: 403 before anything is read. POST bodies must be a JSON object of at most
    ``MAX_BODY_BYTES`` (else 413/400). Form errors answer 400 with ``{"errors": {field: reason}}``;
    refusals 403 with ``{"error": reason}``. Nothing is changed when an error is answered.
    """

    def decorate(func):
        @XBlock.handler
        @functools.wraps(func)
        def wrapper(self, request, suffix=""):
            gettext = self.i18n_service.gettext
            record = record_service(self)
            if record is None:
                return _json({"error": gettext("The caregiving learner record is not available on this platform.")},
                             503)
            try:
                viewer = access.viewer_of(self, record)
                if viewer is None:
                    raise Refused(_("This dashboard is for the course's instructors and administrators."))
                if request.method != method:
                    return _json({"error": gettext("Use %(method)s.") % {"method": method}}, 405)
                data = {}
                if method == "POST":
                    if (request.content_length or 0) > MAX_BODY_BYTES or len(request.body) > MAX_BODY_BYTES:
                        return _json({"error": gettext("The request is too large.")}, 413)
                    try:
                        data = json.loads(request.body.decode("utf-8"), parse_constant=lambda c: float("nan"))
                    except (ValueError, UnicodeDecodeError, RecursionError):
                        data = None
                    if not isinstance(data, dict):
                        return _json({"error": gettext("The request is not a JSON object.")}, 400)
                return func(self, viewer, data, request)
            except Refused as refusal:
                return _json({"error": gettext(refusal.reason)}, 403)
            except FormError as error:
                return _json({"error": gettext("Please correct the fields marked."), "errors": error.errors}, 400)
            except record.NotAllowed:
                return _json({"error": gettext("You may not do this.")}, 403)
            except record.RecordError as error:
                return _json({"error": str(error), "errors": {"form": str(error)}}, 400)

        return wrapper

    return decorate


@XBlock.needs("i18n")
@XBlock.wants("user")
@XBlock.wants(RECORD)
@XBlock.wants(ROSTER)
class InstructorDashboardBlock(StudioEditableXBlockMixin, XBlock):
    """A cohort's table, drill-down, instructor records, CSV, chart and sync status, for staff."""

    display_name = String(display_name=_("Title"), help=_("The heading of the dashboard."),
                          scope=Scope.settings, default=_("Instructor dashboard"))
    page_size = Integer(display_name=_("Learners per page"),
                        help=_("How many learners the table shows at once (10 to 200)."),
                        scope=Scope.settings, default=50, values={"min": 10, "max": 200})
    # An LTI launch opens the dashboard on its course's cohort; otherwise it opens on the one looked at last.
    initial_cohort = String(help=_("The cohort shown when the dashboard opens, if the viewer may see it."),
                            scope=Scope.settings, default="")
    selected_cohort = String(help=_("The cohort this staff member looked at last."), scope=Scope.user_state,
                             default="")
    sort = String(help=_("The column the table was last sorted by."), scope=Scope.user_state, default="name")
    descending = Boolean(help=_("Whether the table was last sorted in descending order."),
                         scope=Scope.user_state, default=False)
    recent_requests = List(help=_("The last hour records this staff member submitted (to recognise a replay)."),
                           scope=Scope.user_state, default=[])

    editable_fields = ("display_name", "page_size")
    has_author_view = False

    # Helpers ----------------------------------------------------------------------------------
    @property
    def i18n_service(self):
        return self.runtime.service(self, "i18n")

    @property
    def uid(self) -> str:
        return "cgd-" + hashlib.sha256(str(self.scope_ids.usage_id).encode()).hexdigest()[:10]

    def _page_size(self) -> int:
        size = self.page_size if isinstance(self.page_size, int) else 50
        return min(max(size, PAGE_SIZES[0]), PAGE_SIZES[-1])

    def _sort(self, course) -> tuple[str, bool]:
        return (self.sort if cohort_table.is_sort(course, self.sort) else "name"), bool(self.descending)

    def _table_context(self, viewer: Viewer, cohort, course, *, sort: str, descending: bool, search: str = "",
                       at_risk_only: bool = False, page: int = 1) -> dict:
        gettext = self.i18n_service.gettext
        result = viewer.record.cohort_page(cohort, viewer=viewer.user, sort=sort, descending=descending,
                                           search=search, at_risk_only=at_risk_only, page=page,
                                           page_size=self._page_size(), course=course)
        first = (result.page - 1) * self._page_size() + 1 if result.total else 0
        return {
            "uid": self.uid, "cohort": cohort, "columns": cohort_table.columns(course, gettext),
            "rows": [cohort_table.row_cells(r, course, gettext) for r in result.rows],
            "sort": result.sort, "descending": result.descending, "search": search, "at_risk_only": at_risk_only,
            "page": result.page, "pages": result.pages, "total": result.total, "cohort_size": result.cohort_size,
            "first": first, "last": first + len(result.rows) - 1 if result.rows else 0,
            "credentials": course.credentials,
            # words repeated on every row, translated once
            "never": gettext("never"), "at_risk_text": gettext("At risk"), "no_text": gettext("No"),
        }

    def _chart_context(self, viewer: Viewer, cohort, course) -> dict:
        gettext = self.i18n_service.gettext
        hours = viewer.record.cohort_hours(cohort, viewer=viewer.user, course=course)
        groups = [chart_svg.distribution(credential_title(course, c), c.total_hours, hours[c.id])
                  for c in course.credentials]
        title = gettext("Credited hours in cohort %(cohort)s") % {"cohort": str(cohort)}
        svg = chart_svg.render_svg(groups, chart_id=f"{self.uid}-chart", title=title, gettext=gettext,
                               hours_text=cohort_table.hours_text)
        return {"uid": self.uid, "svg": svg, "title": title, "labels": chart_svg.bucket_labels(gettext),
                "data": chart_svg.table_rows(groups, gettext)}

    def _render_chart(self, viewer: Viewer, cohort, course) -> str:
        return render("dashboard_chart.html", self._chart_context(viewer, cohort, course), self.i18n_service)

    def _viewed(self, viewer: Viewer):
        """The catalogue as the offering this staff member looks at sees it (its courses' modules and credentials)."""
        cohort = viewer.cohort(self.selected_cohort)
        return viewer.record.offering_course(cohort) if cohort is not None else catalogue()

    def _drilldown(self, viewer: Viewer, learner, course, message: str = "") -> str:
        ctx = drilldown.context(learner, viewer, course, self.i18n_service.gettext)
        ctx.update({"uid": self.uid, "message": message, "today": timezone.localdate().isoformat()})
        return render("dashboard_learner.html", ctx, self.i18n_service)

    # Views ------------------------------------------------------------------------------------
    def student_view(self, context=None) -> Fragment:
        frag = Fragment()
        frag.add_css_url(self.runtime.local_resource_url(self, "public/dashboard.css"))
        record = record_service(self)
        if record is None:
            frag.add_content(render("dashboard_unavailable.html", {"title": self.display_name,
                                                                   "message": unavailable_html(self.i18n_service)},
                                    self.i18n_service))
            return frag
        viewer = access.viewer_of(self, record)
        if viewer is None:
            frag.add_content(render("dashboard_refusal.html", {"title": self.display_name}, self.i18n_service))
            return frag
        opening = self.initial_cohort if any(c.name == self.initial_cohort for c in viewer.cohorts) else ""
        cohort = viewer.cohort(opening or self.selected_cohort)
        ctx = {"uid": self.uid, "title": self.display_name, "viewer": viewer, "cohorts": viewer.cohorts,
               "cohort": cohort, "is_admin": viewer.is_admin, "sync": sync_panel.context(record, viewer.is_admin)}
        if cohort is not None:
            course = record.offering_course(cohort)
            self.selected_cohort = cohort.name  # the drill-down shows the offering's courses
            ctx["offering"] = offering_context(record, cohort, course, self.i18n_service.gettext)
            sort, descending = self._sort(course)
            table_ctx = self._table_context(viewer, cohort, course, sort=sort, descending=descending)
            ctx["table_html"] = render("dashboard_table.html", table_ctx, self.i18n_service)
            ctx["csv_url"] = self.runtime.handler_url(self, "csv", query=f"cohort={cohort.name}")
            ctx["chart_url"] = self.runtime.handler_url(self, "chart", query=f"cohort={cohort.name}")
            if table_ctx["cohort_size"] <= INLINE_CHART_MAX:
                ctx["chart_html"] = self._render_chart(viewer, cohort, course)
            roster = service(self, ROSTER)
            ctx["roster"] = roster is not None and roster.available()
        frag.add_content(render("dashboard.html", ctx, self.i18n_service))
        frag.add_javascript_url(self.runtime.local_resource_url(self, "public/dashboard.js"))
        frag.initialize_js("CaregivingDashboard", {"uid": self.uid, "cohort": cohort.name if cohort else ""})
        return frag

    # Handlers ---------------------------------------------------------------------------------
    @staff_handler()
    def table(self, viewer: Viewer, data: dict, request) -> Response:
        """One page of the table: ``{cohort, sort, descending, search, at_risk_only, page}`` -> ``{html}``."""
        cohort = viewer.require_cohort(data.get("cohort"))
        course = viewer.record.offering_course(cohort)
        sort, descending = data.get("sort", "name"), data.get("descending", False)
        search, at_risk_only, page = data.get("search", ""), data.get("at_risk_only", False), data.get("page", 1)
        errors = {}
        if not cohort_table.is_sort(course, sort) or not isinstance(descending, bool):
            errors["sort"] = _("Choose a column to sort by.")
        if not isinstance(search, str) or len(search) > cohort_table.MAX_SEARCH:
            errors["search"] = _("The filter is at most 100 characters.")
        if not isinstance(at_risk_only, bool):
            errors["at_risk_only"] = _("Choose whether to show only learners at risk.")
        if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= 10**6:
            errors["page"] = _("Choose a page.")
        if set(data) - {"cohort", "sort", "descending", "search", "at_risk_only", "page"}:
            errors["form"] = _("Unexpected field.")
        if errors:
            gettext = self.i18n_service.gettext
            raise FormError({k: gettext(v) for k, v in errors.items()})
        self.selected_cohort, self.sort, self.descending = cohort.name, sort, descending
        ctx = self._table_context(viewer, cohort, course, sort=sort, descending=descending, search=search,
                                  at_risk_only=at_risk_only, page=page)
        return _json({"html": render("dashboard_table.html", ctx, self.i18n_service), "page": ctx["page"],
                      "pages": ctx["pages"], "total": ctx["total"]})

    @staff_handler()
    def select_cohort(self, viewer: Viewer, data: dict, request) -> Response:
        cohort = viewer.require_cohort(data.get("cohort"))
        self.selected_cohort = cohort.name
        return _json({"cohort": cohort.name})

    @staff_handler()
    def learner(self, viewer: Viewer, data: dict, request) -> Response:
        """The drill-down of ``{learner_id, cohort}``: credentials, evidence, records, awards and the forms, of the
        courses of the offering ``cohort`` (the one looked at last when it is not given)."""
        learner = access.require_learner(viewer, data.get("learner_id"))
        course = (viewer.record.offering_course(viewer.require_cohort(data["cohort"])) if "cohort" in data
                  else self._viewed(viewer))
        return _json({"html": self._drilldown(viewer, learner, course)})

    @staff_handler()
    def record_hours(self, viewer: Viewer, data: dict, request) -> Response:
        """``{learner_id, component, hours, date, note}``: record instructor-led hours."""
        course = catalogue()
        learner = access.require_learner(viewer, data.get("learner_id"))
        gettext = self.i18n_service.gettext
        form = hours_form(data, course, gettext)
        if form["request_id"] and form["request_id"] in self.recent_requests:
            return _json({"error": gettext("These hours were already recorded.")}, 409)
        viewer.record.record_hours(learner, form["component"], form["hours"], by=viewer.user, on=form["on"],
                         note=form["note"], course=course)
        if form["request_id"]:
            self.recent_requests = [*self.recent_requests[-(RECENT_REQUESTS - 1):], form["request_id"]]
        message = gettext("Hours recorded.")
        return _json({"message": message, "html": self._drilldown(viewer, learner, self._viewed(viewer), message)})

    @staff_handler()
    def record_signoff(self, viewer: Viewer, data: dict, request) -> Response:
        """``{learner_id, component, skill}``: sign off one skill."""
        course = catalogue()
        learner = access.require_learner(viewer, data.get("learner_id"))
        form = signoff_form(data, course, self.i18n_service.gettext)
        if any(r.kind == "signoff" and not r.withdrawn_at and (r.component_id, r.skill) == (form["component"],
                                                                                         form["skill"])
               for r in viewer.record.records_for(learner, viewer=viewer.user)):
            raise FormError({"skill": self.i18n_service.gettext("This skill is already signed off.")})
        viewer.record.record_signoff(learner, form["component"], form["skill"], by=viewer.user, course=course)
        message = self.i18n_service.gettext("Skill signed off.")
        return _json({"message": message, "html": self._drilldown(viewer, learner, self._viewed(viewer), message)})

    @staff_handler()
    def withdraw(self, viewer: Viewer, data: dict, request) -> Response:
        """``{learner_id, record_id, reason}``: withdraw a record made in error (awards resting on it are revoked)."""
        course = catalogue()
        gettext = self.i18n_service.gettext
        learner = access.require_learner(viewer, data.get("learner_id"))
        form = reason_form(data, "record_id", gettext)
        mine = {r.pk: r for r in viewer.record.records_for(learner, viewer=viewer.user)}
        record = mine.get(form["record_id"])
        if record is None or record.withdrawn_at:
            raise FormError({"form": gettext("This record does not exist or was already withdrawn.")})
        viewer.record.withdraw(record.pk, by=viewer.user, reason=form["reason"], course=course)
        message = gettext("Record withdrawn.")
        return _json({"message": message, "html": self._drilldown(viewer, learner, self._viewed(viewer), message)})

    @staff_handler()
    def revoke(self, viewer: Viewer, data: dict, request) -> Response:
        """``{learner_id, award_id, reason}``: revoke an award given in error (the revocation is queued)."""
        gettext = self.i18n_service.gettext
        learner = access.require_learner(viewer, data.get("learner_id"))
        form = reason_form(data, "award_id", gettext)
        award = viewer.record.get_award(form["award_id"])
        if award is None or award.learner_id != learner.pk:
            raise FormError({"form": gettext("This award does not exist.")})
        if award.status != "earned":
            raise FormError({"form": gettext("This award is already revoked.")})
        viewer.record.revoke(str(award.public_id), reason=form["reason"], by=viewer.user)
        message = gettext("Award revoked; the issuing platform will be told.")
        return _json({"message": message, "html": self._drilldown(viewer, learner, self._viewed(viewer), message)})

    @staff_handler(method="GET")
    def csv(self, viewer: Viewer, data: dict, request) -> Response:
        """The whole (filtered, sorted) table as a CSV download."""
        gettext = self.i18n_service.gettext
        cohort = viewer.require_cohort(request.GET.get("cohort"))
        course = viewer.record.offering_course(cohort)
        sort = request.GET.get("sort", "name")
        search = request.GET.get("search", "")
        if not cohort_table.is_sort(course, sort) or len(search) > cohort_table.MAX_SEARCH:
            raise FormError({"form": gettext("Choose a column to sort by and a filter of at most 100 characters.")})
        descending, at_risk_only = request.GET.get("descending") == "1", request.GET.get("at_risk_only") == "1"

        def lines():
            page, pages = 1, 1
            while page <= pages:
                result = viewer.record.cohort_page(cohort, viewer=viewer.user, sort=sort, descending=descending,
                                                   search=search, at_risk_only=at_risk_only, page=page,
                                                   page_size=500, course=course)
                pages = result.pages
                yield from (csv_export.line(r, gettext) for r in result.rows)
                page += 1

        body = csv_export.to_csv(csv_export.header(course, gettext), lines())
        response = Response(body.encode("utf-8"), content_type="text/csv", charset="utf-8")
        response.headers["Content-Disposition"] = csv_export.content_disposition(cohort.name,
                                                                                 timezone.localdate().isoformat())
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @staff_handler(method="GET")
    def chart(self, viewer: Viewer, data: dict, request) -> Response:
        """The chart: ``?format=svg`` the SVG alone (to open or save), otherwise the figure with its data table."""
        cohort = viewer.require_cohort(request.GET.get("cohort"))
        course = viewer.record.offering_course(cohort)
        if request.GET.get("format") == "svg":
            svg = self._chart_context(viewer, cohort, course)["svg"]
            response = Response(svg.encode("utf-8"), content_type="image/svg+xml", charset="utf-8")
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
            return response
        return _json({"html": self._render_chart(viewer, cohort, course)})

    @staff_handler()
    def retry_delivery(self, viewer: Viewer, data: dict, request) -> Response:
        """``{entry_id}``: put a dead-lettered delivery back in the queue (administrators only)."""
        gettext = self.i18n_service.gettext
        if not viewer.is_admin:
            raise Refused(_("Only an administrator can retry a delivery."))
        entry_id = data.get("entry_id")
        if isinstance(entry_id, bool) or not isinstance(entry_id, int) or not viewer.record.retry_delivery(entry_id):
            raise FormError({"form": gettext("This delivery is not waiting for a retry.")})
        panel = {"uid": self.uid, "sync": sync_panel.context(viewer.record, True)}
        return _json({"message": gettext("The delivery will be tried again shortly."),
                      "html": render("dashboard_sync.html", panel, self.i18n_service)})

    @staff_handler()
    def load_roster(self, viewer: Viewer, data: dict, request) -> Response:
        """``{cohort}``: enrol the cohort's learners from the LMS roster (LTI Names and Role Provisioning)."""
        gettext = self.i18n_service.gettext
        cohort = viewer.require_cohort(data.get("cohort"))
        roster = service(self, ROSTER)
        if roster is None or not roster.available():
            raise FormError({"form": gettext("Loading a roster needs the LTI bridge.")})
        try:
            result = roster.load(cohort)
        except roster.RosterError as error:
            raise FormError({"form": gettext("The roster could not be loaded: %(reason)s")
                             % {"reason": gettext(str(error))}}) from None
        return _json({"message": gettext("%(enrolled)s learners enrolled, %(skipped)s skipped.")
                      % {"enrolled": result.enrolled, "skipped": result.skipped}})

    # Authoring --------------------------------------------------------------------------------
    def add_xml_to_node(self, node) -> None:
        """OLX holds what authors set (title, page size), never a staff member's own state."""
        super().add_xml_to_node(node)
        for name, field in self.fields.items():
            if getattr(field.scope, "user", UserScope.NONE) != UserScope.NONE:
                node.attrib.pop(name, None)

    @staticmethod
    def workbench_scenarios() -> list[tuple[str, str]]:
        return [("Caregiving: instructor dashboard",
                 '<caregiving_dashboard display_name="Cohort dashboard" page_size="25"/>')]
