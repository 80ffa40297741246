"""Who may use each view: every view is wrapped by :func:`allow`, which declares and enforces it.

    @allow(roles={CLUSTER, REVIEWER, ADMIN}, methods=("GET", "POST"), write_roles={CLUSTER})
    def sections(request, account): ...

- ``roles``: who may use the safe methods (GET/HEAD); ``"anonymous"`` for pages everyone
  sees (log-in), ``"any"`` for views that also take anonymous requests (log-out).
- ``write_roles``: who may use the unsafe methods (POST/PUT/DELETE); none unless declared.
- ``methods``: the HTTP methods the view answers; others get 405.
- ``editable``: the unsafe methods change the cluster's content, so they answer 409 while its
  report is submitted or approved (read-only until a reviewer returns it).
- A view with an ``account`` URL argument is cluster-owned: a cluster user may reach only
  its own account (another cluster's URL answers 404, never revealing whether it exists);
  an account that is not in 附件1 answers 404.
- Under ``/api/``: an anonymous request answers 401, a refused one 403, both as JSON;
  pages send anonymous users to the log-in page and answer 403 otherwise.

The expected status of every URL, method and role is listed in ``access.yaml``; the test
``tests/web/test_access_table.py`` walks the URLconf and checks every cell, and fails for a
view without :func:`allow` or a URL missing from the table.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Iterable

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.contrib.auth.views import redirect_to_login

ANONYMOUS = "anonymous"
ANY = "any"
SAFE = ("GET", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    write_roles: frozenset[str]
    methods: tuple[str, ...]

    def permits(self, role: str, method: str) -> bool:
        if ANY in self.roles:
            return True
        allowed = self.roles if method in SAFE else self.write_roles
        return role in allowed or (ANONYMOUS in self.roles and method in SAFE)


def _norm(roles: str | Iterable[str] | None) -> frozenset[str]:
    if roles is None:
        return frozenset()
    return frozenset([roles]) if isinstance(roles, str) else frozenset(roles)


def role_of(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    return user.role


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def deny(request, status: int, message: str) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def allow(
    roles: str | Iterable[str],
    *,
    methods: Iterable[str] = ("GET",),
    write_roles: str | Iterable[str] | None = None,
    editable: bool = False,
) -> Callable:
    methods = tuple(m.upper() for m in methods)
    if "GET" in methods and "HEAD" not in methods:
        methods += ("HEAD",)
    access = Access(_norm(roles), _norm(write_roles), methods)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in access.methods:
                return HttpResponseNotAllowed([m for m in access.methods if m != "HEAD"])
            role = role_of(request)
            if not access.permits(role, request.method):
                if role == ANONYMOUS:
                    if is_api(request):
                        return JsonResponse({"error": "请先登录"}, status=401)
                    return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
                return deny(request, 403, "您的账号无权进行此操作。")
            account = kwargs.get("account")
            if account is not None:
                from .workspace.models import ClusterSpace

                if role == "cluster" and request.user.cluster != account:
                    return deny(request, 404, "没有找到该页面。")
                space = ClusterSpace.objects.filter(account=account).only("state").first()
                if space is None:
                    return deny(request, 404, "没有找到该集群。")
                if editable and request.method not in SAFE and not space.editable:
                    return deny(request, 409, space.locked_message)
            return view(request, *args, **kwargs)

        wrapper.access = access
        wrapper.editable = editable
        return wrapper

    return decorate
