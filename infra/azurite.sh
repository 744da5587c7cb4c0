#!/usr/bin/env bash
# Azurite, the Azure Storage emulator, for the pipeline's tests and local runs (Node.js 20+, npm).
#   infra/azurite.sh install     npm-installs azurite@3.37.0 under .tools/azurite (once)
#   infra/azurite.sh start DIR   starts it in memory on free ports; writes DIR/connection-string and DIR/pid
#   infra/azurite.sh stop DIR    stops the one started with DIR
# Azure.Storage.Blobs 12.30 sends a service version newer than Azurite 3.37 knows, hence --skipApiVersionCheck.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools/azurite"
bin="$prefix/node_modules/.bin/azurite"
version="3.37.0"

install() {
  [[ -x "$bin" ]] && return 0
  command -v npm >/dev/null 2>&1 || { echo "azurite.sh: Node.js 20+ with npm is required (https://nodejs.org)" >&2; exit 4; }
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "azurite@$version" >&2
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
  || node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

case "${1:-}" in
  install)
    install
    ;;
  start)
    dir="${2:?usage: azurite.sh start DIR}"
    install
    mkdir -p "$dir"
    blob=$(free_port); queue=$(free_port); table=$(free_port)
    "$bin" --silent --inMemoryPersistence --skipApiVersionCheck --loose --disableProductStyleUrl \
      --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" --tableHost 127.0.0.1 --tablePort "$table" \
      >"$dir/azurite.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 1 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$blob") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$queue") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null; then
        key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
        echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;" >"$dir/connection-string"
        exit 0
      fi
      sleep 0.2
    done
    echo "azurite.sh: Azurite did not start; its log:" >&2
    cat "$dir/azurite.log" >&2
    exit 1
    ;;
  stop)
    dir="${2:?usage: azurite.sh stop DIR}"
    [[ -f "$dir/pid" ]] && kill "$(cat "$dir/pid")" 2>/dev/null || true
    ;;
  *)
    echo "usage: infra/azurite.sh install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
