"""Settings: embedded defaults, backend choice, and refusing unsafe production secrets."""

import pytest

from dialer.config import Mode, Settings, TelephonyBackend
from dialer.errors import ConfigurationError


def test_defaults_run_everything_embedded(tmp_path, monkeypatch):
    for variable in ("DATABASE_URL", "REDIS_URL", "TELEPHONY", "TWILIO_ACCOUNT_SID"):
        monkeypatch.delenv(variable, raising=False)
    settings = Settings(instance_path=tmp_path, _env_file=None)
    assert settings.effective_database_url.startswith("sqlite:///")
    assert settings.embedded_redis
    assert settings.telephony_backend is TelephonyBackend.SIMULATOR


def test_a_twilio_account_selects_real_twilio():
    settings = Settings(twilio_account_sid="AC" + "1" * 32, twilio_auth_token="real-token")
    assert settings.telephony_backend is TelephonyBackend.TWILIO
    assert not settings.uses_simulator


def test_the_backend_can_be_forced_to_the_simulator():
    settings = Settings(
        telephony="simulator", twilio_account_sid="AC" + "1" * 32, twilio_auth_token="real-token"
    )
    assert settings.uses_simulator


#: A production deployment that is safe in every respect; each test below spoils one setting.
SAFE = {
    "mode": Mode.PRODUCTION,
    "secret_key": "k3" * 32,
    "public_base_url": "https://bank.example.org",
    "twilio_account_sid": "AC" + "1" * 32,
    "twilio_auth_token": "f" * 32,
    "twilio_caller_id": "+442071234567",
    "smtp_host": "smtp.example.org",
    "smtp_username": "phonebank",
    "smtp_password": "p" * 24,
    "mail_from": "Marginal phone bank <phonebank@example.org>",
}


def test_production_accepts_a_safe_deployment():
    settings = Settings.from_env(**SAFE)
    assert settings.mode is Mode.PRODUCTION
    assert settings.telephony_backend is TelephonyBackend.TWILIO


@pytest.mark.parametrize("secret", ["", "dev", "changeme", "short", "x" * 31])
def test_production_refuses_a_placeholder_or_short_secret_key_and_names_it(secret):
    with pytest.raises(ConfigurationError, match=r"^SECRET_KEY ") as refused:
        Settings.from_env(**{**SAFE, "secret_key": secret})
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize(
    ("unsafe", "named"),
    [
        ({"public_base_url": "http://bank.example.org"}, "PUBLIC_BASE_URL"),
        ({"public_base_url": "http://127.0.0.1:5000"}, "PUBLIC_BASE_URL"),
        ({"twilio_account_sid": "", "twilio_auth_token": ""}, "TELEPHONY"),  # falls back to the simulator
        ({"telephony": "simulator"}, "TELEPHONY"),
        ({"twilio_auth_token": ""}, "TELEPHONY"),  # no account: the simulator again
        ({"telephony": "twilio", "twilio_auth_token": ""}, "TWILIO_AUTH_TOKEN"),
        ({"twilio_auth_token": "changeme"}, "TWILIO_AUTH_TOKEN"),
        ({"twilio_auth_token": "simulator-auth-token"}, "TWILIO_AUTH_TOKEN"),
        ({"twilio_auth_token": "f" * 20}, "TWILIO_AUTH_TOKEN"),
        ({"twilio_account_sid": "AC" + "0" * 31 + "1"}, "TWILIO_ACCOUNT_SID"),  # the simulator's account
        ({"twilio_caller_id": "+442079460000"}, "TWILIO_CALLER_ID"),  # the demo's drama number
        ({"twilio_api_secret": "simulator-api-secret-for-demo-tokens-only"}, "TWILIO_API_SECRET"),
        ({"twilio_api_secret": "short"}, "TWILIO_API_SECRET"),
        ({"smtp_host": ""}, "SMTP_HOST"),  # no mail: nobody could reset a password
        ({"mail_from": ""}, "MAIL_FROM"),
        ({"mail_from": "Marginal <marginal@localhost>"}, "MAIL_FROM"),
        ({"smtp_security": "none"}, "SMTP_SECURITY"),  # the password in the clear to another host
        ({"local_mailbox": "instance/mailbox"}, "LOCAL_MAILBOX"),
    ],
    ids=lambda value: value if isinstance(value, str) else "-".join(f"{k}={v}" for k, v in value.items()),
)
def test_production_refuses_each_unsafe_setting_with_one_line_naming_it(unsafe, named):
    with pytest.raises(ConfigurationError, match=f"^{named} ") as refused:
        Settings.from_env(**{**SAFE, **unsafe})
    assert "\n" not in str(refused.value)


def test_loopback_mode_runs_the_simulator_over_http_on_this_machine():
    settings = Settings.from_env(
        mode=Mode.LOOPBACK,
        secret_key="k3" * 32,
        public_base_url="http://127.0.0.1:8123",
        simulator_url="http://127.0.0.1:8124",
        telephony="simulator",
    )
    assert settings.uses_simulator


@pytest.mark.parametrize(
    ("address", "named"),
    [
        ({"public_base_url": "http://bank.example.org"}, "PUBLIC_BASE_URL"),
        ({"public_base_url": "http://192.168.1.20:8000"}, "PUBLIC_BASE_URL"),
        ({"simulator_url": "http://10.0.0.5:5055"}, "SIMULATOR_URL"),
    ],
)
def test_loopback_mode_refuses_an_address_other_machines_can_reach(address, named):
    with pytest.raises(ConfigurationError, match=f"^{named} must be a loopback address"):
        Settings.from_env(mode=Mode.LOOPBACK, secret_key="k3" * 32, telephony="simulator", **address)


def test_an_invalid_value_is_reported_with_the_variable_name(monkeypatch):
    monkeypatch.setenv("TELEPHONY", "carrier-pigeon")
    with pytest.raises(ConfigurationError, match="TELEPHONY"):
        Settings.from_env()


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_in_loopback_mode_the_web_server_refuses_to_listen_where_other_machines_reach_it(host, monkeypatch):
    from web.server import main

    monkeypatch.setenv("MARGINAL_MODE", "loopback")
    with pytest.raises(
        SystemExit, match=r"^marginal web: --host must be a loopback address in loopback mode"
    ):
        main(["--host", host, "--port", "1"])


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_loopback_mode_listens_on_loopback_addresses(host):
    Settings(mode=Mode.LOOPBACK).check_listening_address(host)


def test_a_relay_on_this_machine_may_take_mail_without_tls_in_production():
    settings = Settings.from_env(**{**SAFE, "smtp_host": "127.0.0.1", "smtp_security": "none"})
    assert settings.effective_smtp_port == 25


def test_the_smtp_port_follows_the_security_unless_it_is_set():
    assert Settings(smtp_security="starttls").effective_smtp_port == 587
    assert Settings(smtp_security="tls").effective_smtp_port == 465
    assert Settings(smtp_security="tls", smtp_port=2465).effective_smtp_port == 2465


def test_the_local_mailbox_page_never_exists_in_production():
    assert Settings(local_mailbox="instance/mailbox").shows_local_mailbox
    assert not Settings(mode=Mode.PRODUCTION, local_mailbox="instance/mailbox").shows_local_mailbox
    assert not Settings().shows_local_mailbox
