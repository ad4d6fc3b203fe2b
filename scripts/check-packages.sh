#!/usr/bin/env bash
# Packs every package as it would be published and checks the tarball with publint
# (package.json and exports map) and @arethetypeswrong/cli (types resolve for ESM and CJS).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in packages/*/; do
  name=$(node -p "require('./${dir}package.json').name")
  echo "--- ${name}"
  tarball=$(cd "$dir" && pnpm pack --pack-destination "$out" 2>/dev/null | tail -1)
  pnpm exec publint run "$tarball" --strict
  pnpm exec attw "$tarball" --profile node16 --format table-flipped
done
