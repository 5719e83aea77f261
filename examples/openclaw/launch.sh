#!/usr/bin/env bash
# The OpenClaw example's target command (scenarios/openclaw.ts sets its environment): a state folder inside the
# run, the mock model started beside the gateway (prepare.ts, companion.ts), then exec into OpenClaw under the
# cached Node 26, so the pid soakgate samples is the gateway's and its process tree holds only OpenClaw's children.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
state="${SOAKGATE_RUN_DIR:?run this through soakgate: soakgate run scenarios/openclaw.ts}/openclaw"
mkdir -p "$state/home" "$state/tmp"

# What OpenClaw writes stays in the run: its state and config, its home and XDG folders, its temp folders
# (openclaw*, .openclaw-terminal-staging-*, Node's compile cache) and its log (openclawConfig.ts). Only empty lock
# files in /tmp/openclaw-state-locks-<uid> and an empty /tmp/openclaw are left outside: paths fixed in OpenClaw.
export OPENCLAW_STATE_DIR="$state" OPENCLAW_CONFIG_PATH="$state/openclaw.json"
export HOME="$state/home" TMPDIR="$state/tmp"
export XDG_CONFIG_HOME="$state/home/.config" XDG_CACHE_HOME="$state/home/.cache" XDG_DATA_HOME="$state/home/.local/share" XDG_STATE_HOME="$state/home/.local/state"
# No mDNS, no update checks or auto-update, no self-respawn (the pid must stay the gateway's), no tracking.
export OPENCLAW_DISABLE_BONJOUR=1 OPENCLAW_NO_AUTO_UPDATE=1 OPENCLAW_NO_RESPAWN=1 DO_NOT_TRACK=1

# The example's own TypeScript runs on the harness's Node with the repository's tsx, without soakgate's probe.
env -u NODE_OPTIONS -u SOAKGATE_PROBE_SOCKET "$SOAK_SCRIPT_NODE" --import tsx "$here/prepare.ts" --gateway-pid $$
cd "$state"
exec "$SOAK_OPENCLAW_NODE" "$SOAK_OPENCLAW_ENTRY" gateway run --port "$SOAK_OPENCLAW_PORT" --bind loopback
