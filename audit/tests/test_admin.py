"""The admin: audit events are read-only even for a superuser; person-level content is not in it at all."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from accounts.models import Membership, Organisation, Territory, Unit, User
from audit.choices import Action
from audit.models import AuditEvent
from audit.services import audit_log


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="pw-ponte-test", email="root@example.org")


@pytest.fixture
def event(cast, person_a):
    return audit_log(actor=cast.operator_a, action=Action.PERSON_VIEW, obj=person_a)


def test_superuser_lists_and_searches_audit_events(superuser, event, client_for):
    client = client_for(superuser)
    url = reverse("admin:audit_auditevent_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "operator_a"}).context["cl"].result_count == 1
    assert client.get(url, {"q": "nobody"}).context["cl"].result_count == 0
    assert client.get(url, {"action__exact": Action.PERSON_VIEW}).context["cl"].result_count == 1
    assert client.get(url, {"outcome__exact": "denied"}).context["cl"].result_count == 0


def test_change_page_is_read_only_and_shows_no_person_name(superuser, event, client_for, person_a):
    response = client_for(superuser).get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in body and 'name="actor_username"' not in body and 'name="detail"' not in body
    assert "operator_a" in body
    # The person is shown by id: the sysadmin is not to read names through the audit log.
    assert person_a.last_name not in body


def test_superuser_cannot_add_change_or_delete_an_event(superuser, event, client_for):
    client = client_for(superuser)
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    delete = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert client.post(change, {"action": Action.LOGIN, "actor_username": "someone"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    bulk = client.post(
        reverse("admin:audit_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code == 200  # there is no bulk action: the list is shown again and nothing is done
    event.refresh_from_db()
    assert (event.action, event.actor_username) == (Action.PERSON_VIEW, "operator_a")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_admin_refuses_every_write_permission(superuser, rf):
    model_admin = admin.site._registry[AuditEvent]
    request = rf.get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, None)
    assert not model_admin.has_delete_permission(request, None)
    assert model_admin.has_view_permission(request, None)


def test_no_person_level_model_is_in_the_admin():
    # Deliberate: the sysadmin has no access to persons, consents, cases or referrals.
    for app_label in ("people", "cases"):
        for model in apps.get_app_config(app_label).get_models():
            assert not admin.site.is_registered(model), model
    assert reverse("admin:index")  # the admin itself is there


def test_accounts_are_in_the_admin():
    for model in (Territory, Organisation, Unit, User):
        assert admin.site.is_registered(model)
    assert not admin.site.is_registered(Membership)  # edited inline on the user


def test_superuser_manages_organisations_units_and_users(superuser, cast, client_for):
    client = client_for(superuser)
    for name in ("territory", "organisation", "unit", "user"):
        assert client.get(reverse(f"admin:accounts_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_organisation_change", args=[cast.org_a.pk])).status_code == 200
    # The unit picker of the membership inline searches units by name or organisation.
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "accounts", "model_name": "membership", "field_name": "unit", "term": "Niguarda"},
    )
    assert [row["id"] for row in found.json()["results"]] == [str(cast.unit_b.pk)]
    page = client.get(reverse("admin:accounts_user_change", args=[cast.operator_a.pk]))
    assert page.status_code == 200
    # The memberships are an inline of the user.
    assert 'name="memberships-TOTAL_FORMS"' in page.content.decode()


def test_membership_is_added_on_the_user_page(superuser, cast, client_for):
    user = cast.operator_a
    membership = user.memberships.get()
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "is_active": "on",
        "profession": "educatrice",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-id": membership.pk,
        "memberships-0-user": user.pk,
        "memberships-0-unit": membership.unit_id,
        "memberships-0-role": membership.role,
        "memberships-0-is_active": "on",
        "memberships-1-user": user.pk,
        "memberships-1-unit": cast.cps_a.pk,
        "memberships-1-role": "clinician",
        "memberships-1-is_active": "on",
    }
    response = client_for(superuser).post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert set(user.memberships.values_list("unit_id", "role")) == {
        (cast.unit_a.pk, "operator"),
        (cast.cps_a.pk, "clinician"),
    }
    user.refresh_from_db()
    assert user.profession == "educatrice"


def test_staff_without_permissions_cannot_read_the_audit_admin(cast, event, client_for):
    # The sysadmin of the cast is staff but holds no model permission.
    response = client_for(cast.sysadmin).get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code == 403


def test_superuser_adds_a_user(superuser, client_for):
    client = client_for(superuser)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new_operator",
            "password1": "a-Long-pass-phrase-42",
            "password2": "a-Long-pass-phrase-42",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(username="new_operator").check_password("a-Long-pass-phrase-42")


def _user_form(user, memberships: list[dict], *, initial: int, **fields) -> dict:
    """The admin's change form of `user` with the given membership rows (the first `initial` exist already)."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": "",
        "is_active": "on",
        "profession": user.profession,
        "date_joined_0": "2025-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": str(len(memberships)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for index, row in enumerate(memberships):
        data.update({f"memberships-{index}-{key}": value for key, value in row.items()})
    return data


def _events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_membership_changes_are_audited_for_the_dpo(superuser, cast, client_for):
    user = cast.operator_a
    existing = user.memberships.get()
    client = client_for(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])
    row = {"id": existing.pk, "user": user.pk, "unit": existing.unit_id, "role": existing.role, "is_active": "on"}
    added = {"user": user.pk, "unit": cast.cps_a.pk, "role": "clinician", "is_active": "on"}
    assert client.post(url, _user_form(user, [row, added], initial=1)).status_code == 302

    [grant] = _events(Action.MEMBERSHIP_ADD)
    new = user.memberships.get(unit=cast.cps_a)
    assert (grant.actor_username, grant.object_id) == ("root", str(new.pk))
    assert grant.detail["username"] == user.username and grant.detail["role"] == "clinician"
    assert grant.detail["organisation_id"] == cast.org_a.pk and grant.person_id is None

    # Switching the old membership off is a change; removing the new one is a removal.
    rows = [
        {"id": existing.pk, "user": user.pk, "unit": existing.unit_id, "role": existing.role},
        {"id": new.pk, "user": user.pk, "unit": cast.cps_a.pk, "role": "clinician", "is_active": "on", "DELETE": "on"},
    ]
    assert client.post(url, _user_form(user, rows, initial=2)).status_code == 302
    [change] = _events(Action.MEMBERSHIP_CHANGE)
    assert change.detail["changed"] == ["is_active"] and change.detail["is_active"] is False
    [removal] = _events(Action.MEMBERSHIP_REMOVE)
    assert removal.detail["id"] == new.pk and removal.detail["role"] == "clinician"
    assert not user.memberships.filter(pk=new.pk).exists()


def test_account_status_changes_are_audited_and_a_plain_save_is_not(superuser, cast, client_for):
    user = cast.operator_a
    existing = user.memberships.get()
    row = {"id": existing.pk, "user": user.pk, "unit": existing.unit_id, "role": existing.role, "is_active": "on"}
    client = client_for(superuser)
    url = reverse("admin:accounts_user_change", args=[user.pk])

    assert client.post(url, _user_form(user, [row], initial=1, profession="psicologa")).status_code == 302
    assert _events(Action.ACCOUNT_CHANGE) == [] and _events(Action.MEMBERSHIP_CHANGE) == []

    blocked = _user_form(user, [row], initial=1, is_staff="on")
    del blocked["is_active"]
    assert client.post(url, blocked).status_code == 302
    [event] = _events(Action.ACCOUNT_CHANGE)
    assert event.detail["changed"] == ["is_active", "is_staff"]
    assert (event.detail["is_active"], event.detail["is_staff"]) == (False, True)


def test_account_creation_and_deletion_are_audited(superuser, client_for):
    client = client_for(superuser)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "nuovo.utente", "password1": "Una-password-lunga-42", "password2": "Una-password-lunga-42",
         "usable_password": "true", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = User.objects.get(username="nuovo.utente")
    [event] = _events(Action.ACCOUNT_CREATE)
    assert event.object_id == str(created.pk)

    assert client.post(reverse("admin:accounts_user_delete", args=[created.pk]), {"post": "yes"}).status_code == 302
    [deleted] = _events(Action.ACCOUNT_DELETE)
    assert deleted.detail == {"username": "nuovo.utente", "user_id": created.pk}
