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
TUNNEL_TOKEN='{{tunnelToken}}'
# Overridable only so the script can be exercised outside a real node.
ETC="${EDGE_HIVE_ETC:-/etc/edge-hive}"

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

# Cloudflare Tunnel: only with a token. cloudflared runs as its own service with the token it was
# installed with; a second run leaves an installed service alone and just makes sure it runs.
if [ -n "${TUNNEL_TOKEN}" ]; then
  if ! command -v cloudflared >/dev/null 2>&1; then
    case "$(uname -m)" in
      aarch64 | arm64) arch=aarch64 ;;
      *) arch=x86_64 ;;
    esac
    echo "edge-hive: installing cloudflared (${arch})"
    dnf install -y "https://github.com/cloudflare/cloudflared/releases/latest/download/cloudflared-linux-${arch}.rpm"
  fi
  if ! systemctl is-enabled --quiet cloudflared 2>/dev/null; then
    echo "edge-hive: installing the cloudflared service"
    cloudflared service install "${TUNNEL_TOKEN}"
  fi
  systemctl restart cloudflared
  echo "edge-hive: Cloudflare Tunnel running"
fi
