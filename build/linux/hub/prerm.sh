#!/bin/sh
# clinicdesk-hub prerm: stop the service before its binary goes away.
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl disable --now clinicdesk-hub.service >/dev/null || true
fi
exit 0
