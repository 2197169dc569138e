#!/bin/bash
# Edge Hive node first boot. Rendered per node by the control plane (mustache placeholders).
# Idempotent: safe to run again on reboot or by hand. Everything it prints goes to the journal.
set -euo pipefail
exec > >(systemd-cat -t edge-hive-user-data 2>/dev/null || cat) 2>&1

NODE_ID='{{nodeId}}'
NODE_NAME='{{hostLabel}}'
NODE_TOKEN='{{nodeToken}}'
INSTALL_URL='{{installUrl}}'
TUNNEL_TOKEN='{{tunnelToken}}'

echo "edge-hive: preparing node ${NODE_NAME} (${NODE_ID})"
install -d -m 0750 /etc/edge-hive
umask 077
cat > /etc/edge-hive/node.env <<ENV
EDGE_HIVE_NODE_ID=${NODE_ID}
EDGE_HIVE_CLOUD_TOKEN=${NODE_TOKEN}
ENV

if ! command -v edge-hive >/dev/null 2>&1; then
  echo "edge-hive: installing from ${INSTALL_URL}"
  curl --proto '=https' --tlsv1.2 -fsSL --retry 5 --retry-delay 5 "${INSTALL_URL}" | bash
fi

if [ ! -f /etc/edge-hive/.initialised ]; then
  edge-hive init --cloud-token "${NODE_TOKEN}"
  touch /etc/edge-hive/.initialised
fi

if [ -n "${TUNNEL_TOKEN}" ]; then
  echo "edge-hive: enabling Cloudflare Tunnel"
  edge-hive tunnel enable --token "${TUNNEL_TOKEN}"
fi

systemctl enable edge-hive
systemctl restart edge-hive
echo "edge-hive: node ${NODE_NAME} started"
