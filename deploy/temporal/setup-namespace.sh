#!/bin/sh
# One-shot (temporalio/admin-tools): waits for the Temporal frontend, creates the desk's namespace and registers
# the custom search attributes the desk sets on ticket workflows (see platform/servers/temporal.ts).
# Idempotent; works against the bundled server or an external cluster (TEMPORAL_ADDRESS).
set -eu
: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must be set}"
NS="${TEMPORAL_NAMESPACE:-default}"
RETENTION="${TEMPORAL_NAMESPACE_RETENTION:-30d}"
ATTRIBUTES="GuichetTicketType GuichetDefinition GuichetTicketNumber" # all Keyword

i=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  i=$((i + 1))
  [ "$i" -lt 60 ] || { echo "Temporal at $TEMPORAL_ADDRESS did not become healthy" >&2; exit 1; }
  sleep 2
done
echo "Temporal at $TEMPORAL_ADDRESS is serving"

if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$NS" >/dev/null 2>&1; then
  echo "namespace $NS exists"
else
  temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$NS" --retention "$RETENTION"
  echo "namespace $NS created (retention $RETENTION)"
fi

# A new namespace reaches every Temporal service after their namespace cache refreshes (about 10 s).
i=0
until existing=$(temporal operator search-attribute list --address "$TEMPORAL_ADDRESS" --namespace "$NS" 2>/dev/null); do
  i=$((i + 1))
  [ "$i" -lt 30 ] || { echo "cannot list search attributes of $NS" >&2; exit 1; }
  sleep 2
done

created=0
for name in $ATTRIBUTES; do
  if printf '%s\n' "$existing" | grep -qw "$name"; then
    echo "search attribute $name exists"
  else
    temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$NS" --name "$name" --type Keyword
    echo "search attribute $name registered"
    created=1
  fi
done

if [ "$created" = 1 ]; then
  # Other Temporal services see new attributes at their next namespace cache refresh: wait for it before the desk starts.
  sleep "${TEMPORAL_PROPAGATION_WAIT_SECONDS:-15}"
fi
echo "namespace $NS is ready for Guichet"
