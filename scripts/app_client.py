"""Sample mobile-app client for the customer chat protocol (docs/app-protocol.md).

.venv/bot/bin/python scripts/app_client.py --phone 13800138000
.venv/bot/bin/python scripts/app_client.py --token <app token>
.venv/bot/bin/python scripts/app_client.py            # anonymous web-style session
"""

from __future__ import annotations

import argparse
import os
import sys

import httpx


def fetch_demo_token(crm_url: str, phone: str) -> str:
    """Gets an app token from the CRM's demo login route (demo mode only)."""
    response = httpx.post(
        f"{crm_url.rstrip('/')}/api/v1/demo/app-token", json={"phone": phone}, timeout=10
    )
    if response.status_code != 200:
        sys.exit(f"could not get a demo app token: {response.status_code} {response.text}")
    return response.json()["token"]


def print_error(response: httpx.Response) -> None:
    try:
        body = response.json()
        print(f"[{response.status_code} {body.get('code')}] {body.get('detail')}")
    except ValueError:
        print(f"[{response.status_code}] {response.text[:200]}")


def main() -> None:
    parser = argparse.ArgumentParser(description="智能客服 app protocol sample client")
    parser.add_argument("--base-url", default=os.environ.get("RASA_URL", "http://127.0.0.1:5005"))
    parser.add_argument("--crm-url", default=os.environ.get("CRM_URL", "http://127.0.0.1:8000"))
    who = parser.add_mutually_exclusive_group()
    who.add_argument("--token", help="app identity token (JWT)")
    who.add_argument("--phone", help="demo: fetch an app token for this phone from the CRM")
    args = parser.parse_args()

    app_token = args.token or (fetch_demo_token(args.crm_url, args.phone) if args.phone else None)
    chat = f"{args.base_url.rstrip('/')}/webhooks/webchat"
    headers = {"Authorization": f"Bearer {app_token}"} if app_token else {}

    with httpx.Client(timeout=60) as client:
        response = client.post(f"{chat}/session", json={}, headers=headers)
        if response.status_code != 200:
            print_error(response)
            sys.exit(1)
        session = response.json()
        auth = {"Authorization": f"Bearer {session['session_token']}"}
        print(
            f"已连接（{session['channel']}，会话 {session['sender_id'][:8]}…）。输入 /quit 退出。"
        )

        buttons: list[dict[str, str]] = []
        while True:
            try:
                text = input("我：").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                break
            if text in {"/quit", "/exit"}:
                break
            if text.isdigit() and buttons and 1 <= int(text) <= len(buttons):
                text = buttons[int(text) - 1]["payload"]  # choose a button by its number
            response = client.post(f"{chat}/messages", json={"text": text}, headers=auth)
            if response.status_code != 200:
                print_error(response)
                continue
            buttons = []
            for message in response.json()["messages"]:
                if message.get("text"):
                    print(f"客服：{message['text']}")
                for button in message.get("buttons") or []:
                    buttons.append(button)
                    print(f"   [{len(buttons)}] {button['title']}")


if __name__ == "__main__":
    main()
