"""Home page (caseload and referral inbox), cases and referrals."""

from django.contrib.auth.decorators import login_required

from accounts.access import access_for
from cases.selectors import caseload_for, referral_inbox_for
from core.htmx import render_page


@login_required
def home(request):
    """The morning view: my caseload and the referrals waiting for my organisation."""
    access = access_for(request.user)
    context = {"access": access}
    if access.sees_persons:
        context["caseload"] = caseload_for(request.user)[:50]
        context["inbox"] = referral_inbox_for(request.user)[:50]
    return render_page(request, "cases/home.html", context)
