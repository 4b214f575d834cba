from audit.models import AuditEvent


def test_login_page_is_italian_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'lang="it"' in response.content.decode()


def test_failed_login_is_audited_with_the_username(client, cast):
    response = client.post("/accounts/login/", {"username": "operator_a", "password": "wrong"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.detail == {"username": "operator_a"}
    assert event.outcome == "denied"
    assert event.ip == "127.0.0.1"


def test_login_is_audited(client, cast):
    client.post("/accounts/login/", {"username": "operator_a", "password": "pw-ponte-test"})
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == cast.operator_a
    assert event.organisation == cast.org_a
