from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    # One message for a wrong 账号 or a wrong password: no account enumeration.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "账号或密码不正确。请检查后重试（注意大小写）。",
        "inactive": "账号或密码不正确。请检查后重试（注意大小写）。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"
