#!/usr/bin/python3
"""Checks presign() against the wire contract's SigV4 vectors
(docs/fixtures/sigv4-iot-presigned-url.json): canonical query, canonical request, string to sign,
signature and URL, for every case. Prints one line per case; exits 1 on the first mismatch."""

import datetime
import json
import os
import sys

from webcomm_client import presign

VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "fixtures", "sigv4-iot-presigned-url.json")


def main(path=VECTORS):
    with open(path, encoding="utf-8") as handle:
        vectors = json.load(handle)
    for case in vectors["cases"]:
        credentials = dict(vectors["credentials"])
        if not case["sessionTokenAppended"]:
            credentials.pop("sessionToken")
        now = datetime.datetime.strptime(case["signingDate"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
        url, signed_host, parts = presign(case["endpoint"], case["region"], credentials, now=now, expires_in=case["expiresInSeconds"])
        for name, value in [("signedHost", signed_host), ("url", url), *parts.items()]:
            if case[name] != value:
                print(f"FAIL {case['name']}: {name}\n  expected {case[name]!r}\n  got      {value!r}")
                return 1
        print(f"ok {case['name']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
