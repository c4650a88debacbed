#!/usr/bin/env bash
# Fails when the hexagon's wiring is broken: core depends on anything but
# the standard library and shopspring/decimal, an adapter imports another
# adapter (its own subpackages and the libraries under adapters/internal
# excepted; those import nothing of ours but core), or the Midtrans
# emulator imports anything of this service (its tests included). Other tests
# are not counted: a test may drive two adapters together. Run from the repository root.
set -euo pipefail
mod=github.com/langganan/langganan
fail=0

bad=$(go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./core/... \
  | grep -v -e "^$mod/core" -e '^github.com/shopspring/decimal$' || true)
if [ -n "$bad" ]; then
  echo "core imports non-stdlib packages:" >&2
  echo "$bad" >&2
  fail=1
fi

for pkg in $(go list ./adapters/...); do
  own=$(echo "$pkg" | sed -E "s|^($mod/adapters/[^/]+).*|\1|")
  for imp in $(go list -f '{{join .Imports " "}}' "$pkg"); do
    case "$pkg:$imp" in
      "$mod"/adapters/internal/*:"$mod"/adapters/*) echo "$pkg, a library of the adapters, imports $imp" >&2; fail=1 ;;
      *:"$own" | *:"$own"/* | *:"$mod"/adapters/internal/*) ;;
      *:"$mod"/adapters/*) echo "$pkg imports another adapter: $imp" >&2; fail=1 ;;
    esac
  done
done

# The emulator is a module of its own (adapters/fakemidtrans): neither its
# packages nor their tests may import this service, its go.mod may require
# nothing of ours, and the service's cmd/mockmidtrans is only its thin main.
emu=$mod/adapters/fakemidtrans
for imp in $(go -C adapters/fakemidtrans list -deps -test -f '{{.ImportPath}}' ./... | sed 's/ .*//') \
  $(go list -deps -f '{{.ImportPath}}' ./cmd/mockmidtrans); do
  case "$imp" in
    "$emu" | "$emu"/* | "$emu".test | "$emu"_test | "$mod"/cmd/mockmidtrans) ;;
    "$mod" | "$mod"/*) echo "the emulator imports this service's $imp" >&2; fail=1 ;;
  esac
done
if grep -nE '^[[:space:]]*(require[[:space:]]+|replace[[:space:]]+)?github\.com/langganan/langganan([/[:space:]]|$)' adapters/fakemidtrans/go.mod >&2; then
  echo "the emulator's go.mod requires or replaces a module of this service (above)" >&2
  fail=1
fi
exit $fail
