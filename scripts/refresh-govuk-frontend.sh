#!/usr/bin/env bash
# Vendors GOV.UK Frontend's built files, and axe-core for the browser tests, from npm.
#
#   scripts/refresh-govuk-frontend.sh [govuk-frontend version] [axe-core version]
#
# Only built files are kept: the minified CSS and JavaScript and the images. The GDS Transport
# fonts are left out on purpose: their licence covers GOV.UK domains only, so static/css/app.css
# sets a system font stack instead. After a refresh, check that app.css still overrides every
# selector that sets font-family (the script prints them).
set -euo pipefail

GOVUK_VERSION="${1:-6.6.0}"
AXE_VERSION="${2:-4.14}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GOVUK_DEST="$ROOT/static/vendor/govuk-frontend"
AXE_DEST="$ROOT/tests/browser/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm pack --silent "govuk-frontend@$GOVUK_VERSION" >/dev/null
npm pack --silent "axe-core@$AXE_VERSION" >/dev/null
mkdir govuk axe
tar -xzf govuk-frontend-*.tgz -C govuk
tar -xzf axe-core-*.tgz -C axe

src="$WORK/govuk/package/dist/govuk"
rm -rf "$GOVUK_DEST"
mkdir -p "$GOVUK_DEST/assets"
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$GOVUK_DEST/"
cp "$src/assets/manifest.json" "$GOVUK_DEST/assets/"
cp -R "$src/assets/images" "$GOVUK_DEST/assets/"
if [ -d "$src/assets/rebrand" ]; then
    cp -R "$src/assets/rebrand" "$GOVUK_DEST/assets/"
fi
# The maps point at sources we do not ship; drop the comments so browsers do not ask for them.
sed -i -e '/^\/\*# sourceMappingURL=.*\*\/$/d' -e 's#/\*\# sourceMappingURL=[^*]*\*/##' \
    "$GOVUK_DEST/govuk-frontend.min.css"
sed -i -e 's#//\# sourceMappingURL=.*$##' "$GOVUK_DEST/govuk-frontend.min.js"
node -p "require('$WORK/govuk/package/package.json').version" >"$GOVUK_DEST/VERSION"
cat >"$GOVUK_DEST/LICENCE" <<'LICENCE'
The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
LICENCE

mkdir -p "$AXE_DEST"
cp "$WORK/axe/package/axe.min.js" "$AXE_DEST/axe.min.js"
cp "$WORK/axe/package/LICENSE" "$AXE_DEST/LICENSE"
node -p "require('$WORK/axe/package/package.json').version" >"$AXE_DEST/VERSION"

echo "GOV.UK Frontend $(cat "$GOVUK_DEST/VERSION") and axe-core $(cat "$AXE_DEST/VERSION") vendored."
echo "Selectors that set font-family (static/css/app.css must override each):"
grep -o '[^{}]*{[^{}]*font-family:GDS Transport,[^{}]*}' "$GOVUK_DEST/govuk-frontend.min.css" \
    | sed 's/{.*//' | tr ',' '\n' | sed 's/^ *//' | sort -u
