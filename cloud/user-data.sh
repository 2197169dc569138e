#!/bin/bash
# Edge Hive node first boot. Rendered per node by the control plane (mustache placeholders).
# Idempotent: safe to run again on reboot or by hand; each step checks before it changes anything.
# Everything it prints goes to the journal (journalctl -t edge-hive-user-data).
set -euo pipefail
exec > >(systemd-cat -t edge-hive-user-data 2>/dev/null || cat) 2>&1

NODE_ID='{{nodeId}}'
NODE_NAME='{{hostLabel}}'
NODE_TOKEN='{{nodeToken}}'
INSTALL_URL='{{installUrl}}'
CLOUD_URL='{{cloudUrl}}'
TUNNEL='{{tunnel}}'
CLOUDFLARED_VERSION='{{cloudflaredVersion}}'
CLOUDFLARED_SHA256_ARM64='{{cloudflaredSha256Arm64}}'
CLOUDFLARED_SHA256_AMD64='{{cloudflaredSha256Amd64}}'
# Overridable only so the script can be exercised outside a real node.
ETC="${EDGE_HIVE_ETC:-/etc/edge-hive}"
BIN="${EDGE_HIVE_BIN:-/usr/local/bin}"
UNITS="${EDGE_HIVE_UNITS:-/etc/systemd/system}"

echo "edge-hive: preparing node ${NODE_NAME} (${NODE_ID})"
install -d -m 0750 "${ETC}"
umask 077
cat > "${ETC}/node.env" <<ENV
EDGE_HIVE_NODE_ID=${NODE_ID}
EDGE_HIVE_CLOUD_TOKEN=${NODE_TOKEN}
ENV

if ! command -v edge-hive >/dev/null 2>&1; then
  echo "edge-hive: installing from ${INSTALL_URL}"
  curl --proto '=https' --tlsv1.2 -fsSL --retry 5 --retry-delay 5 "${INSTALL_URL}" | bash
fi

if [ ! -f "${ETC}/.initialised" ]; then
  edge-hive init --cloud-token "${NODE_TOKEN}"
  touch "${ETC}/.initialised"
fi

systemctl enable edge-hive
systemctl restart edge-hive
echo "edge-hive: node ${NODE_NAME} started"

# Cloudflare Tunnel: this node's own tunnel. Its token is in no user-data and on no command line:
# the node asks the service for it with its node token (sent on stdin, not as an argument), keeps it
# in a root-only environment file, and cloudflared reads it from its environment (TUNNEL_TOKEN).
# The service makes the tunnel after the instance runs, so the request is retried (503 + Retry-After)
# until it exists. A second run keeps the installed binary and the fetched token and just restarts.
if [ "${TUNNEL}" = "cloudflare" ]; then
  if ! "${BIN}/cloudflared" --version 2>/dev/null | grep -q "version ${CLOUDFLARED_VERSION} "; then
    case "$(uname -m)" in
      aarch64 | arm64) arch=arm64 sha256="${CLOUDFLARED_SHA256_ARM64}" ;;
      *) arch=amd64 sha256="${CLOUDFLARED_SHA256_AMD64}" ;;
    esac
    echo "edge-hive: installing cloudflared ${CLOUDFLARED_VERSION} (${arch})"
    curl --proto '=https' --tlsv1.2 -fsSL --retry 5 --retry-delay 5 -o "${BIN}/cloudflared.download" \
      "https://github.com/cloudflare/cloudflared/releases/download/${CLOUDFLARED_VERSION}/cloudflared-linux-${arch}"
    # The pinned release's checksum, from the service's settings: a download that differs never runs.
    if ! printf '%s  %s\n' "${sha256}" "${BIN}/cloudflared.download" | sha256sum -c --status -; then
      rm -f "${BIN}/cloudflared.download"
      echo "edge-hive: cloudflared ${CLOUDFLARED_VERSION} (${arch}) does not match its pinned SHA-256; not installed" >&2
      exit 1
    fi
    chmod 0755 "${BIN}/cloudflared.download"
    mv -f "${BIN}/cloudflared.download" "${BIN}/cloudflared"
  fi
  if [ ! -s "${ETC}/cloudflared.env" ]; then
    echo "edge-hive: fetching this node's tunnel token"
    answer=$(printf 'Authorization: Bearer %s\n' "${NODE_TOKEN}" | curl -fsS --retry 90 --retry-delay 10 --retry-max-time 1800 \
      -H @- -H 'Accept: application/json' "${CLOUD_URL}/node-agent/v1/nodes/${NODE_ID}/tunnel-token")
    token=$(printf '%s' "${answer}" | sed -n 's|.*"tunnelToken":"\([A-Za-z0-9+/=_.-]*\)".*|\1|p')
    if [ -z "${token}" ]; then
      echo "edge-hive: the service gave no tunnel token" >&2
      exit 1
    fi
    printf 'TUNNEL_TOKEN=%s\n' "${token}" > "${ETC}/cloudflared.env.new"
    mv -f "${ETC}/cloudflared.env.new" "${ETC}/cloudflared.env"
    unset answer token
  fi
  cat > "${UNITS}/edge-hive-cloudflared.service" <<UNIT
[Unit]
Description=Cloudflare Tunnel of Edge Hive node ${NODE_NAME}
After=network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=${ETC}/cloudflared.env
ExecStart=${BIN}/cloudflared --no-autoupdate tunnel run
Restart=always
RestartSec=5
DynamicUser=yes

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
  systemctl enable edge-hive-cloudflared
  systemctl restart edge-hive-cloudflared
  echo "edge-hive: Cloudflare Tunnel running"
fi
