"""Until a user has changed the password handed out, every page leads to the change form."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED = ("password_change", "logout", "login")


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated or not user.must_change_password:
            return None
        match = request.resolver_match
        if match and match.url_name in ALLOWED:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({"error": "首次登录须先修改密码", "hint": "请在浏览器中登录并修改密码"}, status=403)
        if request.path.startswith("/static/"):
            return None
        return redirect(reverse("password_change"))
