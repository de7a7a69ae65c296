#!/usr/bin/env bash
# Set up Accord on a fresh machine and show the decision engine at work: the example
# next-best-offer model (examples/dmn, a DMN 1.3 file as Camunda Modeler writes it) decides
# for three customers and explains each answer with the rules that matched.
set -euo pipefail
source "$(dirname "$0")/setup.sh"

accord="$venv/bin/accord"
model=examples/dmn/next-best-offer.dmn
"$accord" dmn check "$model"
for customer in \
  '{"Segment": "gold", "Lifetime value": 7200, "Days since last order": 120, "Channel": "web"}' \
  '{"Segment": "silver", "Lifetime value": 640, "Days since last order": 75, "Channel": "email"}' \
  '{"Segment": "new", "Lifetime value": 0, "Days since last order": 0, "Channel": "app"}'; do
  echo "customer: $customer"
  "$accord" dmn eval "$model" --decision Offer --input "$customer" --trace
done
