"""The online workspace (``reportsmith serve``): a Django project, a face over the engine.

Owns: accounts and roles, the per-cluster store (section versions, form values, evidence,
uploaded files, state, audit log), pages and the JSON API. Views only orchestrate: every
rule (check, form validation, evidence checks, import, build) is the engine's, reached
through :mod:`reportsmith.web.engine`. May import every engine package; nothing imports it.

Apps: ``accounts`` (users, roles, log-in, forced password change), ``workspace`` (the
cluster's data and its pages), ``api`` (JSON mirroring the CLI). Who may use each view is
declared with :func:`reportsmith.web.access.allow` and listed in ``access.yaml``.
"""
