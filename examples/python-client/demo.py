#!/usr/bin/python3
"""Runs the Python client: registers, connects, prints every event as one JSON line on stdout,
and exits 0 once the service has banned it (exit 1 when --timeout passes first).

    /usr/bin/python3 demo.py --service http://127.0.0.1:8080 [--state FILE] [--timeout SECONDS]
"""

import argparse
import json
import sys
import time

from webcomm_client import WebcommClient


def main(argv=None):
    parser = argparse.ArgumentParser(description="Web Communicator client example (MQTT over SigV4 WebSocket).")
    parser.add_argument("--service", required=True, help="base URL of the service API, e.g. http://127.0.0.1:8080")
    parser.add_argument("--state", help="file keeping clientId and serviceToken between runs (created 0600)")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up after this many seconds")
    args = parser.parse_args(argv)

    def print_event(event):
        print(json.dumps(event), flush=True)

    client = WebcommClient(args.service, print_event, state_file=args.state)
    client.register()
    client.run(time.monotonic() + args.timeout)
    return 0 if client.banned else 1


if __name__ == "__main__":
    sys.exit(main())
