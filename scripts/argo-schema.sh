#!/usr/bin/env bash
# Fetches Argo Workflows' published JSON schema (api/jsonschema/schema.json) from the Go module proxy
# into test/fixtures/argo/, where the export tests read it. Run only to move to another Argo version.
set -euo pipefail
cd "$(dirname "$0")/.."
V=${1:-v3.7.11}
curl -fsSL "https://proxy.golang.org/github.com/argoproj/argo-workflows/v3/@v/$V.zip" | python3 -c '
import io, sys, zipfile
v = sys.argv[1]
sys.stdout.buffer.write(zipfile.ZipFile(io.BytesIO(sys.stdin.buffer.read())).read(f"github.com/argoproj/argo-workflows/v3@{v}/api/jsonschema/schema.json"))
' "$V" > "test/fixtures/argo/argo-workflows-$V.schema.json"
echo "test/fixtures/argo/argo-workflows-$V.schema.json"
