"""The REST API v1, under /api/v1/ (see docs/api.md and openapi.yaml)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api.assessments import AssessmentViewSet, InstrumentViewSet
from api.auth import TokenObtainView
from api.base import UnknownPathView
from api.cases import CaseViewSet, ReferralViewSet
from api.employers import EmployerViewSet, NextStepViewSet
from api.matching import CandidateViewSet, ProposalViewSet
from api.opportunities import OpportunityViewSet
from api.organisations import OrganisationViewSet, UnitViewSet
from api.paths import (
    ActivityViewSet,
    EnrolmentViewSet,
    EventViewSet,
    FollowUpViewSet,
    GroupSessionViewSet,
    GroupViewSet,
    PathViewSet,
)
from api.persons import ConsentViewSet, PersonViewSet
from api.plans import EvaluationViewSet, PlanViewSet
from api.vocabulary import TermViewSet

app_name = "api"

router = SimpleRouter(use_regex_path=False)
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("units", UnitViewSet, basename="unit")
router.register("persons", PersonViewSet, basename="person")
router.register("consents", ConsentViewSet, basename="consent")
router.register("cases", CaseViewSet, basename="case")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("plans", PlanViewSet, basename="plan")
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("employers", EmployerViewSet, basename="employer")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("next-steps", NextStepViewSet, basename="next-step")
router.register("candidates", CandidateViewSet, basename="candidate")
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("paths", PathViewSet, basename="path")
router.register("follow-ups", FollowUpViewSet, basename="follow-up")
router.register("events", EventViewSet, basename="event")
router.register("activities", ActivityViewSet, basename="activity")
router.register("groups", GroupViewSet, basename="group")
router.register("group-sessions", GroupSessionViewSet, basename="group-session")
router.register("enrolments", EnrolmentViewSet, basename="enrolment")
router.register("vocabulary", TermViewSet, basename="term")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="token"),
    # The schema is public: it describes the API, no data (the same file is committed as openapi.yaml).
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
    re_path(r"^.*$", UnknownPathView.as_view(), name="unknown"),
]
