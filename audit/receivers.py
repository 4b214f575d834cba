"""Sign-in, sign-out and failed sign-ins go to the audit log (Django's auth signals are the only hook)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.choices import Action, Outcome
from audit.services import audit_log


@receiver(user_logged_in, dispatch_uid="ponte_audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit_log(actor=user, action=Action.LOGIN)


@receiver(user_logged_out, dispatch_uid="ponte_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_log(actor=user, action=Action.LOGOUT)


@receiver(user_login_failed, dispatch_uid="ponte_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_log(actor=None, action=Action.LOGIN_FAILED, outcome=Outcome.DENIED, detail={"username": username})
