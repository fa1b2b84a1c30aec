"""The complaint vocabulary shared by the CRM, the actions and the NLU contract.

A category is both the ``complaint_category`` entity value (docs/intents.md) and what the
CRM stores and shows, so the six names are written here once: crm_api's table and request
schemas, the actions' buttons and checks, and the staff console (through the CRM's
``GET /api/v1/labels``) all take them from here.
"""

from __future__ import annotations

from typing import Literal, get_args

ComplaintCategory = Literal["服务态度", "收费", "系统故障", "业务办理", "产品", "其他"]
COMPLAINT_CATEGORIES: tuple[ComplaintCategory, ...] = get_args(ComplaintCategory)

ComplaintStatus = Literal["已受理", "处理中", "已解决", "已关闭"]
COMPLAINT_STATUSES: tuple[ComplaintStatus, ...] = get_args(ComplaintStatus)
# a complaint in these is still being worked on (it can breach its SLA)
OPEN_STATUSES: tuple[ComplaintStatus, ...] = ("已受理", "处理中")
