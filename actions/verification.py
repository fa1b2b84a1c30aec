"""Identity verification by phone number + one-time code (anonymous web visitors).

The code is checked with the CRM in the same turn it is typed; the tracker store then
masks it before anything is persisted (bot/tracker_store.py). Codes never go to logs.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crm_client import CrmClient, CrmError, CrmUnavailable
from actions.forms import ABORT_FORM, AbortAwareFormValidation
from actions.identity import verified_customer_id
from actions.settings import get_settings
from bankkit.identifiers import extract_phone, extract_verification_code

logger = logging.getLogger(__name__)

# the slots a form asks for when the session is not verified yet
VERIFICATION_SLOTS = ("phone_number", "verification_code")
CODE_PLACEHOLDER = "******"  # what the slot holds once the code has been used


def _retry_minutes(payload: dict[str, Any], default: int = 15) -> int:
    seconds = int(payload.get("retry_after") or default * 60)
    return max(1, -(-seconds // 60))


class VerificationSlotsMixin:
    """validate_phone_number / validate_verification_code shared by forms that verify."""

    async def validate_phone_number(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        phone = extract_phone(str(slot_value or ""))
        if not phone:
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"phone_number": None}
        try:
            await CrmClient().request_otp(phone)
        except CrmUnavailable:
            logger.error("otp request failed: crm unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"phone_number": None, **ABORT_FORM}
        except CrmError as exc:
            if exc.code == "customer_not_found":
                dispatcher.utter_message(response="utter_phone_not_registered")
                return {"phone_number": None}
            if exc.code == "otp_rate_limited":
                # An earlier code may still be valid: keep the phone and ask for it.
                dispatcher.utter_message(
                    response="utter_otp_rate_limited",
                    seconds=int(exc.payload.get("retry_after") or 60),
                )
                return {"phone_number": phone}
            if exc.code == "otp_locked":
                dispatcher.utter_message(
                    response="utter_otp_locked", minutes=_retry_minutes(exc.payload)
                )
                return {"phone_number": None, **ABORT_FORM}
            dispatcher.utter_message(response="utter_invalid_phone")
            return {"phone_number": None}
        settings = get_settings()
        dispatcher.utter_message(response="utter_otp_sent", phone_tail=phone[-4:], minutes=5)
        if settings.demo_mode:
            dispatcher.utter_message(
                response="utter_otp_sent_demo",
                outbox_url=f"{settings.crm_public_url}/api/v1/demo/sms-outbox?phone={phone}",
            )
        return {"phone_number": phone}

    async def validate_verification_code(
        self,
        slot_value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> dict[str, Any]:
        phone = tracker.get_slot("phone_number")
        code = extract_verification_code(str(slot_value or ""))
        if not phone:
            return {"verification_code": None}
        if not code:
            dispatcher.utter_message(response="utter_ask_verification_code")
            return {"verification_code": None}
        client = CrmClient()
        try:
            result = await client.verify_otp(phone, code)
        except CrmUnavailable:
            logger.error("otp verify failed: crm unavailable")
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"verification_code": None, **ABORT_FORM}
        except CrmError as exc:
            if exc.code == "otp_invalid":
                dispatcher.utter_message(
                    response="utter_otp_wrong", remaining=exc.payload.get("remaining_attempts", 0)
                )
                return {"verification_code": None}
            if exc.code == "otp_expired":
                return await self._resend(client, phone, dispatcher)
            if exc.code == "otp_locked":
                dispatcher.utter_message(
                    response="utter_otp_locked", minutes=_retry_minutes(exc.payload)
                )
                return {"verification_code": None, "phone_number": None, **ABORT_FORM}
            logger.warning("otp verify refused: %s", exc.code)
            dispatcher.utter_message(response="utter_otp_wrong", remaining=0)
            return {"verification_code": None}
        customer_id = str(result["customer_id"])
        dispatcher.utter_message(response="utter_verified", name=result.get("name") or "您好")
        verified = {
            "verification_code": CODE_PLACEHOLDER,
            "customer_id": customer_id,
            "customer_verified": True,
            "customer_name": result.get("name"),
        }
        verified.update(await self.after_verification(customer_id, dispatcher, tracker))
        return verified

    async def after_verification(
        self, customer_id: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        """Hook for forms that can fill more slots once the customer is known."""
        return {}

    async def _resend(
        self, client: CrmClient, phone: str, dispatcher: CollectingDispatcher
    ) -> dict[str, Any]:
        try:
            await client.request_otp(phone)
        except (CrmUnavailable, CrmError):
            dispatcher.utter_message(response="utter_service_unavailable")
            return {"verification_code": None, **ABORT_FORM}
        dispatcher.utter_message(response="utter_otp_expired_resent")
        return {"verification_code": None}


class ValidateVerifyForm(VerificationSlotsMixin, FormValidationAction):
    def name(self) -> str:
        return "validate_verify_form"


class VerifyFirstFormValidation(VerificationSlotsMixin, AbortAwareFormValidation):
    """A form that verifies the customer before it asks anything else, because what it
    asks next depends on who they are (``slots_for_verified``)."""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if not verified_customer_id(tracker):
            return [s for s in domain_slots if s in VERIFICATION_SLOTS]
        after = [s for s in domain_slots if s not in VERIFICATION_SLOTS]
        return self.slots_for_verified(after, tracker)

    def slots_for_verified(self, slots: list[str], tracker: Tracker) -> list[str]:
        """The form's questions for this verified customer, out of `slots` (in order)."""
        return slots
