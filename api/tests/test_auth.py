"""POST /api/v1/auth/token/: credentials buy a token; wrong ones a 400, audited as a failed sign-in."""

from rest_framework.authtoken.models import Token

from audit.choices import Action, Outcome
from audit.models import AuditEvent

TOKEN_URL = "/api/v1/auth/token/"


def test_good_credentials_return_a_working_token(cast, anon_api):
    response = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "pw-ponte-test"})
    assert response.status_code == 200
    token = response.json()["token"]
    assert token == Token.objects.get(user=cast.operator_a).key
    assert AuditEvent.objects.filter(action=Action.TOKEN_ISSUED, actor=cast.operator_a).count() == 1

    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon_api.get("/api/v1/persons/").status_code == 200


def test_asking_again_returns_the_same_token(cast, anon_api):
    first = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "pw-ponte-test"}).json()["token"]
    second = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "pw-ponte-test"}).json()["token"]
    assert first == second


def test_wrong_password_is_a_400_audited_as_failed_sign_in(cast, anon_api):
    response = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "guess"})
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["Unable to sign in with these credentials."]
    assert not Token.objects.filter(user=cast.operator_a).exists()
    failed = AuditEvent.objects.get(action=Action.LOGIN_FAILED)
    assert failed.outcome == Outcome.DENIED
    assert failed.actor_username == "operator_a"
    assert failed.channel == "api"


def test_unknown_user_gets_the_same_answer(cast, anon_api):
    wrong_password = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "guess"}).json()
    unknown_user = anon_api.post(TOKEN_URL, {"username": "nobody", "password": "guess"}).json()
    assert wrong_password == unknown_user


def test_inactive_user_gets_no_token(cast, anon_api):
    cast.operator_a.is_active = False
    cast.operator_a.save()
    response = anon_api.post(TOKEN_URL, {"username": "operator_a", "password": "pw-ponte-test"})
    assert response.status_code == 400


def test_missing_password_names_the_field(cast, anon_api):
    with anon_api.sending_invalid_requests():
        response = anon_api.post(TOKEN_URL, {"username": "operator_a"})
    assert response.status_code == 400
    assert "password" in response.json()


def test_invalid_token_is_refused(cast, anon_api):
    anon_api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = anon_api.get("/api/v1/persons/")
    assert response.status_code == 403
