#!/usr/bin/env python3
"""A client of the import API, written only from the guide's "API Quick Reference" and SPEC section 6.

It logs in (a store JWT), starts an import of a feed URL, polls the job until it has
finished, lists the store's jobs, and prints the job's row errors. With admin
credentials it also reads the platform statistics.

    python scripts/api_client_example.py --base-url http://127.0.0.1:8000 \\
        --username owner --password demo-owner-pass --store-code demo \\
        --source-url http://127.0.0.1:8000/demo-feeds/letzshop-en.csv --language en \\
        [--admin-username admin --admin-password demo-admin-pass]

Exit status: 0 when the import finished as completed or completed_with_errors, 1 otherwise.
Only `requests` is needed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import requests

FINISHED = {"completed", "completed_with_errors", "failed", "cancelled"}


class Api:
    def __init__(self, base_url: str, username: str, password: str, store_code: str | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        body = {"username": username, "password": password}
        if store_code:
            body["store_code"] = store_code
        # POST /api/v1/auth/token {username, password, store_code?} -> {access, refresh}
        tokens = self.post("/api/v1/auth/token", body, auth=False)
        self.refresh_token = tokens["refresh"]
        self.session.headers["Authorization"] = f"Bearer {tokens['access']}"

    def refresh(self) -> None:
        # POST /api/v1/auth/token/refresh {refresh} -> {access, refresh}; each refresh token works once.
        tokens = self.post("/api/v1/auth/token/refresh", {"refresh": self.refresh_token}, auth=False)
        self.refresh_token = tokens["refresh"]
        self.session.headers["Authorization"] = f"Bearer {tokens['access']}"

    def get(self, path: str, **params: str | int) -> dict[str, Any]:
        response = self.session.get(self.base_url + path, params=params, timeout=30)
        if response.status_code == 401:  # access tokens live 5 minutes
            self.refresh()
            response = self.session.get(self.base_url + path, params=params, timeout=30)
        return self._json(response)

    def post(self, path: str, body: dict[str, Any], *, auth: bool = True) -> dict[str, Any]:
        send = self.session.post if auth else requests.post
        return self._json(send(self.base_url + path, json=body, timeout=30))

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        if response.status_code >= 400:
            raise SystemExit(f"{response.request.method} {response.url}: {response.status_code} {response.text}")
        body: dict[str, Any] = response.json()  # every answer of this API is a JSON object
        return body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--store-code")
    parser.add_argument("--source-url", required=True)
    parser.add_argument("--language", default="en", choices=["fr", "en", "de"])
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for the import")
    parser.add_argument("--admin-username")
    parser.add_argument("--admin-password")
    args = parser.parse_args(argv)

    store = Api(args.base_url, args.username, args.password, args.store_code)

    # POST /api/v1/store/marketplace/import -> 202 {job_id, status: "pending"}
    started = store.post(
        "/api/v1/store/marketplace/import",
        {
            "source_url": args.source_url,
            "marketplace": "Letzshop",
            "batch_size": args.batch_size,
            "language": args.language,
        },
    )
    job_id = started["job_id"]
    print(f"started job {job_id} ({started['status']})")

    # GET /api/v1/store/marketplace/imports/{id} until the job has finished
    deadline = time.monotonic() + args.timeout
    while True:
        job = store.get(f"/api/v1/store/marketplace/imports/{job_id}")
        print(
            f"  {job['status']}: {job['progress_percent']}% processed={job['total_processed']} "
            f"imported={job['imported_count']} updated={job['updated_count']} errors={job['error_count']}"
        )
        if job["status"] in FINISHED:
            break
        if time.monotonic() > deadline:
            print(f"job {job_id} did not finish within {args.timeout} s", file=sys.stderr)
            return 1
        time.sleep(1)
    if job["error_message"]:
        print(f"  reason: {job['error_message']}")

    # GET /api/v1/store/marketplace/imports?page=1&limit=10 -> {items, total, page, limit}
    history = store.get("/api/v1/store/marketplace/imports", page=1, limit=10)
    print(f"the store has {history['total']} import(s); latest: {[item['id'] for item in history['items']]}")

    # GET /api/v1/store/marketplace/imports/{id}/errors?page=&limit= -> {items, total, page, limit}
    page = 1
    while True:
        errors = store.get(f"/api/v1/store/marketplace/imports/{job_id}/errors", page=page, limit=50)
        for error in errors["items"]:
            print(
                f"  row {error['row_number']} [{error['severity']}] {error['error_type']} "
                f"{error['identifier']!r}: {error['error_message']}"
            )
        if page * errors["limit"] >= errors["total"]:
            break
        page += 1

    if args.admin_username:
        admin = Api(args.base_url, args.admin_username, args.admin_password or "")
        # GET /api/v1/admin/marketplace-import-jobs/stats and /{id}
        print("platform stats:", json.dumps(admin.get("/api/v1/admin/marketplace-import-jobs/stats")))
        detail = admin.get(f"/api/v1/admin/marketplace-import-jobs/{job_id}")
        print(f"admin sees job {detail['id']} of store {detail['store_code']} started by {detail['created_by']}")
        mine = admin.get("/api/v1/admin/marketplace-import-jobs", store_id=detail["store_id"], status=job["status"])
        print(f"admin list for store {detail['store_id']} with status {job['status']}: {mine['total']} job(s)")

    return 0 if job["status"] in {"completed", "completed_with_errors"} else 1


if __name__ == "__main__":
    sys.exit(main())
