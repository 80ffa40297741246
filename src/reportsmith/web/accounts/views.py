"""Log-in, log-out and password change (Django's own views, Chinese pages)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash, views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render

from ..access import allow
from .forms import LoginForm
from .models import ADMIN, CLUSTER, REVIEWER

login_view = allow(roles="any", methods=("GET", "POST"))(
    auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm, redirect_authenticated_user=True)
)
logout_view = allow(roles="any", methods=("POST",))(auth_views.LogoutView.as_view())


@allow(roles={CLUSTER, REVIEWER, ADMIN}, methods=("GET", "POST"), write_roles={CLUSTER, REVIEWER, ADMIN})
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})
