"""Audit event codes: a stable enum. Add codes, never rename or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "auth.login", _("Signed in")
    LOGIN_FAILED = "auth.login_failed", _("Failed sign-in")
    LOGOUT = "auth.logout", _("Signed out")
    TOKEN_ISSUED = "auth.token", _("API token issued")
    MEMBERSHIP_ADD = "account.membership_add", _("Gave a user a role in a unit")
    MEMBERSHIP_CHANGE = "account.membership_change", _("Changed a user's role in a unit")
    MEMBERSHIP_REMOVE = "account.membership_remove", _("Removed a user's role in a unit")
    ACCOUNT_CREATE = "account.create", _("Created a user account")
    ACCOUNT_CHANGE = "account.change", _("Changed a user account's status or permissions")
    ACCOUNT_DELETE = "account.delete", _("Deleted a user account")

    PERSON_VIEW = "person.view", _("Viewed a person's record")
    PERSON_SEARCH = "person.search", _("Searched the registry")
    PERSON_CREATE = "person.create", _("Registered a person")
    PERSON_UPDATE = "person.update", _("Changed a person's record")
    PERSON_MERGE = "person.merge", _("Merged two records")
    PERSON_AUDIT_VIEW = "person.audit_view", _("Viewed who accessed a record")
    PERSON_DUPLICATE_HIDDEN = "person.duplicate_hidden", _("Registration matched a record the user cannot see")

    CONSENT_GIVE = "consent.give", _("Recorded a consent")
    CONSENT_WITHDRAW = "consent.withdraw", _("Recorded a consent withdrawal")

    CASE_VIEW = "case.view", _("Viewed a case")
    CASE_OPEN = "case.open", _("Opened a case")
    CASE_UPDATE = "case.update", _("Changed a case")
    CASE_CLOSE = "case.close", _("Closed a case")

    REFERRAL_VIEW = "referral.view", _("Viewed a referral")
    REFERRAL_SEND = "referral.send", _("Sent a referral")
    REFERRAL_ACCEPT = "referral.accept", _("Accepted a referral")
    REFERRAL_REJECT = "referral.reject", _("Rejected a referral")
    REFERRAL_WITHDRAW = "referral.withdraw", _("Withdrew a referral")

    ASSESSMENT_VIEW = "assessment.view", _("Viewed an assessment")
    ASSESSMENT_SAVE = "assessment.save", _("Saved an assessment draft")
    ASSESSMENT_COMPLETE = "assessment.complete", _("Completed an assessment")
    EVALUATION_VIEW = "evaluation.view", _("Viewed a joint evaluation")
    EVALUATION_SAVE = "evaluation.save", _("Changed a joint evaluation")
    EVALUATION_SIGN = "evaluation.sign", _("Signed off a joint evaluation")
    PLAN_VIEW = "plan.view", _("Viewed an individual plan")
    PLAN_SAVE = "plan.save", _("Changed an individual plan")
    PLAN_APPROVE = "plan.approve", _("Approved an individual plan")

    EMPLOYER_SAVE = "employer.save", _("Changed an employer's profile")
    EMPLOYER_CONTACT = "employer.contact", _("Recorded a contact with an employer")

    IMPORT_PREVIEW = "import.preview", _("Previewed an import")
    IMPORT_COMMIT = "import.commit", _("Committed an import")

    OPPORTUNITY_SAVE = "opportunity.save", _("Changed an opportunity")
    WORK_PROFILE_VIEW = "work_profile.view", _("Viewed a candidate's work profile")
    WORK_PROFILE_SAVE = "work_profile.save", _("Changed a candidate's work profile")
    MATCH_VIEW = "match.view", _("Viewed matches")
    PROPOSAL_VIEW = "proposal.view", _("Viewed a proposal")
    PROPOSAL_SAVE = "proposal.save", _("Proposed an opportunity")
    PROPOSAL_DECIDE = "proposal.decide", _("Recorded a decision on a proposal")

    PATH_VIEW = "path.view", _("Viewed a job-inclusion path")
    PATH_SAVE = "path.save", _("Changed a job-inclusion path")
    PATH_EVENT = "path.event", _("Recorded an event of a path")
    ACTIVITY_SAVE = "activity.save", _("Recorded an activity")
    GROUP_SAVE = "group.save", _("Changed a training group")

    PROGRAMME_SAVE = "programme.save", _("Changed a programme")
    INDICATOR_VIEW = "indicator.view", _("Viewed an indicator")
    INDICATOR_RECORDS = "indicator.records", _("Viewed the records behind an indicator")

    EXPORT = "data.export", _("Exported data")
    AGGREGATE_VIEW = "aggregate.view", _("Viewed aggregate figures")
    ACCESS_DENIED = "access.denied", _("Access denied")


class Outcome(models.TextChoices):
    OK = "ok", _("Done")
    DENIED = "denied", _("Denied")
    REFUSED = "refused", _("Refused (invalid request)")
