#!/usr/bin/env bash
# Converts .docx files to PDF with LibreOffice headless and pages to PNG, for looking at them.
# Needs: libreoffice-writer-nogui fonts-noto-cjk poppler-utils.
#   scripts/render-check.sh OUT_DIR FILE.docx...
# Produces OUT_DIR/NAME.pdf and OUT_DIR/NAME-<page>.png (60 dpi), and prints each PDF's page
# count and fonts so a missing CJK font shows up as a substitution.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: render-check.sh OUT_DIR FILE.docx...}
shift
mkdir -p "$out"
export FONTCONFIG_FILE="$here/fonts.conf"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
for f in "$@"; do
  soffice -env:UserInstallation="file://$profile" --headless --convert-to pdf --outdir "$out" "$f" >/dev/null
  pdf="$out/$(basename "${f%.*}").pdf"
  pdftoppm -r "${DPI:-60}" -png "$pdf" "${pdf%.pdf}"
  echo "$pdf: $(pdfinfo "$pdf" | awk '/^Pages/ {print $2}') page(s)"
  pdffonts "$pdf" | tail -n +3 | awk '{print "  font:", $1}'
done
