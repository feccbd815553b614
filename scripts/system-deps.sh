#!/bin/sh
# Debian packages the simulated board needs: a real SSH server (Dropbear, as on RV1126 images)
# and BusyBox (the board's shell and tools). Installs them with apt when they are missing.
set -e
missing=""
command -v dropbear >/dev/null 2>&1 || missing="$missing dropbear-bin"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
