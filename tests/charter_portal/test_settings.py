"""Production settings: refuse the development key, and `check --deploy` finds nothing."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "charter.example.org",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
}


def _manage(*args, **env):
    # The test process allows async-unsafe calls for Playwright; a deployment never does.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_on_the_development_secret_key():
    result = _manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": ""})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", **{**PRODUCTION, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0


def test_check_deploy_reports_nothing_under_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_points_email_links_at_the_port_it_serves():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8101"],  # noqa: S607 - the project's own Makefile
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k != "CHARTER_SITE_URL"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = _manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.CHARTER_SITE_URL, settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0])",
        CHARTER_SITE_URL="http://127.0.0.1:8101",
    )
    assert "export CHARTER_SITE_URL=http://127.0.0.1:8101;" in result.stdout
    assert "runserver 127.0.0.1:8101" in result.stdout
    assert printed.stdout.splitlines()[-1].split() == [
        "http://127.0.0.1:8101",
        "http://localhost:8101",
    ]
