"""Staff users and logins for the staff-side API tests."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_api.staff.models import StaffUser
from crm_api.staff.service import create_staff

PASSWORD = "correct-horse-battery-staple"
_numbers = itertools.count(1)


def make_staff(
    session: Session,
    role: str = "agent",
    branch: str = "北京分行",
    *,
    username: str | None = None,
    display_name: str | None = None,
    password: str = PASSWORD,
) -> StaffUser:
    n = next(_numbers)
    return create_staff(
        session=session,
        username=username or f"{role}{n}",
        display_name=display_name or f"小{n}",
        role=role,
        branch=branch,
        password=password,
    )


def login(client: TestClient, staff: StaffUser, password: str = PASSWORD) -> dict[str, str]:
    """Bearer headers of a fresh session for `staff`."""
    response = client.post(
        "/api/v1/staff/login", json={"username": staff.username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
