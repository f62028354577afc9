#!/bin/sh
# clinicdesk-hub postrm: the practice's data in /var/lib/clinicdesk-hub and the
# clinicdesk-hub user stay, even on purge; delete them by hand once the
# practice has moved its hub elsewhere.
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null || true; fi
if [ "$1" = purge ] && [ -d /var/lib/clinicdesk-hub ]; then
  echo "clinicdesk-hub: the practice's data is kept in /var/lib/clinicdesk-hub"
fi
exit 0
