#!/usr/bin/env bash
# Vendors the web app's browser libraries from npm into src/accord/web/static/vendor/, where
# they are committed: `pip install` needs no Node. Run it only to upgrade them (needs npm).
#   dmn-js      the decision-table / DRD editor (bpmn.io licence: keep its watermark)
#   htmx.org    in-place updates of server-rendered pages
#   vega, vega-lite, vega-embed   the charts
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
versions=(dmn-js@17.10.2 htmx.org@2.0.11 vega@6.4.0 vega-lite@6.4.3 vega-embed@7.3.0)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --ignore-scripts \
  "${versions[@]}" >/dev/null)
out=src/accord/web/static/vendor
rm -rf "$out"
mkdir -p "$out/dmn-js/assets"
m="$work/node_modules"
cp "$m/dmn-js/dist/dmn-modeler.production.min.js" "$out/dmn-js/"
cp -r "$m/dmn-js/dist/assets/." "$out/dmn-js/assets/"
cp "$m/dmn-js/LICENSE" "$out/dmn-js/LICENSE"
cp "$m/htmx.org/dist/htmx.min.js" "$out/"
cp "$m/vega/build/vega.min.js" "$m/vega-lite/build/vega-lite.min.js" \
   "$m/vega-embed/build/vega-embed.min.js" "$out/"
for package in htmx.org vega vega-lite vega-embed; do
  cp "$m/$package/LICENSE" "$out/LICENSE.$package" 2>/dev/null || true
done
printf '%s\n' "${versions[@]}" > "$out/VERSIONS"
echo "vendored into $out: ${versions[*]}"
