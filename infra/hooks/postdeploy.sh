#!/usr/bin/env bash
# azd post-deploy hook: subscribes the Function app's Event Grid blob triggers to the storage account's system topic.
# The webhook needs the app's blobs_extension system key, which exists only once the code is deployed; the key is read
# into a variable and passed to az, never printed, logged or stored in an output.
set -euo pipefail
: "${AZURE_RESOURCE_GROUP:?run through azd}" "${AZURE_FUNCTION_APP_NAME:?}" "${AZURE_EVENT_GRID_TOPIC_NAME:?}"
set +x
key="$(az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$AZURE_FUNCTION_APP_NAME" --query 'systemKeys.blobs_extension' -o tsv)"
if [[ -z "$key" ]]; then
  echo "postdeploy: the blobs_extension key does not exist yet; deploy the code first (azd deploy), then rerun azd hooks run postdeploy" >&2
  exit 1
fi
base="https://${AZURE_FUNCTION_APP_NAME}.azurewebsites.net/runtime/webhooks/blobs"
for function in ClipUploadedEventGrid TrainingResultWrittenEventGrid; do
  case "$function" in
    ClipUploadedEventGrid) subject="/blobServices/default/containers/clips/" ;;
    TrainingResultWrittenEventGrid) subject="/blobServices/default/containers/models/" ;;
  esac
  az eventgrid system-topic event-subscription create \
    -g "$AZURE_RESOURCE_GROUP" --system-topic-name "$AZURE_EVENT_GRID_TOPIC_NAME" \
    -n "$(echo "$function" | tr '[:upper:]' '[:lower:]')" \
    --endpoint-type webhook --endpoint "${base}?functionName=Host.Functions.${function}&code=${key}" \
    --included-event-types Microsoft.Storage.BlobCreated --subject-begins-with "$subject" \
    --only-show-errors --output none
  echo "postdeploy: Event Grid subscription for $function is in place"
done
