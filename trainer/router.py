"""The trainer tools' HTTP API, mounted by crm_api under its staff routes."""

from __future__ import annotations

from fastapi import APIRouter

from trainer.inbox.router import router as inbox_router
from trainer.review.router import router as review_router
from trainer.training.router import router as training_router

router = APIRouter()
router.include_router(inbox_router)
router.include_router(review_router)
router.include_router(training_router)
