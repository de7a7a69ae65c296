#!/usr/bin/env bash
# Set up Accord on a fresh machine and run the customer data hub demo: generate a retailer
# (50,000 customers by default, across a CRM export, web shop orders, web/app/e-mail events
# and a service desk database), build identities, profiles and segments with progress,
# print what was built and the commands to try, then serve the API on 127.0.0.1:8000 until
# Ctrl-C. Extra arguments go to `accord demo` (--customers N, --port P, --no-serve, --dir D).
set -euo pipefail
source "$(dirname "$0")/setup.sh"

"$venv/bin/accord" demo "$@"
