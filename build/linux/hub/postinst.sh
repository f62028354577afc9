#!/bin/sh
# clinicdesk-hub postinst: its own system user and its data folder; the
# service is enabled and (re)started when systemd runs this machine.
set -e
if [ "$1" = configure ]; then
  if ! getent passwd clinicdesk-hub >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/clinicdesk-hub --no-create-home \
      --shell /usr/sbin/nologin --comment "ClinicDesk practice hub" clinicdesk-hub
  fi
  install -d -o clinicdesk-hub -g clinicdesk-hub -m 0750 /var/lib/clinicdesk-hub
  chown root:clinicdesk-hub /etc/clinicdesk-hub /etc/clinicdesk-hub/hub.env
  chmod 0750 /etc/clinicdesk-hub
  chmod 0640 /etc/clinicdesk-hub/hub.env
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
  if [ -z "$2" ]; then
    systemctl enable --now clinicdesk-hub.service >/dev/null || true
  else
    systemctl try-restart clinicdesk-hub.service >/dev/null || true
  fi
fi
exit 0
