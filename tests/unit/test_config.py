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


@pytest.mark.parametrize("secret", ["", "dev", "changeme", "short"])
def test_production_refuses_a_placeholder_secret_key_and_names_it(secret):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings.from_env(mode=Mode.PRODUCTION, secret_key=secret)


def test_production_refuses_twilio_without_its_token():
    with pytest.raises(ConfigurationError, match="TWILIO_AUTH_TOKEN"):
        Settings.from_env(
            mode=Mode.PRODUCTION,
            secret_key="x" * 40,
            telephony="twilio",
            twilio_account_sid="AC" + "1" * 32,
        )


def test_production_accepts_a_real_secret():
    settings = Settings.from_env(mode=Mode.PRODUCTION, secret_key="x" * 40)
    assert settings.mode is Mode.PRODUCTION


def test_an_invalid_value_is_reported_with_the_variable_name(monkeypatch):
    monkeypatch.setenv("TELEPHONY", "carrier-pigeon")
    with pytest.raises(ConfigurationError, match="TELEPHONY"):
        Settings.from_env()
