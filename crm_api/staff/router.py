"""员工 / staff: login, logout, who am I, colleagues."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Response

from crm_api.deps import (
    STAFF_COOKIE,
    ClockDep,
    CurrentStaff,
    SessionDep,
    SettingsDep,
    staff_token,
)
from crm_api.errors import ErrorBody
from crm_api.staff import service
from crm_api.staff.schemas import LoginRequest, LoginResult, StaffPublic

router = APIRouter(prefix="/staff", tags=["员工 staff"])


@router.post(
    "/login",
    summary="员工登录",
    responses={
        401: {"model": ErrorBody, "description": "invalid_credentials"},
        403: {"model": ErrorBody, "description": "default_password_refused (production)"},
        423: {"model": ErrorBody, "description": "staff_locked"},
    },
)
def login(
    body: LoginRequest,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> LoginResult:
    """Open a session: returns a bearer token and sets an HttpOnly cookie for the console."""
    lifetime = timedelta(hours=settings.staff_session_hours)
    try:
        result = service.login(
            session=session,
            username=body.username,
            password=body.password,
            now=clock(),
            lifetime=lifetime,
            max_failed=settings.staff_max_failed_logins,
            lock_seconds=settings.staff_lock_seconds,
            production=settings.crm_env == "production",
        )
    except Exception:
        session.commit()  # keep the failed-login counter
        raise
    session.commit()
    response.set_cookie(
        STAFF_COOKIE,
        result.token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        samesite="strict",
        secure=settings.crm_env == "production",
        path="/",
    )
    return LoginResult(
        token=result.token,
        expires_at=result.expires_at,
        staff=StaffPublic.model_validate(result.staff),
    )


@router.post("/logout", summary="退出登录", status_code=204)
def logout(
    response: Response,
    session: SessionDep,
    clock: ClockDep,
    token: Annotated[str | None, Depends(staff_token)],
) -> Response:
    if token:
        service.logout(session=session, token=token, now=clock())
        session.commit()
    response.status_code = 204
    response.delete_cookie(STAFF_COOKIE, path="/")
    return response


@router.get("/me", summary="当前登录员工")
def me(staff: CurrentStaff) -> StaffPublic:
    return StaffPublic.model_validate(staff)


@router.get("/users", summary="可分派的同事")
def list_users(staff: CurrentStaff, session: SessionDep) -> list[StaffPublic]:
    return [
        StaffPublic.model_validate(s) for s in service.list_staff(session=session, viewer=staff)
    ]
