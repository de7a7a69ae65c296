#!/bin/sh
# The Hillstrom example end to end: a scratch project, the campaign, its outcomes, reports.
# Usage: examples/hillstrom/run.sh [PROJECT_DIR]   (from the repository root)
set -eu
here=$(dirname "$0")
data="$here/../../../shared/data/hillstrom/hillstrom.csv.gz"
project=${1:-$(mktemp -d)}

accord campaign create "$here/campaign.yaml" --project "$project"
accord campaign outcomes hillstrom-2008 "$data" --project "$project" \
    --variant segment --control "No E-Mail" \
    --visit visit --conversion conversion --revenue spend
accord campaign report hillstrom-2008 --project "$project"
accord campaign report hillstrom-2008 --project "$project" --format html \
    --output "$project/hillstrom-report.html"
