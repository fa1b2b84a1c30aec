"""The trainer API runs inside crm_api: its tests use the CRM's database fixtures."""

from tests.crm_api.conftest import *  # noqa: F403
