"""The demo's three accounts are made once with fresh passwords; the first admin is made by the CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import select

from dialer.cli import main
from dialer.domain.roles import Role
from dialer.models import CampaignOrganiser, User
from dialer.services.accounts import accounts
from tests.people import add_account, add_campaign

pytestmark = pytest.mark.integration


def test_demo_accounts_are_created_once_and_can_sign_in(services):
    campaigns = {add_campaign(services, "Bristol Central calls"), add_campaign(services, "Stroud calls")}
    created = accounts.seed_demo_accounts(services.uow(), services.passwords, services.clock)
    assert [c.role for c in created] == [Role.VOLUNTEER, Role.ORGANISER, Role.ADMIN]
    assert len({c.password for c in created}) == 3
    for credentials in created:
        signed = accounts.authenticate(
            services.uow(), services.passwords, services.clock, credentials.email, credentials.password
        )
        assert signed is not None and signed.role is credentials.role
    organiser = next(c for c in created if c.role is Role.ORGANISER)
    with services.uow() as uow:
        user_id = uow.session.exec(select(User.id).where(User.email == organiser.email)).one()
        runs = set(
            uow.session.exec(
                select(CampaignOrganiser.campaign_id).where(CampaignOrganiser.user_id == user_id)
            )
        )
        assert runs == campaigns
    assert accounts.seed_demo_accounts(services.uow(), services.passwords, services.clock) == []


def test_the_cli_makes_an_existing_account_an_admin(services, settings):
    add_account(services, "first.admin@example.org")
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_PATH": str(settings.instance_path),
    }
    result = CliRunner().invoke(main, ["promote", "First.Admin@example.org"], env=env)
    assert result.exit_code == 0, result.output
    assert "first.admin@example.org is now an admin" in result.output
    with services.uow() as uow:
        assert uow.session.exec(select(User.role)).one() is Role.ADMIN


def test_the_cli_says_when_there_is_no_such_account(services, settings):
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_PATH": str(settings.instance_path),
    }
    result = CliRunner().invoke(main, ["promote", "nobody@example.org"], env=env)
    assert result.exit_code == 2
    assert result.output.strip() == "marginal: no account uses nobody@example.org: sign up on the web first"
