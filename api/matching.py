"""Work profiles, explained matches and proposals in the API: the candidate's side of issue 4.

The same rules as the pages (opportunities/permissions.py, docs/employers.md, ADR 0011):

- a candidate's work profile and matches are for the person's treating team (`work_profile.view`, `match.view`
  audited as on the pages); another organisation finds no such candidate (404, audited `access.denied`);
- matching never reads health data: the explanation is the pages' one (wishes, skills, readiness, courses, why);
- proposals are seen by the treating team in full and by the company referent as the company card: first name and
  initial, skills, the proposing operator and, by the candidate's disclosure choice, nothing / the Law 68
  registration / that and the agreed text. Never the person's id, record, diagnosis or notes.
Every write goes through opportunities/services.py, which checks the right again and writes the audit event.
"""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts.access import access_for
from api.base import audit_person_list
from api.cases import ReachablePersonField
from api.employers import PolicyViewSet
from api.openapi import BAD_REQUEST, CONFLICT, DETAIL_WRITE_ERRORS, LIST_ERRORS, READ_ERRORS, WRITE_ERRORS
from api.persons import conflict_response
from audit.choices import Action, Outcome
from audit.services import audit_log
from audit.shortcuts import get_restricted_or_404
from core.exceptions import StaleObjectError
from opportunities import ateco, occupations, selectors, services, skills
from opportunities import permissions as policy
from opportunities.choices import (
    CandidateDeclineReason,
    Disclosure,
    EmployerDeclineReason,
    OpportunityKind,
    ProposalStatus,
    ReadinessBand,
    Weekday,
)
from opportunities.forms import WorkProfileForm
from opportunities.models import Opportunity, Proposal, WorkProfile
from people.choices import ConsentPurpose, Municipio
from people.models import Person, active_consents

WISH_KINDS = [("isco", "ISCO-08 occupation group"), ("ateco", "ATECO 2007 division")]
DECISION_ANSWERS = [("yes", "yes"), ("no", "no")]
WHY_CODES = ["higher_total", "better_wish", "better_skills", "tie", "last"]
MAX_MATCH_LIMIT = 50


def _why_text(code: str) -> str:
    """The sentence the match cards show for `matching.explain_rank`'s code (the same strings as the template)."""
    return {
        "higher_total": _("Ranks above the next result: a higher score."),
        "better_wish": _("Same score as the next result, ranked above it for matching a higher wish."),
        "better_skills": _("Same score as the next result, ranked above it for more skills matched."),
        "tie": _("Equal to the next result in everything: the one entered first comes first."),
    }.get(code, _("The last result."))


def _wish_label(kind: str, code: str) -> str:
    if kind == "isco":
        return occupations.label(code)
    entry = ateco.entries().get(code)
    return str(entry) if entry else code


# ---------------------------------------------------------------------------------------------- work profiles


class WishSerializer(serializers.Serializer):
    """One wish, ranked by its place in the list: an ISCO-08 occupation group or an ATECO 2007 division."""

    kind = serializers.ChoiceField(choices=WISH_KINDS)
    code = serializers.CharField(max_length=4)
    label = serializers.SerializerMethodField(help_text="In the language of the request.")

    def get_label(self, wish) -> str:
        return _wish_label(wish.get("kind"), wish.get("code", ""))


class WorkProfileSerializer(serializers.Serializer):
    """A candidate's wishes, skills, constraints and disclosure choice (never health data).

    For a candidate without a profile, `version` is null and the profile shown is the one a new one starts from:
    skill levels and occupation interests of the latest completed skills balance, as on the page.
    """

    person = serializers.IntegerField(source="person_id")
    exists = serializers.SerializerMethodField(help_text="False: the candidate has no work profile yet.")
    wishes = WishSerializer(many=True, help_text="Most wanted first.")
    skills = serializers.DictField(child=serializers.IntegerField(), help_text="Skill code → level 1–5.")
    skills_source = serializers.CharField()
    max_hours_per_week = serializers.IntegerField(allow_null=True)
    days = serializers.ListField(child=serializers.ChoiceField(choices=Weekday.choices))
    reachable_areas = serializers.ListField(
        child=serializers.CharField(), help_text="Milan municipi (M1–M9) and other comuni; empty means anywhere."
    )
    max_travel_minutes = serializers.IntegerField(allow_null=True)
    available_from = serializers.DateField(allow_null=True)
    disclosure = serializers.ChoiceField(choices=Disclosure.choices)
    disclosure_text = serializers.CharField()
    notes = serializers.CharField()
    law68_registered = serializers.BooleanField(
        source="person.law68_registered", help_text="From the person's record (Law 68/1999 registration)."
    )
    version = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField(allow_null=True)

    def get_exists(self, profile) -> bool:
        return profile.pk is not None


class WorkProfileUpdateSerializer(serializers.Serializer):
    """Change some fields of the work profile, quoting `version`; omit `version` to create the first profile."""

    version = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="The version read; omit it (or null) for a new one."
    )
    wishes = WishSerializer(many=True, required=False, help_text="Most wanted first (at most 8).")
    skills = serializers.DictField(
        child=serializers.IntegerField(min_value=1, max_value=5), required=False, help_text="Skill code → level 1–5."
    )
    skills_source = serializers.CharField(max_length=80, allow_blank=True, required=False)
    max_hours_per_week = serializers.IntegerField(min_value=1, max_value=60, allow_null=True, required=False)
    days = serializers.ListField(child=serializers.ChoiceField(choices=Weekday.choices), max_length=7, required=False)
    reachable_areas = serializers.ListField(child=serializers.CharField(max_length=120), max_length=60, required=False)
    max_travel_minutes = serializers.IntegerField(min_value=0, max_value=240, allow_null=True, required=False)
    available_from = serializers.DateField(allow_null=True, required=False)
    disclosure = serializers.ChoiceField(choices=Disclosure.choices, required=False)
    disclosure_text = serializers.CharField(max_length=2000, allow_blank=True, required=False)
    notes = serializers.CharField(max_length=5000, allow_blank=True, required=False)

    def validate_wishes(self, value):
        return [{"kind": wish["kind"], "code": wish["code"]} for wish in value]


def _new_profile(user, person) -> WorkProfile:
    """The unsaved profile a new one starts from: the page's prefill from the latest completed skills balance."""
    balance = selectors.latest_skills_balance(user, person)
    initial = WorkProfileForm.initial_from(None, skills_balance=balance)
    wishes = [{"kind": "isco", "code": initial[f"isco_{n}"]} for n in range(1, 6) if initial.get(f"isco_{n}")]
    levels = {code: int(initial[f"skill_{code}"]) for code in skills.entries() if initial.get(f"skill_{code}")}
    return WorkProfile(
        person=person,
        wishes=wishes,
        skills=levels,
        skills_source=initial.get("skills_source", ""),
        disclosure=Disclosure.NONE,
        version=None,
    )


# ---------------------------------------------------------------------------------------------- explanations


class SkillSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField(help_text="In the language of the request.")


class WishMatchSerializer(serializers.Serializer):
    """The best-ranked wish of its kind the pair matches, with its rank among the wishes of that kind and its points."""

    kind = serializers.ChoiceField(choices=WISH_KINDS)
    code = serializers.CharField()
    label = serializers.CharField()
    rank = serializers.IntegerField()
    points = serializers.IntegerField()


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)


class SkillCoursesSerializer(serializers.Serializer):
    """Open catalogue courses that teach a missing or weak skill, soonest first (at most three)."""

    skill = SkillSerializer()
    courses = CourseSerializer(many=True)


class ExplanationSerializer(serializers.Serializer):
    """Why a result is there and where: the points of each criterion, the wishes and skills, the courses, why."""

    total = serializers.IntegerField(help_text="Out of 100.")
    wishes_points = serializers.IntegerField(help_text="Out of 60.")
    skills_points = serializers.IntegerField(help_text="Out of 30.")
    readiness_points = serializers.IntegerField(help_text="Out of 10.")
    wishes_matched = WishMatchSerializer(
        many=True, help_text="The occupation wish and the sector wish matched (none, one or both)."
    )
    required_skills_held = SkillSerializer(many=True)
    required_skills_to_strengthen = SkillSerializer(many=True)
    required_skills_missing = SkillSerializer(many=True)
    desired_skills_held = SkillSerializer(many=True)
    desired_skills_missing = SkillSerializer(many=True)
    readiness_band = serializers.CharField(help_text="Employability band used; empty when not assessed.")
    readiness_band_label = serializers.CharField()
    courses = SkillCoursesSerializer(many=True)
    why = serializers.ChoiceField(choices=[(code, code) for code in WHY_CODES])
    why_text = serializers.CharField(help_text="Why it ranks above the next result, as the page says it.")


class OpportunitySummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=OpportunityKind.choices)
    employer_name = serializers.CharField()
    comune = serializers.CharField()
    municipio = serializers.ChoiceField(choices=Municipio.choices, allow_null=True)
    hours_per_week = serializers.IntegerField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)


class CandidateSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class PersonMatchSerializer(serializers.Serializer):
    """One of the candidate's ranked opportunities, explained."""

    rank = serializers.IntegerField()
    opportunity = OpportunitySummarySerializer()
    proposal = serializers.IntegerField(allow_null=True, help_text="The live proposal of this pair, if any.")
    proposal_status = serializers.CharField(help_text="Its status; empty when there is none.")
    explanation = ExplanationSerializer()


class CandidateMatchSerializer(serializers.Serializer):
    """One of the opportunity's ranked candidates, explained."""

    rank = serializers.IntegerField()
    person = CandidateSummarySerializer()
    proposal = serializers.IntegerField(allow_null=True, help_text="The live proposal of this pair, if any.")
    proposal_status = serializers.CharField(help_text="Its status; empty when there is none.")
    explanation = ExplanationSerializer()


class PersonMatchesSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    has_profile = serializers.BooleanField()
    has_consent = serializers.BooleanField(help_text="Consented to be proposed to companies.")
    can_propose = serializers.BooleanField()
    results = PersonMatchSerializer(many=True)


class OpportunityCandidatesSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField()
    results = CandidateMatchSerializer(many=True)


def _skills(codes) -> list[dict]:
    return [{"code": code, "label": skills.label(code)} for code in codes]


def _wish(wish) -> dict:
    return {
        "kind": wish.kind,
        "code": wish.code,
        "label": _wish_label(wish.kind, wish.code),
        "rank": wish.rank,
        "points": wish.points,
    }


def _proposal_ref(proposal) -> dict:
    if proposal is None:
        return {"proposal": None, "proposal_status": ""}
    return {"proposal": proposal.pk, "proposal_status": proposal.status}


def explanation(result: selectors.ExplainedMatch) -> dict:
    """The explanation of a result, as the match cards show it."""
    s = result.match.score
    band = s.readiness
    return {
        "total": s.total,
        "wishes_points": s.preference_points,
        "skills_points": s.skill_points,
        "readiness_points": s.readiness_points,
        "wishes_matched": [_wish(wish) for wish in (s.occupation_wish, s.sector_wish) if wish is not None],
        "required_skills_held": _skills(s.required_held),
        "required_skills_to_strengthen": _skills(s.required_weak),
        "required_skills_missing": _skills(s.required_missing),
        "desired_skills_held": _skills(s.desired_held),
        "desired_skills_missing": _skills(s.desired_missing),
        "readiness_band": band,
        "readiness_band_label": str(ReadinessBand(band).label) if band in ReadinessBand.values else "",
        "courses": [
            {
                "skill": {"code": code, "label": skills.label(code)},
                "courses": [{"id": c.pk, "title": c.title, "starts_on": c.starts_on} for c in courses],
            }
            for code, courses in (result.courses or {}).items()
            if courses
        ],
        "why": result.why,
        "why_text": _why_text(result.why),
    }


def person_match(result: selectors.ExplainedMatch) -> dict:
    o = result.opportunity
    return {
        "rank": result.match.rank,
        "opportunity": {
            "id": o.pk,
            "title": o.title,
            "kind": o.kind,
            "employer_name": o.employer_name,
            "comune": o.comune,
            "municipio": o.municipio,
            "hours_per_week": o.hours_per_week,
            "starts_on": o.starts_on,
            "ends_on": o.ends_on,
        },
        **_proposal_ref(result.proposal),
        "explanation": explanation(result),
    }


def candidate_match(result: selectors.ExplainedMatch) -> dict:
    return {
        "rank": result.match.rank,
        "person": {"id": result.person.pk, "full_name": result.person.full_name},
        **_proposal_ref(result.proposal),
        "explanation": explanation(result),
    }


def match_limit(request) -> int:
    """The `limit` query parameter: 1 to 50, 20 by default."""
    raw = request.query_params.get("limit")
    if raw is None:
        return selectors.MATCH_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_MATCH_LIMIT:
        raise serializers.ValidationError({"limit": [_("Give a number from 1 to %(n)d.") % {"n": MAX_MATCH_LIMIT}]})
    return int(raw)


LIMIT_PARAMETER = OpenApiParameter(
    "limit", OpenApiTypes.INT, description=f"How many results (1–{MAX_MATCH_LIMIT}, default 20)."
)


# ---------------------------------------------------------------------------------------------- candidates


class CandidateViewSet(PolicyViewSet):
    """A candidate (a person the user treats): their work profile and their ranked opportunities."""

    model = Person
    serializer_class = WorkProfileSerializer
    filterset_class = None

    def candidate(self) -> Person:
        """The person, when the user treats them; else the 404 of a missing person (audited, as on the page)."""
        user = self.request.user
        person = get_restricted_or_404(Person, user, "view", pk=self.kwargs["pk"])
        if not policy.can_view_work_profile(user, person):
            audit_log(
                actor=user,
                action=Action.ACCESS_DENIED,
                obj=person,
                outcome=Outcome.DENIED,
                detail={"requested": "work_profile"},
            )
            raise Http404
        return person

    @extend_schema(methods=["GET"], responses={200: WorkProfileSerializer, **READ_ERRORS})
    @extend_schema(
        methods=["PATCH"],
        request=WorkProfileUpdateSerializer,
        responses={200: WorkProfileSerializer, **DETAIL_WRITE_ERRORS, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "patch"], url_path="work-profile")
    def work_profile(self, request, pk=None):
        """GET: the work profile (audited). PATCH: change it quoting `version`, or create it (no `version`)."""
        person = self.candidate()
        profile = WorkProfile.objects.filter(person=person).select_related("person").first()
        if request.method == "GET":
            audit_log(
                actor=request.user,
                action=Action.WORK_PROFILE_VIEW,
                obj=profile or person,
                person=person,
                detail={"exists": profile is not None},
            )
            return Response(WorkProfileSerializer(profile or _new_profile(request.user, person)).data)
        if not policy.can_change_work_profile(request.user, person):
            raise PermissionDenied
        serializer = WorkProfileUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        version = fields.pop("version", None)
        try:
            profile = services.work_profile_save(actor=request.user, person=person, version=version, **fields)
        except StaleObjectError as exc:
            return conflict_response(exc)
        return Response(WorkProfileSerializer(profile).data)

    @extend_schema(
        parameters=[LIMIT_PARAMETER], responses={200: PersonMatchesSerializer, **READ_ERRORS, 400: BAD_REQUEST}
    )
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        """The candidate's best opportunities from the whole network, each explained (audited `match.view`)."""
        person = self.candidate()
        limit = match_limit(request)
        results = selectors.matches_for_person(request.user, person, today=timezone.localdate(), limit=limit)
        audit_log(
            actor=request.user,
            action=Action.MATCH_VIEW,
            obj=person,
            detail={"from": "candidate", "opportunities": [r.opportunity.pk for r in results]},
        )
        has_consent = person.consents.filter(active_consents(), purpose=ConsentPurpose.COMPANY_CONTACT).exists()
        data = {
            "person": person.pk,
            "has_profile": WorkProfile.objects.filter(person=person).exists(),
            "has_consent": has_consent,
            "can_propose": has_consent and policy.can_propose(request.user, person),
            "results": [person_match(r) for r in results],
        }
        return Response(PersonMatchesSerializer(data).data)


# ---------------------------------------------------------------------------------------------- proposals


class CompanyCardSerializer(serializers.Serializer):
    """The candidate as the company sees them (within the disclosure choice and the consent): never clinical data."""

    display_name = serializers.CharField(help_text="First name and the initial of the last name.")
    skills_held = serializers.ListField(child=serializers.CharField(), help_text="Of the opportunity's skills.")
    skills_to_develop = serializers.ListField(child=serializers.CharField())
    disclosure = serializers.ChoiceField(choices=Disclosure.choices)
    disclosure_text = serializers.CharField(help_text="Only when the candidate chose to describe their support.")
    law68_registered = serializers.BooleanField(
        allow_null=True, help_text="Null when the candidate chose not to let employers know of a disability."
    )
    contact = serializers.CharField(help_text="The proposing operator and their organisation.")

    def to_representation(self, proposal):
        # Given the proposal, it shows what opportunities.selectors.company_card() lets the company see.
        return super().to_representation(selectors.company_card(proposal))


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal of an opportunity to a candidate, with both decisions.

    `view` says how the user reads it: `team` (the treating team: the person, the proposer) or `company` (the
    company referent: `candidate` is the company card and the person's id is not sent). Keys of the other view
    are omitted.
    """

    view = serializers.SerializerMethodField(help_text="`team` or `company`.")
    opportunity_title = serializers.CharField(source="opportunity.title", read_only=True)
    employer = serializers.SerializerMethodField(help_text="The employer's profile id, null when not recorded.")
    employer_name = serializers.CharField(source="opportunity.employer_name", read_only=True)
    ready_for_path = serializers.BooleanField(read_only=True)
    candidate_reason = serializers.CharField(read_only=True, help_text="The coded reason of a no, else empty.")
    employer_reason = serializers.CharField(read_only=True, help_text="The coded reason of a no, else empty.")
    # Team view only (not read-only only so that the schema marks them optional; never used for input).
    person = serializers.IntegerField(source="person_id", required=False, help_text="Team view only.")
    person_name = serializers.CharField(source="person.full_name", required=False, help_text="Team view only.")
    organisation = serializers.IntegerField(
        source="organisation_id", required=False, help_text="Team view only: the proposing organisation."
    )
    organisation_name = serializers.CharField(source="organisation.name", required=False, help_text="Team view only.")
    proposed_by = serializers.IntegerField(source="proposed_by_id", required=False, help_text="Team view only.")
    proposed_by_name = serializers.CharField(source="proposed_by", required=False, help_text="Team view only.")
    # Company view only.
    candidate = CompanyCardSerializer(source="*", required=False, help_text="Company view only: the company card.")

    class Meta:
        model = Proposal
        fields = [
            "id",
            "view",
            "opportunity",
            "opportunity_title",
            "employer",
            "employer_name",
            "status",
            "ready_for_path",
            "proposed_on",
            "note",
            "candidate_decision",
            "candidate_decided_on",
            "candidate_reason",
            "employer_decision",
            "employer_decided_on",
            "employer_reason",
            "withdrawn_on",
            "person",
            "person_name",
            "organisation",
            "organisation_name",
            "proposed_by",
            "proposed_by_name",
            "candidate",
        ]
        read_only_fields = fields

    TEAM_ONLY = ("person", "person_name", "organisation", "organisation_name", "proposed_by", "proposed_by_name")

    def _company(self, proposal) -> bool:
        """Read as the company: the user does not treat the candidate (decided once per list when possible)."""
        decided = self.context.get("company")
        return policy.is_company_reader(self.context["request"].user, proposal) if decided is None else decided

    def get_view(self, proposal) -> str:
        return "company" if self._company(proposal) else "team"

    def get_employer(self, proposal) -> int | None:
        return proposal.opportunity.employer_id

    def to_representation(self, proposal):
        company = self._company(proposal)
        fields = self.fields
        # Fields of the other view are not even read (a company never reaches the person's name through here).
        data = {"view": "company" if company else "team"}
        for name, field in fields.items():
            if name == "view" or (company and name in self.TEAM_ONLY) or (not company and name == "candidate"):
                continue
            attribute = field.get_attribute(proposal)
            data[name] = None if attribute is None else field.to_representation(attribute)
        return data


@extend_schema_field(OpenApiTypes.INT)
class VisibleOpportunityField(serializers.PrimaryKeyRelatedField):
    """An opportunity the requesting user sees: any other is an unknown id."""

    def get_queryset(self):
        return Opportunity.objects.restrict(self.context["request"].user, "view")


class ProposalCreateSerializer(serializers.Serializer):
    """Propose an open opportunity to a candidate of the user's treating team who consented to be proposed."""

    person = ReachablePersonField()
    opportunity = VisibleOpportunityField()
    note = serializers.CharField(
        max_length=1000, allow_blank=True, required=False, help_text="Read by the employer: no health data."
    )


class DecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=DECISION_ANSWERS)
    decided_on = serializers.DateField(required=False, help_text="Today when omitted; never in the future.")


class CandidateDecisionSerializer(DecisionSerializer):
    """The candidate's yes or no; a no with its coded reason."""

    reason = serializers.ChoiceField(choices=CandidateDeclineReason.choices, allow_blank=True, required=False)


class EmployerDecisionSerializer(DecisionSerializer):
    """The employer's yes or no; a no with its coded reason."""

    reason = serializers.ChoiceField(choices=EmployerDeclineReason.choices, allow_blank=True, required=False)


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    person = django_filters.NumberFilter(method="by_person", label="A candidate the user treats.")
    opportunity = django_filters.NumberFilter(field_name="opportunity_id")
    employer = django_filters.NumberFilter(method="by_employer", label="An employer profile's id.")

    class Meta:
        model = Proposal
        fields = ["status", "person", "opportunity", "employer"]

    def by_person(self, queryset, name, value):
        # A company reads no person ids: filtering by one must not let it tell candidates apart.
        if not access_for(self.request.user).sees_persons:
            return queryset.none()
        return queryset.filter(person_id=value)

    def by_employer(self, queryset, name, value):
        return queryset.filter(opportunity__employer_id=value) | queryset.filter(
            opportunity__organisation__employer_profile__pk=value
        )


@extend_schema_view(
    list=extend_schema(responses={200: ProposalSerializer(many=True), **LIST_ERRORS}),
    retrieve=extend_schema(responses={200: ProposalSerializer, **READ_ERRORS}),
    create=extend_schema(request=ProposalCreateSerializer, responses={201: ProposalSerializer, **WRITE_ERRORS}),
)
class ProposalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, PolicyViewSet):
    """Proposals the user may see (filters: `status`, `person`, `opportunity`, `employer`), newest first."""

    model = Proposal
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter

    def may_write(self, user) -> bool:
        # The treating team proposes and records the candidate's side; a company referent the employer's.
        return bool(access_for(user).write_org_ids) or bool(policy.referent_org_ids(user))

    def restrict_action(self) -> str:
        # Reaching a proposal is a read; the services decide who may decide or withdraw (403 otherwise).
        return "view"

    def base_queryset(self):
        return Proposal.objects.select_related(
            "opportunity__organisation",
            "opportunity__employer__organisation",
            "person__work_profile",
            "proposed_by",
            "organisation",
        ).order_by("-proposed_on", "-pk")

    def get_serializer_class(self):
        return {
            "create": ProposalCreateSerializer,
            "candidate_decision": CandidateDecisionSerializer,
            "employer_decision": EmployerDecisionSerializer,
        }.get(self.action, ProposalSerializer)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            access = access_for(self.request.user)
            if not access.sees_persons:
                context["company"] = True
            elif not policy.referent_org_ids(self.request.user):
                context["company"] = False
        return context

    def retrieve(self, request, *args, **kwargs):
        """A proposal with its decisions (audited `proposal.view`)."""
        proposal = self.get_object()
        audit_log(actor=request.user, action=Action.PROPOSAL_VIEW, obj=proposal, person=proposal.person_id)
        return Response(ProposalSerializer(proposal, context=self.get_serializer_context()).data)

    def list(self, request, *args, **kwargs):
        """The proposals the user reaches; a list of one person's proposals (`person`) is audited as a read."""
        response = super().list(request, *args, **kwargs)
        audit_person_list(request, response, action=Action.PROPOSAL_VIEW, key="proposals")
        return response

    def _answer(self, proposal, *, status_code=status.HTTP_200_OK):
        proposal = self.base_queryset().get(pk=proposal.pk)
        return Response(ProposalSerializer(proposal, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request, *args, **kwargs):
        """Propose an opportunity to a candidate (audited `proposal.save`)."""
        serializer = ProposalCreateSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        proposal = services.proposal_create(actor=request.user, **serializer.validated_data)
        return self._answer(proposal, status_code=status.HTTP_201_CREATED)

    def _decide(self, request, side: str, serializer_class):
        proposal = self.get_object()
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            proposal = services.proposal_decide(
                actor=request.user, proposal=proposal, side=side, **serializer.validated_data
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(gettext_lazy("You may not record this decision.")) from exc
        return self._answer(proposal)

    @extend_schema(request=CandidateDecisionSerializer, responses={200: ProposalSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="candidate-decision")
    def candidate_decision(self, request, pk=None):
        """Record the candidate's decision (the treating team)."""
        return self._decide(request, services.CANDIDATE, CandidateDecisionSerializer)

    @extend_schema(request=EmployerDecisionSerializer, responses={200: ProposalSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="employer-decision")
    def employer_decision(self, request, pk=None):
        """Record the employer's decision (the company referent, or the proposing team on its behalf)."""
        return self._decide(request, services.EMPLOYER, EmployerDecisionSerializer)

    @extend_schema(request=None, responses={200: ProposalSerializer, **DETAIL_WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw a proposal still waiting (the proposing team)."""
        proposal = self.get_object()
        proposal = services.proposal_withdraw(actor=request.user, proposal=proposal)
        return self._answer(proposal)
